"""The pure parts of the MQTT endpoint: the packet limit, client ids, SmartREST and availability
(the wire format itself is tested with ``core.mqtt``, tests/unit/core/mqtt)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from c8ylink.core.clock import FixedClock
from c8ylink.core.errors import PacketTooLarge
from c8ylink.core.mqtt.encoders import encode_publish
from c8ylink.core.mqtt.server_decoder import PacketReader
from c8ylink.core.mqtt.wire import encode_frame
from c8ylink.tenant.mqtt.auth import DeviceIdentity, Refused, parse_client_id
from c8ylink.tenant.mqtt.availability import refresh_availability
from c8ylink.tenant.mqtt.endpoint import handle_publish
from c8ylink.tenant.mqtt.listener import CUMULOCITY_MAX_PACKET, MqttListener
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.users import DEVICE


def test_a_frame_over_cumulocitys_limit_is_refused_before_its_body_arrives() -> None:
    """16,184 bytes including the fixed header (cumulocity-api.md §1); the shared framing does the rest."""
    at_limit = encode_frame(0x30, b"x" * (CUMULOCITY_MAX_PACKET - 3))  # 1 + 2 length bytes + body
    assert len(at_limit) == 16_184
    assert PacketReader(CUMULOCITY_MAX_PACKET).feed(at_limit) != []
    with pytest.raises(PacketTooLarge):
        PacketReader(CUMULOCITY_MAX_PACKET).feed(encode_frame(0x30, b"x" * (CUMULOCITY_MAX_PACKET - 2))[:3])
    with pytest.raises(PacketTooLarge):
        PacketReader(CUMULOCITY_MAX_PACKET).feed(encode_publish("s/us", b"x" * 16_200)[:4])
    assert MqttListener().max_packet == CUMULOCITY_MAX_PACKET


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
