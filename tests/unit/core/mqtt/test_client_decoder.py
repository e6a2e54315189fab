"""What the services' client receives and sends: the broker's packets, CONNECT, malformed input."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import PacketTooLarge, ProtocolError
from c8ylink.core.mqtt.client_decoder import PacketDecoder
from c8ylink.core.mqtt.encoders import encode_connect, encode_puback, encode_publish, encode_subscribe
from c8ylink.core.mqtt.packets import (
    ConnAck,
    PingResp,
    PubAck,
    PubComp,
    Publish,
    PubRec,
    PubRel,
    SubAck,
    UnsubAck,
    Will,
)
from c8ylink.core.mqtt.wire import encode_length


def test_control_packets_from_the_broker() -> None:
    stream = (b"\x20\x02\x01\x00" + b"\x40\x02\x00\x07" + b"\x90\x04\x00\x09\x01\x80" + b"\xb0\x02\x00\x0a"
              + b"\xd0\x00")  # fmt: skip
    assert PacketDecoder().feed(stream) == [
        ConnAck(True, 0), PubAck(7), SubAck(9, (1, 0x80)), UnsubAck(10), PingResp()
    ]  # fmt: skip


def test_the_qos_2_exchange_from_the_broker() -> None:
    stream = b"\x34\x06\x00\x01t\x00\x03x" + b"\x50\x02\x00\x04" + b"\x62\x02\x00\x03" + b"\x70\x02\x00\x04"
    assert PacketDecoder().feed(stream) == [Publish("t", b"x", 2, False, 3), PubRec(4), PubRel(3), PubComp(4)]


def test_a_publish_keeps_its_flags() -> None:
    packet = b"\x3b\x08\x00\x01t\x01\x02pay"  # QoS 1, retain, dup, packet id 258
    assert PacketDecoder().feed(packet) == [Publish("t", b"pay", 1, True, 258, True)]


def test_connect_carries_will_and_credentials() -> None:
    packet = encode_connect("tedge-agent", keepalive=30, clean_session=False, username="u", password="p",
                            will=Will("health", b"down", qos=1, retain=True))  # fmt: skip
    assert packet[2:9] == b"\x00\x04MQTT\x04"  # after the fixed header: protocol name and level
    flags = packet[9]
    assert flags == 0x80 | 0x40 | 0x20 | 0x08 | 0x04
    assert packet.endswith(b"\x00\x01u\x00\x01p")
    assert encode_puback(258) == b"\x40\x02\x01\x02"


def test_a_password_without_a_username_is_not_sent() -> None:
    assert encode_connect("c", password="p") == encode_connect("c")


def test_encoders_refuse_what_mqtt_cannot_carry() -> None:
    with pytest.raises(ProtocolError):
        encode_subscribe(1, [])
    with pytest.raises(ValueError, match="packet id"):
        encode_publish("t", b"", 1)


@pytest.mark.parametrize(
    "data",
    [b"\x30\xff\xff\xff\xff\x01", b"\x10\x00", b"\x60\x00", b"\x34\x03\x00\x01t",
     b"\x36\x05\x00\x01t\x00\x01", b"\x30\x04\x00\x02\xff\xfe", b"\x30\x03\x00\x05t", b"\x32\x03\x00\x01t",
     b"\x40\x01\x00", b"\x20\x01\x00", b"\x30\x01\x00"],
    ids=["remaining length over 4 bytes", "unexpected packet type", "short PUBREL", "QoS 2 without packet id",
         "QoS 3", "topic not UTF-8", "topic longer than the packet", "QoS 1 without packet id",
         "short PUBACK", "short CONNACK", "PUBLISH without topic length"],
)  # fmt: skip
def test_malformed_input_is_a_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        PacketDecoder().feed(data)


def test_a_packet_over_the_limit_is_refused_before_it_is_buffered() -> None:
    with pytest.raises(PacketTooLarge, match="exceeds the limit"):
        PacketDecoder(max_size=1000).feed(b"\x30" + encode_length(5000))
