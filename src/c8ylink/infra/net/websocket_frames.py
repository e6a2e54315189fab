"""The WebSocket wire format (RFC 6455), sans-I/O: the opening handshake's key and accept values,
frames encoded (``encode_frame``) and parsed from any split of the bytes (``FrameParser``).

A client masks every frame it sends (``mask`` of four bytes); a server never does. The parser takes
both, so the same code reads either side. Fragmented messages come out as frames (``fin`` false, then
``CONTINUATION`` frames): ``MessageAssembler`` joins them.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
CONTROL = frozenset({CLOSE, PING, PONG})
KNOWN = frozenset({CONTINUATION, TEXT, BINARY, *CONTROL})
MAX_MESSAGE = 16 * 1024 * 1024


class FrameError(ValueError):
    """Bytes that are not a WebSocket frame (or a message larger than allowed)."""


@dataclass(frozen=True, slots=True)
class Frame:
    opcode: int
    payload: bytes
    fin: bool = True


def build_accept(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` a server answers to ``Sec-WebSocket-Key: key``."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode("ascii")).digest()).decode("ascii")


def build_key(nonce: bytes) -> str:
    """``Sec-WebSocket-Key`` from 16 random bytes."""
    if len(nonce) != 16:
        raise ValueError("the key nonce is 16 bytes")
    return base64.b64encode(nonce).decode("ascii")


def _masked(payload: bytes, mask: bytes) -> bytes:
    if not payload:
        return payload
    repeated = (mask * (len(payload) // 4 + 1))[: len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(payload), "big")


def encode_frame(opcode: int, payload: bytes, *, mask: bytes | None = None, fin: bool = True) -> bytes:
    """One frame; ``mask``: the four masking bytes a client must use, None for a server."""
    if opcode not in KNOWN:
        raise FrameError(f"unknown opcode {opcode:#x}")
    if opcode in CONTROL and (len(payload) > 125 or not fin):
        raise FrameError("a control frame carries at most 125 bytes and is never fragmented")
    head = bytes([(0x80 if fin else 0) | opcode])
    flag = 0x80 if mask is not None else 0
    size = len(payload)
    if size < 126:
        head += bytes([flag | size])
    elif size < 1 << 16:
        head += bytes([flag | 126]) + struct.pack("!H", size)
    else:
        head += bytes([flag | 127]) + struct.pack("!Q", size)
    if mask is None:
        return head + payload
    if len(mask) != 4:
        raise FrameError("the mask is four bytes")
    return head + mask + _masked(payload, mask)


def encode_close(code: int = 1000, reason: str = "") -> bytes:
    """The payload of a close frame."""
    return struct.pack("!H", code) + reason.encode("utf-8")[:123]


def decode_close(payload: bytes) -> tuple[int, str]:
    """(code, reason) of a close frame's payload; 1005 when it names none."""
    if len(payload) < 2:
        return 1005, ""
    return struct.unpack("!H", payload[:2])[0], payload[2:].decode("utf-8", errors="replace")


class FrameParser:
    """Feed bytes, get the complete frames they end."""

    def __init__(self, *, max_size: int = MAX_MESSAGE) -> None:
        self.max_size = max_size
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while (frame := self._next()) is not None:
            frames.append(frame)
        return frames

    def _next(self) -> Frame | None:
        buffer = self._buffer
        if len(buffer) < 2:
            return None
        first, second = buffer[0], buffer[1]
        if first & 0x70:
            raise FrameError("reserved bits set (no extension was agreed)")
        opcode, fin = first & 0x0F, bool(first & 0x80)
        if opcode not in KNOWN:
            raise FrameError(f"unknown opcode {opcode:#x}")
        size, offset = second & 0x7F, 2
        if size == 126:
            if len(buffer) < 4:
                return None
            size, offset = struct.unpack("!H", buffer[2:4])[0], 4
        elif size == 127:
            if len(buffer) < 10:
                return None
            size, offset = struct.unpack("!Q", buffer[2:10])[0], 10
        if opcode in CONTROL and (size > 125 or not fin):
            raise FrameError("a control frame carries at most 125 bytes and is never fragmented")
        if size > self.max_size:
            raise FrameError(f"a frame of {size} bytes is larger than {self.max_size}")
        mask = None
        if second & 0x80:
            mask = bytes(buffer[offset : offset + 4])
            offset += 4
        if len(buffer) < offset + size or (mask is not None and len(mask) < 4):
            return None
        payload = bytes(buffer[offset : offset + size])
        del buffer[: offset + size]
        return Frame(opcode, _masked(payload, mask) if mask else payload, fin)


class MessageAssembler:
    """Frames in, whole messages out: (opcode, payload) of each data message and of each control frame
    (those may arrive between the fragments of a message)."""

    def __init__(self, *, max_size: int = MAX_MESSAGE) -> None:
        self.max_size = max_size
        self._opcode = 0
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, frame: Frame) -> tuple[int, bytes] | None:
        if frame.opcode in CONTROL:
            return frame.opcode, frame.payload
        if frame.opcode == CONTINUATION:
            if not self._opcode:
                raise FrameError("a continuation frame without a message to continue")
        elif self._opcode:
            raise FrameError("a new message began before the last one ended")
        else:
            self._opcode = frame.opcode
        self._size += len(frame.payload)
        if self._size > self.max_size:
            raise FrameError(f"a message larger than {self.max_size} bytes")
        self._parts.append(frame.payload)
        if not frame.fin:
            return None
        message = (self._opcode, b"".join(self._parts))
        self._opcode, self._parts, self._size = 0, [], 0
        return message
