"""What an MQTT 3.1.1 client receives, decoded in one pass over each read of the socket.

The long-running services (``tedge-mapper``, ``tedge-agent``) parse a whole socket read at once
through ``infra.net.mqtt_session``:

    decoder = PacketDecoder()
    for packet in decoder.feed(data):        # Publish, ConnAck, PubAck, PubRec, PubRel, PubComp,
        ...                                  # SubAck, UnsubAck, PingResp

QoS 0, 1 and 2 (``tedge mqtt pub|sub -q 2``; the services use QoS 1 at most). Malformed input raises
``MqttProtocolError`` (a ``ProtocolError``; the connection must then be closed).
"""

from __future__ import annotations

import struct

from c8ylink.core.errors import MqttProtocolError
from c8ylink.core.mqtt.packets import (
    ClientBound,
    ConnAck,
    PingResp,
    PubAck,
    PubComp,
    Publish,
    PubRec,
    PubRel,
    SubAck,
    UnsubAck,
)
from c8ylink.core.mqtt.wire import MAX_FRAME_SIZE, U16, FrameReader, PacketType

# plain ints: comparing with them is several times cheaper than with the enum's members
_CONNACK, _PUBLISH, _PUBACK = int(PacketType.CONNACK), int(PacketType.PUBLISH), int(PacketType.PUBACK)
_SUBACK, _UNSUBACK, _PINGRESP = int(PacketType.SUBACK), int(PacketType.UNSUBACK), int(PacketType.PINGRESP)
_QOS2_ACKS: dict[int, type[PubRec | PubRel | PubComp]] = {
    int(PacketType.PUBREC): PubRec,
    int(PacketType.PUBREL): PubRel,
    int(PacketType.PUBCOMP): PubComp,
}
_unpack_u16 = U16.unpack_from


class PacketDecoder(FrameReader[ClientBound]):
    """Turns the broker's byte stream into packets; keeps an incomplete packet until the rest arrives."""

    __slots__ = ()

    def __init__(self, max_size: int = MAX_FRAME_SIZE) -> None:
        super().__init__(decode_client_bound, max_size)


def decode_client_bound(header: int, body: bytes) -> ClientBound:
    """One packet a client may receive, from its first byte and its body."""
    kind = header >> 4
    try:
        if kind == _PUBLISH:
            return _decode_publish(header, body)
        if kind == _PUBACK:
            return PubAck(_unpack_u16(body)[0])
        if kind == _CONNACK:
            return ConnAck(bool(body[0] & 1), body[1])
        if kind == _SUBACK:
            return SubAck(_unpack_u16(body)[0], tuple(body[2:]))
        if kind == _UNSUBACK:
            return UnsubAck(_unpack_u16(body)[0])
        if kind == _PINGRESP:
            return PingResp()
        ack = _QOS2_ACKS.get(kind)
        if ack is not None:
            return ack(_unpack_u16(body)[0])
    except (IndexError, struct.error) as exc:
        raise MqttProtocolError(f"truncated MQTT packet of type {kind}") from exc
    raise MqttProtocolError(f"unexpected MQTT packet of type {kind} from the broker")


def _decode_publish(header: int, body: bytes) -> Publish:
    qos = (header >> 1) & 3
    if qos > 2:
        raise MqttProtocolError("MQTT PUBLISH with QoS 3")
    length = _unpack_u16(body)[0]
    offset = 2 + length
    if offset > len(body):
        raise MqttProtocolError("truncated MQTT PUBLISH topic")
    try:
        topic = body[2:offset].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MqttProtocolError("MQTT PUBLISH topic is not UTF-8") from exc
    packet_id = 0
    if qos:
        packet_id = _unpack_u16(body, offset)[0]
        offset += 2
    return Publish(topic, body[offset:], qos, bool(header & 1), packet_id, bool(header & 0x08))
