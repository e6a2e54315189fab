"""MQTT 3.1.1 packets as bytes: the encoders a client needs and an incremental decoder (pure).

The long-running services (``tedge-mapper``, ``tedge-agent``) speak to the local broker through
``infra.net.mqtt_session``, which uses this codec so that one read of the socket is parsed in one
pass and the answers (PUBACKs and the converted messages) leave in one write. Only the packets a
client sends or receives are here: CONNECT/CONNACK, PUBLISH, PUBACK, SUBSCRIBE/SUBACK,
UNSUBSCRIBE/UNSUBACK, PINGREQ/PINGRESP and DISCONNECT; QoS 0 and 1.

    decoder = PacketDecoder()
    for packet in decoder.feed(data):        # Publish, ConnAck, PubAck, SubAck, UnsubAck, PingResp
        ...

Malformed input raises ``ProtocolError`` (the connection must then be closed).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from c8ylink.core.errors import ProtocolError

PROTOCOL_LEVEL = 4  # MQTT 3.1.1
MAX_PACKET_SIZE = 268_435_455  # the largest remaining length MQTT can express
MAX_PACKET_ID = 65_535

CONNECT, CONNACK, PUBLISH, PUBACK = 1, 2, 3, 4
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK = 8, 9, 10, 11
PINGREQ, PINGRESP, DISCONNECT = 12, 13, 14

PINGREQ_PACKET = b"\xc0\x00"
DISCONNECT_PACKET = b"\xe0\x00"

CONNACK_REASONS = {
    1: "unacceptable protocol version",
    2: "client identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorized",
}

_U16 = struct.Struct("!H")


@dataclass(frozen=True, slots=True)
class Will:
    """The message the broker publishes when the client goes away without DISCONNECT."""

    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


@dataclass(slots=True)
class Publish:
    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False
    packet_id: int = 0
    dup: bool = False


@dataclass(frozen=True, slots=True)
class ConnAck:
    session_present: bool
    return_code: int


@dataclass(frozen=True, slots=True)
class PubAck:
    packet_id: int


@dataclass(frozen=True, slots=True)
class SubAck:
    packet_id: int
    return_codes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class UnsubAck:
    packet_id: int


@dataclass(frozen=True, slots=True)
class PingResp:
    pass


Packet = Publish | ConnAck | PubAck | SubAck | UnsubAck | PingResp


# --------------------------------------------------------------------------------------------- encoders


def encode_length(length: int) -> bytes:
    """The variable-length "remaining length" field."""
    if not 0 <= length <= MAX_PACKET_SIZE:
        raise ProtocolError(f"MQTT packet of {length} bytes is too large (at most {MAX_PACKET_SIZE})")
    if length < 128:
        return bytes((length,))
    out = bytearray()
    while True:
        byte, length = length % 128, length // 128
        out.append(byte | 0x80 if length else byte)
        if not length:
            return bytes(out)


def encode_string(text: str) -> bytes:
    data = text.encode("utf-8")
    if len(data) > 65_535:
        raise ProtocolError("MQTT string longer than 65535 bytes")
    return _U16.pack(len(data)) + data


def _binary(data: bytes) -> bytes:
    return _U16.pack(len(data)) + data


def encode_connect(
    client_id: str,
    *,
    keepalive: int = 60,
    clean_session: bool = True,
    username: str | None = None,
    password: str | None = None,
    will: Will | None = None,
) -> bytes:
    flags = 0x02 if clean_session else 0
    payload = [encode_string(client_id)]
    if will is not None:
        flags |= 0x04 | (will.qos << 3) | (0x20 if will.retain else 0)
        payload += [encode_string(will.topic), _binary(will.payload)]
    if username is not None:
        flags |= 0x80
        payload.append(encode_string(username))
        if password is not None:
            flags |= 0x40
            payload.append(_binary(password.encode("utf-8")))
    body = encode_string("MQTT") + bytes((PROTOCOL_LEVEL, flags)) + _U16.pack(keepalive) + b"".join(payload)
    return b"\x10" + encode_length(len(body)) + body


def encode_publish(  # noqa: PLR0917 - the hot path: positional arguments are cheaper
    topic: str, payload: bytes, qos: int = 0, retain: bool = False, packet_id: int = 0, dup: bool = False
) -> bytes:
    header = 0x30 | (qos << 1) | (1 if retain else 0) | (0x08 if dup else 0)
    name = topic.encode("utf-8")
    variable = _U16.pack(len(name)) + name
    if qos:
        variable += _U16.pack(packet_id)
    return bytes((header,)) + encode_length(len(variable) + len(payload)) + variable + payload


def encode_puback(packet_id: int) -> bytes:
    return b"\x40\x02" + _U16.pack(packet_id)


def encode_subscribe(packet_id: int, filters: list[tuple[str, int]]) -> bytes:
    if not filters:
        raise ProtocolError("SUBSCRIBE needs at least one topic filter")
    body = _U16.pack(packet_id) + b"".join(encode_string(name) + bytes((qos,)) for name, qos in filters)
    return b"\x82" + encode_length(len(body)) + body


def encode_unsubscribe(packet_id: int, filters: list[str]) -> bytes:
    body = _U16.pack(packet_id) + b"".join(encode_string(name) for name in filters)
    return b"\xa2" + encode_length(len(body)) + body


# --------------------------------------------------------------------------------------------- decoder


class PacketDecoder:
    """Turns a byte stream into packets; keeps an incomplete packet until the rest arrives."""

    __slots__ = ("_buffer", "max_size")

    def __init__(self, max_size: int = MAX_PACKET_SIZE) -> None:
        self._buffer = bytearray()
        self.max_size = max_size

    def feed(self, data: bytes) -> list[Packet]:
        buffer = self._buffer
        buffer += data
        packets: list[Packet] = []
        end = len(buffer)
        position = 0
        while end - position >= 2:
            header = buffer[position]
            index = position + 1
            length = buffer[index]
            index += 1
            if length & 0x80:
                length, index = self._long_length(buffer, position + 1, end)
                if index < 0:
                    break
            if index + length > end:
                break
            packets.append(_decode(header, bytes(buffer[index : index + length])))
            position = index + length
        if position:
            del buffer[:position]
        return packets

    def _long_length(self, buffer: bytearray, index: int, end: int) -> tuple[int, int]:
        length, multiplier = 0, 1
        for count in range(4):
            if index >= end:
                return 0, -1
            byte = buffer[index]
            index += 1
            length += (byte & 0x7F) * multiplier
            multiplier *= 128
            if not byte & 0x80:
                if length > self.max_size:
                    raise ProtocolError(f"MQTT packet of {length} bytes exceeds the limit of {self.max_size}")
                return length, index
            if count == 3:
                break
        raise ProtocolError("malformed MQTT remaining length")


def _decode(header: int, body: bytes) -> Packet:
    kind = header >> 4
    try:
        if kind == PUBLISH:
            return _decode_publish(header, body)
        if kind == PUBACK:
            return PubAck(_U16.unpack_from(body)[0])
        if kind == CONNACK:
            return ConnAck(bool(body[0] & 1), body[1])
        if kind == SUBACK:
            return SubAck(_U16.unpack_from(body)[0], tuple(body[2:]))
        if kind == UNSUBACK:
            return UnsubAck(_U16.unpack_from(body)[0])
        if kind == PINGRESP:
            return PingResp()
    except (IndexError, struct.error) as exc:
        raise ProtocolError(f"truncated MQTT packet of type {kind}") from exc
    raise ProtocolError(f"unexpected MQTT packet of type {kind} from the broker")


def _decode_publish(header: int, body: bytes) -> Publish:
    qos = (header >> 1) & 3
    if qos > 1:
        raise ProtocolError("QoS 2 publish received although only QoS 0 and 1 were subscribed")
    length = _U16.unpack_from(body)[0]
    offset = 2 + length
    if offset > len(body):
        raise ProtocolError("truncated MQTT PUBLISH topic")
    try:
        topic = body[2:offset].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError("MQTT PUBLISH topic is not UTF-8") from exc
    packet_id = 0
    if qos:
        packet_id = _U16.unpack_from(body, offset)[0]
        offset += 2
    return Publish(topic, body[offset:], qos, bool(header & 1), packet_id, bool(header & 0x08))
