"""MQTT 3.1.1 packets as bytes: what a client sends, what a server sends, and what both send.

Client: CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT. Server: CONNACK, SUBACK, PINGRESP.
Both: PUBLISH, PUBACK and the other acknowledgements (PUBREC, PUBREL, PUBCOMP, UNSUBACK).
``encode_publish`` and ``encode_puback`` run once per message on the hot paths: positional
arguments, no intermediate objects.
"""

from __future__ import annotations

from c8ylink.core.errors import MqttProtocolError
from c8ylink.core.mqtt.packets import ConnackCode, Will
from c8ylink.core.mqtt.wire import (
    PROTOCOL_LEVEL,
    U16,
    PacketType,
    encode_binary,
    encode_frame,
    encode_length,
    encode_string,
)

PINGREQ_PACKET = b"\xc0\x00"
PINGRESP_PACKET = b"\xd0\x00"
DISCONNECT_PACKET = b"\xe0\x00"

_pack_u16 = U16.pack


# ------------------------------------------------------------------------------------------ both sides


def encode_publish(  # noqa: PLR0917 - the hot path: positional arguments are cheaper
    topic: str, payload: bytes, qos: int = 0, retain: bool = False, packet_id: int = 0, dup: bool = False
) -> bytes:
    header = 0x30 | (qos << 1) | (1 if retain else 0) | (0x08 if dup else 0)
    name = topic.encode("utf-8")
    variable = _pack_u16(len(name)) + name
    if qos:
        if not packet_id:
            raise ValueError("a QoS 1/2 PUBLISH needs a packet id")
        variable += _pack_u16(packet_id)
    return bytes((header,)) + encode_length(len(variable) + len(payload)) + variable + payload


def encode_puback(packet_id: int) -> bytes:
    return b"\x40\x02" + _pack_u16(packet_id)


def encode_ack(packet_type: PacketType, packet_id: int) -> bytes:
    """PUBACK, PUBREC, PUBREL (flags 0b0010), PUBCOMP or UNSUBACK."""
    flags = 0x02 if packet_type is PacketType.PUBREL else 0
    return bytes(((int(packet_type) << 4) | flags, 2)) + _pack_u16(packet_id)


# ------------------------------------------------------------------------------------------ client


def encode_connect(
    client_id: str,
    *,
    keepalive: int = 60,
    clean_session: bool = True,
    username: str | None = None,
    password: str | None = None,
    will: Will | None = None,
) -> bytes:
    """An MQTT 3.1.1 CONNECT; the password is sent only with a username (§3.1.2.9)."""
    flags = 0x02 if clean_session else 0
    payload = [encode_string(client_id)]
    if will is not None:
        flags |= 0x04 | (will.qos << 3) | (0x20 if will.retain else 0)
        payload += [encode_string(will.topic), encode_binary(will.payload)]
    if username is not None:
        flags |= 0x80
        payload.append(encode_string(username))
        if password is not None:
            flags |= 0x40
            payload.append(encode_binary(password.encode("utf-8")))
    variable = encode_string("MQTT") + bytes((PROTOCOL_LEVEL, flags)) + _pack_u16(keepalive)
    return encode_frame(0x10, variable + b"".join(payload))


def encode_subscribe(packet_id: int, filters: list[tuple[str, int]]) -> bytes:
    if not filters:
        raise MqttProtocolError("SUBSCRIBE needs at least one topic filter")
    body = _pack_u16(packet_id) + b"".join(encode_string(name) + bytes((qos,)) for name, qos in filters)
    return encode_frame(0x82, body)


def encode_unsubscribe(packet_id: int, filters: list[str]) -> bytes:
    return encode_frame(0xA2, _pack_u16(packet_id) + b"".join(encode_string(name) for name in filters))


# ------------------------------------------------------------------------------------------ server


def encode_connack(code: ConnackCode | int, *, session_present: bool = False) -> bytes:
    return bytes((0x20, 2, 1 if session_present else 0, int(code)))


def encode_suback(packet_id: int, codes: list[int]) -> bytes:
    return encode_frame(0x90, _pack_u16(packet_id) + bytes(codes))
