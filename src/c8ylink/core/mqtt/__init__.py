"""MQTT 3.1.1 wire format, once for both sides (pure; imports only the standard library and core).

``wire`` (packet types, remaining length, string/binary/u16 fields, ``FrameReader`` framing with a
size limit checked from the header), ``packets`` (the packet value types), ``encoders`` (the bytes a
client or a server sends), ``client_decoder`` (``PacketDecoder``: what a client receives, decoded
in one pass over a read) and ``server_decoder`` (``PacketReader`` frames and the ``decode_*`` of
what a server receives). Used by ``infra.net.mqtt_session`` (the services' client) and by the
tenant's MQTT endpoint. Errors: ``core.errors.MqttProtocolError`` and its subclasses.
"""
