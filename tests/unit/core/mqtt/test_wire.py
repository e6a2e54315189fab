"""The MQTT 3.1.1 primitives: remaining length, string fields, framing with a size limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.errors import MqttProtocolError, PacketTooLarge, ProtocolError
from c8ylink.core.mqtt.wire import (
    MAX_REMAINING_LENGTH,
    FieldReader,
    FrameReader,
    encode_frame,
    encode_length,
    encode_string,
)

from .strategies import cuts, feed_in_pieces


def _frames(max_size: int = 1_000_000) -> FrameReader[tuple[int, bytes]]:
    return FrameReader(lambda first, body: (first, body), max_size)


@pytest.mark.parametrize(
    ("length", "size"),
    [(0, 1), (127, 1), (128, 2), (16_383, 2), (16_384, 3), (2_097_151, 3), (2**21, 4),
     (MAX_REMAINING_LENGTH, 4)],
)  # fmt: skip
def test_remaining_length_sizes(length: int, size: int) -> None:
    assert len(encode_length(length)) == size


@pytest.mark.parametrize("length", [-1, MAX_REMAINING_LENGTH + 1])
def test_remaining_length_out_of_range_is_a_protocol_error(length: int) -> None:
    with pytest.raises(ProtocolError, match="too large"):
        encode_length(length)


@given(length=st.integers(0, 300_000))
def test_remaining_length_round_trip(length: int) -> None:
    packet = encode_frame(0x30, b"x" * length)
    reader = _frames()
    if length:
        assert reader.feed(packet[:-1]) == []  # waits for the last byte
        assert reader.feed(packet[-1:]) == [(0x30, b"x" * length)]
    else:
        assert reader.feed(packet) == [(0x30, b"")]


@given(bodies=st.lists(st.binary(max_size=400), min_size=1, max_size=8), at=cuts)
def test_frames_survive_any_split_of_the_stream(bodies: list[bytes], at: list[int]) -> None:
    stream = b"".join(encode_frame(0x30 | index % 16, body) for index, body in enumerate(bodies))
    expected = [(0x30 | index % 16, body) for index, body in enumerate(bodies)]
    assert feed_in_pieces(_frames().feed, stream, at) == expected


def test_the_limit_counts_the_fixed_header_and_is_checked_before_the_body_arrives() -> None:
    at_limit = encode_frame(0x30, b"x" * 997)  # 1 + 2 + 997 bytes
    assert len(at_limit) == 1000
    assert _frames(1000).feed(at_limit) == [(0x30, b"x" * 997)]
    with pytest.raises(PacketTooLarge, match="1001 bytes exceeds the limit of 1000") as refused:
        _frames(1000).feed(encode_frame(0x30, b"x" * 998)[:3])  # the header alone
    assert refused.value.size == 1001
    with pytest.raises(PacketTooLarge):
        _frames(10).feed(b"\x30\x09")  # a one-byte length too


def test_a_remaining_length_over_four_bytes_is_malformed() -> None:
    reader = _frames()
    assert reader.feed(b"\x30\xff\xff\xff") == []  # incomplete so far
    with pytest.raises(MqttProtocolError, match="malformed"):
        reader.feed(b"\xff\x01")


def test_string_fields() -> None:
    assert encode_string("tö") == b"\x00\x03t\xc3\xb6"
    assert len(encode_string("x" * 65_535)) == 65_537
    with pytest.raises(MqttProtocolError, match="longer than 65535"):
        encode_string("x" * 65_536)
    fields = FieldReader(b"\x00\x03t\xc3\xb6\x00\x07\x01rest")
    assert (fields.text(), fields.uint16(), fields.byte(), fields.rest(), fields.done) == (
        "tö",
        7,
        1,
        b"rest",
        True,
    )


@pytest.mark.parametrize(
    ("body", "read", "message"),
    [(b"\x00", FieldReader.uint16, "ends early"), (b"", FieldReader.byte, "ends early"),
     (b"\x00\x05abc", FieldReader.text, "longer than the packet"),
     (b"\x00\x02\xff\xfe", FieldReader.text, "not UTF-8"), (b"\x00\x02a\x00", FieldReader.text, "NUL")],
)  # fmt: skip
def test_malformed_fields(body: bytes, read: object, message: str) -> None:
    with pytest.raises(MqttProtocolError, match=message):
        read(FieldReader(body))  # type: ignore[operator]
