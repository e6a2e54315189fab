"""The pure parts of the MQTT endpoint: packet framing, client ids, SmartREST and availability."""

from __future__ import annotations

import struct
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.clock import FixedClock
from c8ylink.tenant.mqtt.auth import DeviceIdentity, Refused, parse_client_id
from c8ylink.tenant.mqtt.availability import refresh_availability
from c8ylink.tenant.mqtt.endpoint import handle_publish
from c8ylink.tenant.mqtt.packets import (
    MqttProtocolError,
    PacketReader,
    PacketTooLarge,
    UnsupportedProtocol,
    decode_connect,
    decode_publish,
    decode_subscribe,
    encode_publish,
)
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.users import DEVICE


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("!H", len(raw)) + raw


def _connect_body(level: int = 4, name: str = "MQTT", client_id: str = "dev", flags: int = 0x02) -> bytes:
    return _string(name) + bytes((level, flags)) + struct.pack("!H", 30) + _string(client_id)


@given(st.binary(max_size=3000), st.integers(min_value=1, max_value=97))
def test_framing_is_independent_of_how_bytes_arrive(payload: bytes, chunk: int) -> None:
    stream = encode_publish("s/us", payload, qos=1, packet_id=7) * 2
    reader = PacketReader(max_size=10_000)
    frames = []
    for start in range(0, len(stream), chunk):
        frames += reader.feed(stream[start : start + chunk])
    assert [decode_publish(flags, body).payload for _, flags, body in frames] == [payload, payload]


def test_a_frame_over_the_limit_is_refused_before_its_body_arrives() -> None:
    header = encode_publish("s/us", b"x" * 16_200)[:4]
    with pytest.raises(PacketTooLarge):
        PacketReader().feed(header)
    assert PacketReader().feed(encode_publish("s/us", b"x" * 16_000)) != []


def test_connect_versions() -> None:
    assert decode_connect(_connect_body()).client_id == "dev"
    assert decode_connect(_connect_body(3, "MQIsdp")).level == 3
    with pytest.raises(UnsupportedProtocol):
        decode_connect(_connect_body(5))
    with pytest.raises(MqttProtocolError):
        decode_connect(_connect_body(4, "HTTP"))
    with pytest.raises(MqttProtocolError):
        decode_connect(_connect_body(flags=0x03))  # reserved bit


def test_malformed_packets() -> None:
    with pytest.raises(MqttProtocolError):
        decode_publish(0x06, _string("s/us"))  # QoS 3
    with pytest.raises(MqttProtocolError):
        decode_subscribe(0x02, struct.pack("!H", 1))  # no filters
    with pytest.raises(MqttProtocolError):
        decode_publish(0x00, b"\x00\x05s/u")  # topic longer than the packet


@pytest.mark.parametrize(
    ("client_id", "expected"),
    [("abc", ("d", "abc", None)), ("d:abc", ("d", "abc", None)), ("d:abc:tpl", ("d", "abc", "tpl")),
     ("abc:tpl", ("d", "abc", "tpl"))],
)  # fmt: skip
def test_client_ids(client_id: str, expected: tuple[str, str, str | None]) -> None:
    parsed = parse_client_id(client_id)
    assert (parsed.connection_type, parsed.serial, parsed.template_xid) == expected


@pytest.mark.parametrize("client_id", ["", "a/b", "a b", "a#", "a+", "a:b:c:d", "a::b", "tab\there", "x\x00"])
def test_invalid_client_ids_are_rejected_with_2(client_id: str) -> None:
    with pytest.raises(Refused) as refused:
        parse_client_id(client_id)
    assert refused.value.code == 2


def _device(serial: str = "dev1") -> DeviceIdentity:
    principal = Principal("t100", f"device_{serial}", frozenset({DEVICE}), "certificate")
    return DeviceIdentity(serial, serial, None, principal, "certificate", "fp")


def _publish(state: TenantState, payload: str, topic: str = "s/us") -> list[tuple[str, str]]:
    return [(t, p.decode()) for t, p in handle_publish(state, _device(), topic, payload.encode())]


def test_lines_are_applied_in_order_and_errors_do_not_stop_the_rest(state: TenantState) -> None:
    replies = _publish(state, "100,Dev\n999\n101,child1,Kid\n105\n123\n301,c8y_Heat\n301,c8y_Heat,again")
    assert replies[0] == ("s/e", "43,999,No static template for message id 999")
    assert replies[1] == ("s/ds", "106,child1")
    assert replies[2][0] == "s/ds" and replies[2][1].startswith("124,")
    alarms = state.alarms.select(Criteria())
    assert len(alarms) == 1 and alarms[0]["count"] == 2 and alarms[0]["severity"] == "CRITICAL"
    assert _publish(state, "101,child1,Kid") == []  # idempotent
    assert _publish(state, "104,up") == [
        ("s/e", "41,104,104 updates a service: publish it on s/us/<serviceId>")
    ]


def test_required_availability_is_set_once_and_drives_the_status(
    state: TenantState, clock: FixedClock
) -> None:
    _publish(state, "100\n117,10\n117,99\n125")
    device = state.identity.find("c8y_Serial", "dev1")
    assert device is not None
    document = state.inventory.get(device.object_id)
    assert document["c8y_RequiredAvailability"] == {"responseInterval": 10}
    assert document["c8y_Availability"]["status"] == "AVAILABLE"
    assert refresh_availability(state, clock.now() + timedelta(minutes=5)) == []
    assert refresh_availability(state, clock.now() + timedelta(minutes=11)) == [device.object_id]
    assert state.inventory.get(device.object_id)["c8y_Availability"]["status"] == "UNAVAILABLE"


def test_a_device_cannot_write_to_another_devices_child(state: TenantState) -> None:
    _publish(state, "100\n101,shared-child")
    other = DeviceIdentity(
        "dev2", "dev2", None, Principal("t100", "device_dev2", frozenset({DEVICE}), "x"), "x"
    )
    replies = handle_publish(state, other, "s/us/shared-child", b"200,c8y_T,T,1")
    assert replies[0][0] == "s/e" and b"not a child of" in replies[0][1]
