"""The tenant's MQTT device endpoint (cumulocity-api.md §1, §2, §4.3): not a general broker.

The MQTT 3.1.1 wire format is ``core.mqtt`` (shared with the services' client); what is
Cumulocity's is here. Pure: ``clientid``, ``auth`` (CONNECT -> device identity or a CONNACK
refusal), ``smartrest``/``json_api``/``downstream``/``availability`` and ``endpoint`` (device,
topic, payload -> state changes + replies). I/O shell: ``connection`` (``DeviceConnection``: one
device's connection; ``MqttTimeouts``) and ``listener`` (the two servers, the connections by device,
the tenant's signals; Cumulocity's 16,184-byte packet limit). Imports: core, infra, tenant.
"""
