"""One codec, two sides: whatever the client encodes the server decodes to the same packet, and
whatever the server encodes the client decodes to the same packet, however the stream is cut."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.mqtt.client_decoder import PacketDecoder
from c8ylink.core.mqtt.encoders import (
    DISCONNECT_PACKET,
    PINGREQ_PACKET,
    PINGRESP_PACKET,
    encode_ack,
    encode_connack,
    encode_connect,
    encode_puback,
    encode_publish,
    encode_suback,
    encode_subscribe,
    encode_unsubscribe,
)
from c8ylink.core.mqtt.packets import (
    ConnAck,
    ConnackCode,
    Connect,
    PingResp,
    PubAck,
    Publish,
    SubAck,
    Subscribe,
    UnsubAck,
    Unsubscribe,
    Will,
)
from c8ylink.core.mqtt.server_decoder import (
    Frame,
    PacketReader,
    decode_connect,
    decode_packet_id,
    decode_publish,
    decode_subscribe,
    decode_unsubscribe,
)
from c8ylink.core.mqtt.wire import PacketType

from .strategies import cuts, feed_in_pieces, packet_ids, payloads, texts, topics

Encoded = tuple[bytes, object]  # the bytes on the wire, the packet the other side must decode

# -- client -> server ----------------------------------------------------------------------------------


@st.composite
def connects(draw: st.DrawFn) -> Encoded:
    client_id, keepalive, clean = draw(texts), draw(st.integers(0, 65_535)), draw(st.booleans())
    username = draw(st.none() | texts)
    password = draw(st.none() | texts)
    will = draw(st.none() | st.builds(Will, topics, payloads, st.integers(0, 2), st.booleans()))
    data = encode_connect(client_id, keepalive=keepalive, clean_session=clean, username=username,
                          password=password, will=will)  # fmt: skip
    sent_password = password.encode() if username is not None and password is not None else None
    return data, Connect(4, client_id, clean, keepalive, username, sent_password, will)


@st.composite
def client_publishes(draw: st.DrawFn) -> Encoded:
    qos = draw(st.integers(0, 2))
    packet = Publish(draw(topics), draw(payloads), qos, draw(st.booleans()), draw(packet_ids) if qos else 0,
                     draw(st.booleans()))  # fmt: skip
    data = encode_publish(
        packet.topic, packet.payload, packet.qos, packet.retain, packet.packet_id, packet.dup
    )
    return data, packet


@st.composite
def subscribes(draw: st.DrawFn) -> Encoded:
    packet_id = draw(packet_ids)
    filters = draw(st.lists(st.tuples(topics, st.integers(0, 2)), min_size=1, max_size=4))
    return encode_subscribe(packet_id, filters), Subscribe(packet_id, tuple(filters))


@st.composite
def unsubscribes(draw: st.DrawFn) -> Encoded:
    packet_id, filters = draw(packet_ids), draw(st.lists(topics, min_size=1, max_size=4))
    return encode_unsubscribe(packet_id, filters), Unsubscribe(packet_id, tuple(filters))


client_sends = st.one_of(
    connects(), client_publishes(), subscribes(), unsubscribes(),
    packet_ids.map(lambda packet_id: (encode_puback(packet_id), PubAck(packet_id))),
    st.just((PINGREQ_PACKET, PacketType.PINGREQ)), st.just((DISCONNECT_PACKET, PacketType.DISCONNECT)),
)  # fmt: skip


def server_decode(frame: Frame) -> object:
    """The packet a server reads from a frame (the tenant's session dispatches the same way)."""
    packet_type, flags, body = frame
    if packet_type == PacketType.CONNECT:
        return decode_connect(body)
    if packet_type == PacketType.PUBLISH:
        return decode_publish(flags, body)
    if packet_type == PacketType.SUBSCRIBE:
        return decode_subscribe(flags, body)
    if packet_type == PacketType.UNSUBSCRIBE:
        return decode_unsubscribe(flags, body)
    if packet_type == PacketType.PUBACK:
        return PubAck(decode_packet_id(body))
    assert (flags, body) == (0, b"")
    return PacketType(packet_type)


@given(sent=st.lists(client_sends, min_size=1, max_size=8), at=cuts)
def test_what_the_client_encodes_the_server_decodes(sent: list[Encoded], at: list[int]) -> None:
    stream = b"".join(data for data, _ in sent)
    frames = feed_in_pieces(PacketReader().feed, stream, at)
    assert [server_decode(frame) for frame in frames] == [packet for _, packet in sent]


@given(sent=client_publishes())
def test_a_publish_the_server_decoded_encodes_to_the_same_bytes(sent: Encoded) -> None:
    data, _ = sent
    ((_, flags, body),) = PacketReader().feed(data)
    packet = decode_publish(flags, body)
    assert encode_publish(packet.topic, packet.payload, packet.qos, packet.retain, packet.packet_id,
                          packet.dup) == data  # fmt: skip


# -- server -> client ----------------------------------------------------------------------------------


@st.composite
def connacks(draw: st.DrawFn) -> Encoded:
    code, present = draw(st.sampled_from(ConnackCode)), draw(st.booleans())
    return encode_connack(code, session_present=present), ConnAck(present, code)


@st.composite
def server_publishes(draw: st.DrawFn) -> Encoded:
    """What the tenant sends: never retained, QoS 0 or 1 (what a client of the services subscribes)."""
    qos = draw(st.integers(0, 1))
    packet = Publish(draw(topics), draw(payloads), qos, False, draw(packet_ids) if qos else 0)
    return encode_publish(packet.topic, packet.payload, packet.qos, False, packet.packet_id), packet


@st.composite
def subacks(draw: st.DrawFn) -> Encoded:
    packet_id = draw(packet_ids)
    codes = draw(st.lists(st.sampled_from([0, 1, 2, 0x80]), min_size=1, max_size=4))
    return encode_suback(packet_id, codes), SubAck(packet_id, tuple(codes))


server_sends = st.one_of(
    connacks(), server_publishes(), subacks(),
    packet_ids.map(lambda packet_id: (encode_ack(PacketType.PUBACK, packet_id), PubAck(packet_id))),
    packet_ids.map(lambda packet_id: (encode_puback(packet_id), PubAck(packet_id))),
    packet_ids.map(lambda packet_id: (encode_ack(PacketType.UNSUBACK, packet_id), UnsubAck(packet_id))),
    st.just((PINGRESP_PACKET, PingResp())),
)  # fmt: skip


@given(sent=st.lists(server_sends, min_size=1, max_size=8), at=cuts)
def test_what_the_server_encodes_the_client_decodes(sent: list[Encoded], at: list[int]) -> None:
    stream = b"".join(data for data, _ in sent)
    assert feed_in_pieces(PacketDecoder().feed, stream, at) == [packet for _, packet in sent]
