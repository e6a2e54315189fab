"""The WebSocket wire format (RFC 6455) without sockets: the handshake values, frames of every length
class, masked and not, parsed from any split of the bytes, and the bytes that must be refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.infra.net.http1 import Data, End, Headers, ResponseParser, Status
from c8ylink.infra.net.websocket_frames import (
    BINARY,
    CLOSE,
    CONTINUATION,
    PING,
    TEXT,
    Frame,
    FrameError,
    FrameParser,
    MessageAssembler,
    build_accept,
    build_key,
    decode_close,
    encode_close,
    encode_frame,
)

MASK = b"\x01\x02\x03\x04"


def test_the_accept_value_is_the_rfc_example() -> None:
    assert build_accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert build_key(b"the sample nonce") == "dGhlIHNhbXBsZSBub25jZQ=="


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536], ids=lambda n: f"{n}-bytes")
@pytest.mark.parametrize("mask", [None, MASK], ids=["server", "client"])
def test_frames_round_trip_at_every_length_class(size: int, mask: bytes | None) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    wire = encode_frame(BINARY, payload, mask=mask)
    if mask is not None and size:
        assert payload not in wire  # a client's payload is masked on the wire
    assert FrameParser().feed(wire) == [Frame(BINARY, payload)]


def test_the_rfc_examples_decode() -> None:
    assert FrameParser().feed(bytes.fromhex("810548656c6c6f")) == [Frame(TEXT, b"Hello")]
    assert FrameParser().feed(bytes.fromhex("818537fa213d7f9f4d5158")) == [Frame(TEXT, b"Hello")]


@given(st.lists(st.binary(max_size=300), min_size=1, max_size=5), st.data())
def test_any_split_of_the_bytes_gives_the_same_frames(payloads: list[bytes], data: st.DataObject) -> None:
    wire = b"".join(encode_frame(TEXT, payload, mask=MASK) for payload in payloads)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=6)))
    parser = FrameParser()
    frames: list[Frame] = []
    for start, end in zip([0, *cuts], [*cuts, len(wire)], strict=True):
        frames += parser.feed(wire[start:end])
    assert [frame.payload for frame in frames] == payloads


@pytest.mark.parametrize(
    ("wire", "words"),
    [
        (b"\xc1\x00", "reserved bits"),
        (b"\x83\x00", "unknown opcode"),
        (b"\x09\x00", "control frame"),  # a fragmented ping
        (b"\x89\x7e\x00\x7e" + b"x" * 126, "control frame"),
        (b"\x82\x7f" + (1 << 40).to_bytes(8, "big"), "larger than"),
    ],
    ids=["reserved-bits", "unknown-opcode", "fragmented-ping", "long-ping", "huge-frame"],
)
def test_bytes_that_are_no_frame_are_refused(wire: bytes, words: str) -> None:
    with pytest.raises(FrameError, match=words):
        FrameParser().feed(wire)


def test_encoding_refuses_what_the_protocol_forbids() -> None:
    with pytest.raises(FrameError):
        encode_frame(PING, b"x" * 126)
    with pytest.raises(FrameError):
        encode_frame(0x3, b"")
    with pytest.raises(FrameError):
        encode_frame(TEXT, b"x", mask=b"12")


def test_fragments_are_joined_and_control_frames_pass_between_them() -> None:
    assembler = MessageAssembler()
    assert assembler.add(Frame(TEXT, b"Hel", fin=False)) is None
    assert assembler.add(Frame(PING, b"p")) == (PING, b"p")
    assert assembler.add(Frame(CONTINUATION, b"lo")) == (TEXT, b"Hello")
    with pytest.raises(FrameError, match="continuation"):
        MessageAssembler().add(Frame(CONTINUATION, b"x"))
    with pytest.raises(FrameError, match="before the last one ended"):
        started = MessageAssembler()
        started.add(Frame(TEXT, b"a", fin=False))
        started.add(Frame(TEXT, b"b"))
    with pytest.raises(FrameError, match="larger than"):
        MessageAssembler(max_size=3).add(Frame(TEXT, b"toolong"))


def test_close_payloads() -> None:
    assert decode_close(encode_close(1001, "going away")) == (1001, "going away")
    assert decode_close(b"") == (1005, "")
    assert FrameParser().feed(encode_frame(CLOSE, encode_close(), mask=MASK)) == [Frame(CLOSE, b"\x03\xe8")]


def test_a_101_answer_ends_http_and_leaves_the_rest_to_the_websocket() -> None:
    parser = ResponseParser("GET")
    frame = encode_frame(TEXT, b"first")
    events = parser.feed(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n" + frame
    )
    assert [type(event) for event in events] == [Status, Headers, End]
    assert not any(isinstance(event, Data) for event in events)
    assert parser.done and not parser.keep_alive and parser.unused == frame


def test_other_interim_answers_are_still_skipped() -> None:
    events = ResponseParser("GET").feed(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
    assert [event.code for event in events if isinstance(event, Status)] == [204]
