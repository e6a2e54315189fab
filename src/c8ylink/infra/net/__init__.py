"""Network adapters: the one home of httpx2 (http.py) and of the MQTT client (mqtt_session.py,
with its synchronous face mqtt_client.py); foreign errors stop here."""
