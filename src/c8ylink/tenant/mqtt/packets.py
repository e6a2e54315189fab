"""MQTT 3.1.1 packets, server side (OASIS MQTT 3.1.1 §2-3; 3.1 CONNECTs are accepted too).

``PacketReader.feed(data)`` cuts a byte stream into ``(type, flags, body)`` frames and refuses a
frame whose declared size exceeds ``max_size`` (Cumulocity: 16,184 bytes including the header)
before reading it; ``decode_*`` parse the bodies the server receives, ``encode_*`` build what it sends.
Every problem is a ``MqttProtocolError`` (the connection is closed); a CONNECT of another protocol
version is an ``UnsupportedProtocol`` (answered with CONNACK 1, as MQTT 5 servers lacking v5 must).
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from c8ylink.core.errors import ProtocolError

CUMULOCITY_MAX_PACKET = 16_184
_MAX_REMAINING_LENGTH = 268_435_455


class PacketType(enum.IntEnum):
    CONNECT = 1
    CONNACK = 2
    PUBLISH = 3
    PUBACK = 4
    PUBREC = 5
    PUBREL = 6
    PUBCOMP = 7
    SUBSCRIBE = 8
    SUBACK = 9
    UNSUBSCRIBE = 10
    UNSUBACK = 11
    PINGREQ = 12
    PINGRESP = 13
    DISCONNECT = 14


class ConnackCode(enum.IntEnum):
    ACCEPTED = 0
    UNACCEPTABLE_PROTOCOL = 1
    IDENTIFIER_REJECTED = 2
    SERVER_UNAVAILABLE = 3
    BAD_USERNAME_OR_PASSWORD = 4
    NOT_AUTHORIZED = 5


SUBACK_FAILURE = 0x80


class MqttProtocolError(ProtocolError):
    """Malformed or forbidden traffic: the server closes the connection."""


class PacketTooLarge(MqttProtocolError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"packet of {size} bytes exceeds the limit of {limit} bytes")
        self.size = size


class UnsupportedProtocol(MqttProtocolError):
    def __init__(self, name: str, level: int) -> None:
        super().__init__(f"unsupported protocol {name} level {level} (only MQTT 3.1 and 3.1.1)")
        self.level = level


@dataclass(frozen=True, slots=True)
class Will:
    topic: str
    payload: bytes
    qos: int
    retain: bool


@dataclass(frozen=True, slots=True)
class Connect:
    level: int
    client_id: str
    clean_session: bool
    keep_alive: int
    username: str | None = None
    password: bytes | None = None
    will: Will | None = None

    def __repr__(self) -> str:  # never show the password
        return f"Connect(client_id={self.client_id!r}, username={self.username!r}, password=***)"


@dataclass(frozen=True, slots=True)
class Publish:
    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False
    dup: bool = False
    packet_id: int | None = None


@dataclass(frozen=True, slots=True)
class Subscribe:
    packet_id: int
    filters: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    packet_id: int
    filters: tuple[str, ...]


Frame = tuple[int, int, bytes]  # packet type, flags (low nibble), body


class PacketReader:
    """Incremental framing of the bytes a client sends."""

    def __init__(self, max_size: int = CUMULOCITY_MAX_PACKET) -> None:
        self.max_size = max_size
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Frame]:
        buffer = self._buffer
        buffer += data
        frames: list[Frame] = []
        start = 0
        size = len(buffer)
        while size - start >= 2:
            length, multiplier, index, complete = 0, 1, start + 1, False
            while index < size:
                byte = buffer[index]
                index += 1
                length += (byte & 0x7F) * multiplier
                if not byte & 0x80:
                    complete = True
                    break
                multiplier *= 128
                if multiplier > 128**3:
                    raise MqttProtocolError("malformed remaining length")
            if not complete:
                break  # the length itself is incomplete
            total = index - start + length
            if total > self.max_size:
                raise PacketTooLarge(total, self.max_size)
            if size - start < total:
                break
            first = buffer[start]
            frames.append((first >> 4, first & 0x0F, bytes(buffer[index : start + total])))
            start += total
        if start:
            del buffer[:start]
        return frames


# ---------------------------------------------------------------------------------------- decoding


class _Cursor:
    __slots__ = ("data", "index")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.index = 0

    def byte(self) -> int:
        if self.index >= len(self.data):
            raise MqttProtocolError("packet ends early")
        value = self.data[self.index]
        self.index += 1
        return value

    def uint16(self) -> int:
        if self.index + 2 > len(self.data):
            raise MqttProtocolError("packet ends early")
        (value,) = struct.unpack_from("!H", self.data, self.index)
        self.index += 2
        return int(value)

    def binary(self) -> bytes:
        size = self.uint16()
        if self.index + size > len(self.data):
            raise MqttProtocolError("string longer than the packet")
        value = self.data[self.index : self.index + size]
        self.index += size
        return value

    def text(self) -> str:
        raw = self.binary()
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MqttProtocolError("string is not UTF-8") from exc
        if "\0" in value:
            raise MqttProtocolError("string contains NUL")
        return value

    def rest(self) -> bytes:
        value = self.data[self.index :]
        self.index = len(self.data)
        return value

    @property
    def done(self) -> bool:
        return self.index >= len(self.data)


def decode_connect(body: bytes) -> Connect:
    cursor = _Cursor(body)
    name = cursor.text()
    level = cursor.byte()
    if (name, level) not in (("MQTT", 4), ("MQIsdp", 3)):
        if name in ("MQTT", "MQIsdp"):
            raise UnsupportedProtocol(name, level)
        raise MqttProtocolError(f"not an MQTT CONNECT (protocol name {name!r})")
    flags = cursor.byte()
    if flags & 0x01:
        raise MqttProtocolError("CONNECT reserved flag is set")
    keep_alive = cursor.uint16()
    client_id = cursor.text()
    will = None
    if flags & 0x04:
        will_topic = cursor.text()
        will_payload = cursor.binary()
        will = Will(will_topic, will_payload, (flags >> 3) & 0x03, bool(flags & 0x20))
        if will.qos > 2:
            raise MqttProtocolError("will QoS 3")
    username = cursor.text() if flags & 0x80 else None
    password = cursor.binary() if flags & 0x40 else None
    return Connect(level, client_id, bool(flags & 0x02), keep_alive, username, password, will)


def decode_publish(flags: int, body: bytes) -> Publish:
    qos = (flags >> 1) & 0x03
    if qos == 3:
        raise MqttProtocolError("PUBLISH with QoS 3")
    cursor = _Cursor(body)
    topic = cursor.text()
    packet_id = cursor.uint16() if qos else None
    if packet_id == 0:
        raise MqttProtocolError("PUBLISH with packet id 0")
    return Publish(topic, cursor.rest(), qos, bool(flags & 0x01), bool(flags & 0x08), packet_id)


def decode_packet_id(body: bytes) -> int:
    if len(body) != 2:
        raise MqttProtocolError("acknowledgement of the wrong size")
    return int(struct.unpack("!H", body)[0])


def decode_subscribe(flags: int, body: bytes) -> Subscribe:
    if flags != 0x02:
        raise MqttProtocolError("SUBSCRIBE with wrong flags")
    cursor = _Cursor(body)
    packet_id = cursor.uint16()
    filters: list[tuple[str, int]] = []
    while not cursor.done:
        topic_filter = cursor.text()
        options = cursor.byte()
        if options & 0xFC or options == 3:
            raise MqttProtocolError("SUBSCRIBE with a bad QoS byte")
        filters.append((topic_filter, options))
    if not filters:
        raise MqttProtocolError("SUBSCRIBE without topic filters")
    return Subscribe(packet_id, tuple(filters))


def decode_unsubscribe(flags: int, body: bytes) -> Unsubscribe:
    if flags != 0x02:
        raise MqttProtocolError("UNSUBSCRIBE with wrong flags")
    cursor = _Cursor(body)
    packet_id = cursor.uint16()
    filters: list[str] = []
    while not cursor.done:
        filters.append(cursor.text())
    if not filters:
        raise MqttProtocolError("UNSUBSCRIBE without topic filters")
    return Unsubscribe(packet_id, tuple(filters))


# ---------------------------------------------------------------------------------------- encoding


def _remaining_length(length: int) -> bytes:
    if length > _MAX_REMAINING_LENGTH:
        raise MqttProtocolError("packet too large to encode")
    out = bytearray()
    while True:
        byte, length = length % 128, length // 128
        out.append(byte | 0x80 if length else byte)
        if not length:
            return bytes(out)


def _frame(first: int, body: bytes) -> bytes:
    return bytes((first,)) + _remaining_length(len(body)) + body


def encode_connack(code: ConnackCode | int, *, session_present: bool = False) -> bytes:
    return bytes((0x20, 2, 1 if session_present else 0, int(code)))


def encode_publish(topic: str, payload: bytes, *, qos: int = 0, packet_id: int | None = None) -> bytes:
    """A server PUBLISH: never retained (Cumulocity's server messages are not)."""
    encoded = topic.encode("utf-8")
    header = struct.pack("!H", len(encoded)) + encoded
    if qos:
        if packet_id is None:
            raise ValueError("QoS 1/2 needs a packet id")
        header += struct.pack("!H", packet_id)
    return _frame(0x30 | (qos << 1), header + payload)


def encode_ack(packet_type: PacketType, packet_id: int) -> bytes:
    """PUBACK, PUBREC, PUBREL (flags 0b0010) or PUBCOMP, UNSUBACK."""
    flags = 0x02 if packet_type is PacketType.PUBREL else 0
    return bytes(((int(packet_type) << 4) | flags, 2)) + struct.pack("!H", packet_id)


def encode_suback(packet_id: int, codes: list[int]) -> bytes:
    return _frame(0x90, struct.pack("!H", packet_id) + bytes(codes))


PINGRESP = bytes((0xD0, 0))
