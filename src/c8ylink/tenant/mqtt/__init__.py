"""The tenant's MQTT device endpoint (cumulocity-api.md §1, §2, §4.3): not a general broker.

Pure: ``packets`` (MQTT 3.1.1 wire format), ``clientid``, ``auth`` (CONNECT -> device identity or a
CONNACK refusal), ``smartrest``/``json_api``/``downstream``/``availability`` and ``endpoint`` (device,
topic, payload -> state changes + replies). I/O shell: ``session`` (one connection) and ``listener``
(the two servers, the sessions by device, the tenant's signals). Imports: core, infra, tenant.
"""
