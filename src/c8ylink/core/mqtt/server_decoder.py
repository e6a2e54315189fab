"""What an MQTT server receives: frames, then the ``decode_*`` of their bodies (MQTT 3.1.1 §3).

``PacketReader(max_size).feed(data)`` cuts the client's byte stream into ``(type, flags, body)``
frames and refuses a frame over ``max_size`` bytes (fixed header included) as soon as its header
is complete (``PacketTooLarge``). The decoders are strict, as a server must be: every problem is a
``MqttProtocolError`` (the server closes the connection). CONNECTs of MQTT 3.1.1 ("MQTT", level 4)
and MQTT 3.1 ("MQIsdp", level 3) are accepted; another level of those protocol names (MQTT 5) is an
``UnsupportedProtocol``, which a server answers with CONNACK 1 (as MQTT 5 servers lacking v5 must).
"""

from __future__ import annotations

from c8ylink.core.errors import MqttProtocolError, UnsupportedProtocol
from c8ylink.core.mqtt.packets import Connect, Publish, Subscribe, Unsubscribe, Will
from c8ylink.core.mqtt.wire import MAX_FRAME_SIZE, U16, FieldReader, FrameReader

Frame = tuple[int, int, bytes]  # packet type, flags (low nibble), body

_ACCEPTED_PROTOCOLS = (("MQTT", 4), ("MQIsdp", 3))


def _split(first: int, body: bytes) -> Frame:
    return first >> 4, first & 0x0F, body


class PacketReader(FrameReader[Frame]):
    """Incremental framing of the bytes a client sends."""

    __slots__ = ()

    def __init__(self, max_size: int = MAX_FRAME_SIZE) -> None:
        super().__init__(_split, max_size)


def decode_connect(body: bytes) -> Connect:
    fields = FieldReader(body)
    name = fields.text()
    level = fields.byte()
    if (name, level) not in _ACCEPTED_PROTOCOLS:
        if name in ("MQTT", "MQIsdp"):
            raise UnsupportedProtocol(name, level)
        raise MqttProtocolError(f"not an MQTT CONNECT (protocol name {name!r})")
    flags = fields.byte()
    if flags & 0x01:
        raise MqttProtocolError("CONNECT reserved flag is set")
    keep_alive = fields.uint16()
    client_id = fields.text()
    will = None
    if flags & 0x04:
        will_topic = fields.text()
        will_payload = fields.binary()
        will = Will(will_topic, will_payload, (flags >> 3) & 0x03, bool(flags & 0x20))
        if will.qos > 2:
            raise MqttProtocolError("will QoS 3")
    username = fields.text() if flags & 0x80 else None
    password = fields.binary() if flags & 0x40 else None
    return Connect(level, client_id, bool(flags & 0x02), keep_alive, username, password, will)


def decode_publish(flags: int, body: bytes) -> Publish:
    """A client's PUBLISH (QoS 0-2); ``packet_id`` is 0 for QoS 0."""
    qos = (flags >> 1) & 0x03
    if qos == 3:
        raise MqttProtocolError("PUBLISH with QoS 3")
    fields = FieldReader(body)
    topic = fields.text()
    packet_id = 0
    if qos:
        packet_id = fields.uint16()
        if not packet_id:
            raise MqttProtocolError("PUBLISH with packet id 0")
    return Publish(topic, fields.rest(), qos, bool(flags & 0x01), packet_id, bool(flags & 0x08))


def decode_packet_id(body: bytes) -> int:
    """The body of PUBACK, PUBREC, PUBREL or PUBCOMP."""
    if len(body) != 2:
        raise MqttProtocolError("acknowledgement of the wrong size")
    return int(U16.unpack(body)[0])


def decode_subscribe(flags: int, body: bytes) -> Subscribe:
    if flags != 0x02:
        raise MqttProtocolError("SUBSCRIBE with wrong flags")
    fields = FieldReader(body)
    packet_id = fields.uint16()
    filters: list[tuple[str, int]] = []
    while not fields.done:
        topic_filter = fields.text()
        options = fields.byte()
        if options & 0xFC or options == 3:
            raise MqttProtocolError("SUBSCRIBE with a bad QoS byte")
        filters.append((topic_filter, options))
    if not filters:
        raise MqttProtocolError("SUBSCRIBE without topic filters")
    return Subscribe(packet_id, tuple(filters))


def decode_unsubscribe(flags: int, body: bytes) -> Unsubscribe:
    if flags != 0x02:
        raise MqttProtocolError("UNSUBSCRIBE with wrong flags")
    fields = FieldReader(body)
    packet_id = fields.uint16()
    filters: list[str] = []
    while not fields.done:
        filters.append(fields.text())
    if not filters:
        raise MqttProtocolError("UNSUBSCRIBE without topic filters")
    return Unsubscribe(packet_id, tuple(filters))
