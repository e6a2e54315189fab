"""Network adapters: HTTP (our own sync client; httpx2 only in the mapper's async proxy) and MQTT (our
own asyncio client, mqtt_session.py, with its synchronous face mqtt_client.py); their errors stop here."""
