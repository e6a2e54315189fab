"""The framing and field primitives of MQTT 3.1.1 (OASIS MQTT 3.1.1 §1.5, §2.2).

A packet is a fixed header (type in the high nibble of the first byte, flags in the low nibble,
then the "remaining length" in 1-4 bytes of 7 bits each) and a body of that length. Fields in the
body: u16 big-endian integers, and strings/binary data with a u16 length prefix.

``FrameReader`` cuts a byte stream into packets in one pass over each read and refuses a frame
whose declared size (header included) exceeds its limit as soon as the header is complete, before
the body is buffered; what it returns for each frame is up to the ``decode`` it is given (the
client decodes packets at once, the server keeps ``(type, flags, body)``).
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable
from typing import Generic, TypeVar

from c8ylink.core.errors import MqttProtocolError, PacketTooLarge

PROTOCOL_LEVEL = 4  # MQTT 3.1.1 ("MQTT"); MQTT 3.1 is level 3 ("MQIsdp")
MAX_REMAINING_LENGTH = 268_435_455  # the largest remaining length 4 bytes can express
MAX_FRAME_SIZE = 1 + 4 + MAX_REMAINING_LENGTH  # the largest packet, fixed header included
MAX_PACKET_ID = 65_535
MAX_STRING = 65_535

U16 = struct.Struct("!H")


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


# ------------------------------------------------------------------------------------------ encoding


def encode_length(length: int) -> bytes:
    """The variable-length "remaining length" field."""
    if not 0 <= length <= MAX_REMAINING_LENGTH:
        raise MqttProtocolError(
            f"MQTT packet of {length} bytes is too large (at most {MAX_REMAINING_LENGTH})"
        )
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
    if len(data) > MAX_STRING:
        raise MqttProtocolError(f"MQTT string longer than {MAX_STRING} bytes")
    return U16.pack(len(data)) + data


def encode_binary(data: bytes) -> bytes:
    return U16.pack(len(data)) + data


def encode_frame(first: int, body: bytes) -> bytes:
    """A whole packet: first byte (type << 4 | flags), remaining length, body."""
    return bytes((first,)) + encode_length(len(body)) + body


# ------------------------------------------------------------------------------------------ framing

T = TypeVar("T")


class FrameReader(Generic[T]):
    """Turns a byte stream into ``decode(first_byte, body)`` per packet; keeps an incomplete packet
    until the rest arrives. A frame over ``max_size`` bytes raises ``PacketTooLarge``."""

    __slots__ = ("_buffer", "_decode", "max_size")

    def __init__(self, decode: Callable[[int, bytes], T], max_size: int = MAX_FRAME_SIZE) -> None:
        self._buffer = bytearray()
        self._decode = decode
        self.max_size = max_size

    def feed(self, data: bytes) -> list[T]:
        buffer = self._buffer
        buffer += data
        decode = self._decode
        limit = self.max_size
        items: list[T] = []
        end = len(buffer)
        position = 0
        while end - position >= 2:
            length = buffer[position + 1]
            index = position + 2
            if length & 0x80:
                length, index = _long_length(buffer, position + 1, end)
                if index < 0:
                    break  # the length itself is incomplete
            if index - position + length > limit:
                raise PacketTooLarge(index - position + length, limit)
            if index + length > end:
                break
            items.append(decode(buffer[position], bytes(buffer[index : index + length])))
            position = index + length
        if position:
            del buffer[:position]
        return items


def _long_length(buffer: bytearray, index: int, end: int) -> tuple[int, int]:
    """The remaining length starting at ``index`` and the index after it; ``(0, -1)`` if incomplete."""
    length, multiplier = 0, 1
    for count in range(4):
        if index >= end:
            return 0, -1
        byte = buffer[index]
        index += 1
        length += (byte & 0x7F) * multiplier
        multiplier *= 128
        if not byte & 0x80:
            return length, index
        if count == 3:
            break
    raise MqttProtocolError("malformed MQTT remaining length")


# ------------------------------------------------------------------------------------------ fields


class FieldReader:
    """Reads the fields of one packet body in order; a short or malformed field is an error."""

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
        (value,) = U16.unpack_from(self.data, self.index)
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
        """A UTF-8 string field; NUL is not allowed in one (§1.5.3)."""
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
