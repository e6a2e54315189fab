"""The MQTT 3.1.1 codec of the services: what is encoded decodes back, however the stream is cut."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.errors import ProtocolError
from c8ylink.core.mqtt_packets import (
    ConnAck,
    PacketDecoder,
    PingResp,
    PubAck,
    Publish,
    SubAck,
    Will,
    encode_connect,
    encode_length,
    encode_puback,
    encode_publish,
)

topics = st.text(st.characters(codec="utf-8", exclude_characters="\0+#"), min_size=1, max_size=40)
publishes = st.builds(
    Publish,
    topic=topics,
    payload=st.binary(max_size=300),
    qos=st.sampled_from([0, 1]),
    retain=st.booleans(),
    packet_id=st.integers(1, 65535),
)


def encoded(packet: Publish) -> bytes:
    packet_id = packet.packet_id if packet.qos else 0
    return encode_publish(packet.topic, packet.payload, packet.qos, packet.retain, packet_id)


def normalised(packet: Publish) -> Publish:
    return Publish(
        packet.topic, packet.payload, packet.qos, packet.retain, packet.packet_id if packet.qos else 0
    )


@given(packets=st.lists(publishes, min_size=1, max_size=10), cuts=st.lists(st.integers(0, 4000), max_size=6))
def test_publishes_survive_any_split_of_the_stream(packets: list[Publish], cuts: list[int]) -> None:
    stream = b"".join(encoded(packet) for packet in packets)
    positions = sorted({min(cut, len(stream)) for cut in cuts} | {0, len(stream)})
    decoder = PacketDecoder()
    received = []
    for start, end in itertools.pairwise(positions):
        received += decoder.feed(stream[start:end])
    assert received == [normalised(packet) for packet in packets]


@given(length=st.integers(3, 300_000))
def test_remaining_length_round_trip(length: int) -> None:
    body = b"\x00\x01t" + b"x" * (length - 3)  # topic "t", then the payload
    packet = b"\x30" + encode_length(length) + body
    decoder = PacketDecoder()
    assert decoder.feed(packet[:-1]) == []  # waits for the last byte
    assert decoder.feed(packet[-1:]) == [Publish("t", b"x" * (length - 3))]


@pytest.mark.parametrize(("length", "size"), [(127, 1), (128, 2), (16_383, 2), (16_384, 3), (2**21, 4),
                                              (268_435_455, 4)])  # fmt: skip
def test_remaining_length_sizes(length: int, size: int) -> None:
    assert len(encode_length(length)) == size
    with pytest.raises(ProtocolError):
        encode_length(268_435_456)


def test_control_packets_from_the_broker() -> None:
    stream = b"\x20\x02\x01\x00" + b"\x40\x02\x00\x07" + b"\x90\x04\x00\x09\x01\x80" + b"\xd0\x00"
    assert PacketDecoder().feed(stream) == [ConnAck(True, 0), PubAck(7), SubAck(9, (1, 0x80)), PingResp()]


def test_connect_carries_will_and_credentials() -> None:
    packet = encode_connect("tedge-agent", keepalive=30, clean_session=False, username="u", password="p",
                            will=Will("health", b"down", qos=1, retain=True))  # fmt: skip
    flags = packet[9]  # after fixed header (2), protocol name (6) and level (1)
    assert flags == 0x80 | 0x40 | 0x20 | 0x08 | 0x04
    assert packet.endswith(b"\x00\x01u\x00\x01p")
    assert encode_puback(258) == b"\x40\x02\x01\x02"


@pytest.mark.parametrize(
    "data",
    [b"\x30\xff\xff\xff\xff\x01", b"\x60\x00", b"\x34\x03\x00\x01t", b"\x30\x04\x00\x02\xff\xfe"],
    ids=["remaining length over 4 bytes", "unexpected packet type", "QoS 2", "topic not UTF-8"],
)
def test_malformed_input_is_a_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        PacketDecoder().feed(data)


def test_a_packet_over_the_limit_is_refused_before_it_is_buffered() -> None:
    with pytest.raises(ProtocolError, match="exceeds the limit"):
        PacketDecoder(max_size=1000).feed(b"\x30" + encode_length(5000))
