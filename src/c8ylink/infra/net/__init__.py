"""Network adapters: the one home of httpx2 (http.py) and paho-mqtt; their errors stop here."""
