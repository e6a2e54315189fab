"""What a server receives: CONNECT of each protocol version, strict decoding of client packets."""

from __future__ import annotations

import struct

import pytest

from c8ylink.core.errors import MqttProtocolError, UnsupportedProtocol
from c8ylink.core.mqtt.encoders import encode_ack, encode_connack, encode_suback
from c8ylink.core.mqtt.packets import ConnackCode, Publish, Subscribe, Unsubscribe, Will
from c8ylink.core.mqtt.server_decoder import (
    PacketReader,
    decode_connect,
    decode_packet_id,
    decode_publish,
    decode_subscribe,
    decode_unsubscribe,
)
from c8ylink.core.mqtt.wire import PacketType


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("!H", len(raw)) + raw


def _connect_body(level: int = 4, name: str = "MQTT", client_id: str = "dev", flags: int = 0x02) -> bytes:
    return _string(name) + bytes((level, flags)) + struct.pack("!H", 30) + _string(client_id)


def test_connect_versions() -> None:
    assert decode_connect(_connect_body()).client_id == "dev"
    assert decode_connect(_connect_body(3, "MQIsdp")).level == 3
    with pytest.raises(UnsupportedProtocol) as mqtt5:  # answered with CONNACK 1
        decode_connect(_connect_body(5))
    assert mqtt5.value.level == 5
    with pytest.raises(UnsupportedProtocol):
        decode_connect(_connect_body(4, "MQIsdp"))
    with pytest.raises(MqttProtocolError, match="not an MQTT CONNECT"):
        decode_connect(_connect_body(4, "HTTP"))
    with pytest.raises(MqttProtocolError, match="reserved"):
        decode_connect(_connect_body(flags=0x03))


def test_connect_fields_and_a_password_that_is_never_shown() -> None:
    flags = 0x80 | 0x40 | 0x10 | 0x04  # username, password, will QoS 2, will
    body = _connect_body(flags=flags) + _string("w/t") + _string("bye") + _string("t1/u") + _string("secret")
    connect = decode_connect(body)
    assert (connect.keep_alive, connect.clean_session, connect.username, connect.password) == (
        30, False, "t1/u", b"secret"
    )  # fmt: skip
    assert connect.will == Will("w/t", b"bye", 2, False)
    assert "secret" not in repr(connect)
    with pytest.raises(MqttProtocolError, match="will QoS 3"):
        decode_connect(_connect_body(flags=0x18 | 0x04) + _string("w") + _string("x"))


def test_publish_of_each_qos() -> None:
    assert decode_publish(0x01, _string("s/us") + b"100") == Publish("s/us", b"100", 0, True, 0)
    assert decode_publish(0x0C, _string("s/us") + b"\x00\x05100") == Publish(
        "s/us", b"100", 2, False, 5, True
    )


def test_malformed_packets() -> None:
    with pytest.raises(MqttProtocolError, match="QoS 3"):
        decode_publish(0x06, _string("s/us"))
    with pytest.raises(MqttProtocolError, match="packet id 0"):
        decode_publish(0x02, _string("s/us") + b"\x00\x00")
    with pytest.raises(MqttProtocolError):
        decode_publish(0x00, b"\x00\x05s/u")  # topic longer than the packet
    with pytest.raises(MqttProtocolError, match="without topic filters"):
        decode_subscribe(0x02, struct.pack("!H", 1))
    with pytest.raises(MqttProtocolError, match="wrong flags"):
        decode_subscribe(0x00, struct.pack("!H", 1) + _string("s/ds") + b"\x00")
    with pytest.raises(MqttProtocolError, match="bad QoS"):
        decode_subscribe(0x02, struct.pack("!H", 1) + _string("s/ds") + b"\x03")
    with pytest.raises(MqttProtocolError, match="without topic filters"):
        decode_unsubscribe(0x02, struct.pack("!H", 1))
    with pytest.raises(MqttProtocolError, match="wrong size"):
        decode_packet_id(b"\x00\x01\x02")


def test_subscribe_and_unsubscribe() -> None:
    body = struct.pack("!H", 3) + _string("s/ds") + b"\x01" + _string("c8y/#") + b"\x02"
    assert decode_subscribe(0x02, body) == Subscribe(3, (("s/ds", 1), ("c8y/#", 2)))
    assert decode_unsubscribe(0x02, struct.pack("!H", 4) + _string("s/ds")) == Unsubscribe(4, ("s/ds",))


def test_frames_keep_type_and_flags() -> None:
    assert PacketReader().feed(b"\x62\x02\x00\x09\xc0\x00") == [(6, 2, b"\x00\x09"), (12, 0, b"")]


def test_server_answers() -> None:
    assert encode_connack(ConnackCode.NOT_AUTHORIZED) == b"\x20\x02\x00\x05"
    assert encode_connack(0, session_present=True) == b"\x20\x02\x01\x00"
    assert encode_ack(PacketType.PUBREL, 9) == b"\x62\x02\x00\x09"  # PUBREL carries flags 0b0010
    assert encode_ack(PacketType.PUBCOMP, 9) == b"\x70\x02\x00\x09"
    assert encode_suback(1, [0, 0x80]) == b"\x90\x04\x00\x01\x00\x80"
