"""The tenant's domain state, in memory and free of I/O.

Values in, values out: the clock and the id generator are passed in; every change is recorded in a
``Journal`` (what to persist) and as ``TenantEvent`` values (what other front ends, such as the MQTT
listener, react to). ``tenant.service`` persists and dispatches them; ``tenant.rest`` renders
documents with links. Imports ``core`` and ``infra.tls`` only.
"""
