"""Network adapters: HTTP (our own sync client; httpx2 only in the mapper's async proxy) and MQTT;
their errors stop here."""
