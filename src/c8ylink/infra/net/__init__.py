"""Network adapters: HTTP (our own sync client, and the asyncio forwarder of the mapper's proxy) and MQTT
(our own asyncio client, mqtt_session.py, with its synchronous face mqtt_client.py); their errors stop
here."""
