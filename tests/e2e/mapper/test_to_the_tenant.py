"""Telemetry and inventory from the device's topics into the tenant, through mapper + bridge: each test
publishes with `tedge mqtt pub` and reads the tenant with `c8y ... list|get` (types are per test: the
module shares one connected device)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.e2e.conftest import DEADLINE, free_port

from .conftest import MAPPER_HEALTH, Connected, eventually

pytestmark = pytest.mark.e2e


def measurements_of(connected: Connected, measurement_type: str, device: str | None = None) -> list[Any]:
    return connected.c8y(
        "measurements", "list", "--device", device or connected.mo_id, "--type", measurement_type
    )


def test_a_measurement_shows_up_as_a_measurement_of_the_device(connected: Connected) -> None:
    connected.pub("te/device/main///m/environment", '{"temperature": 21.3}')
    found = eventually(
        lambda: measurements_of(connected, "environment"),
        "the measurement in the tenant",
    )
    assert [m["temperature"] for m in found] == [{"temperature": {"value": 21.3}}]
    assert found[0]["source"]["id"] == connected.mo_id


def test_a_measurement_with_time_groups_and_units(connected: Connected) -> None:
    meta = '{"voltage": {"unit": "V"}, "current.L1": {"unit": "A"}}'  # dotted: group.series
    connected.pub("te/device/main///m/power/meta", meta, retain=True)
    body = '{"time": "2024-05-06T07:08:09.123Z", "voltage": 229.5, "current": {"L1": 3.25, "L2": 1}}'
    connected.pub("te/device/main///m/power", body)
    found = eventually(
        lambda: measurements_of(connected, "power"),
        "the power measurement",
    )
    assert len(found) == 1
    assert found[0]["time"] == "2024-05-06T07:08:09.123Z"
    assert found[0]["voltage"] == {"voltage": {"value": 229.5, "unit": "V"}}
    assert found[0]["current"] == {"L1": {"value": 3.25, "unit": "A"}, "L2": {"value": 1}}


def events_of(connected: Connected, event_type: str) -> list[Any]:
    return connected.c8y("events", "list", "--device", connected.mo_id, "--type", event_type)


def test_events_plain_and_with_custom_fragments(connected: Connected) -> None:
    connected.pub("te/device/main///e/login_event", '{"text": "A user just logged in"}')  # SmartREST 400
    connected.pub(  # custom fragments: JSON over MQTT
        "te/device/main///e/door",
        '{"text": "Door opened", "time": "2024-01-02T03:04:05Z", "door": {"id": "front", "open": true}}',
    )
    login = eventually(lambda: events_of(connected, "login_event"), "the login event")
    assert [(e["text"], e["source"]["id"]) for e in login] == [("A user just logged in", connected.mo_id)]
    door = eventually(lambda: events_of(connected, "door"), "the door event")
    assert [(e["text"], e["door"]) for e in door] == [("Door opened", {"id": "front", "open": True})]
    assert door[0]["time"] == "2024-01-02T03:04:05.000Z"


def alarms_of(connected: Connected, alarm_type: str, status: str) -> list[Any]:
    return connected.c8y(
        "alarms", "list", "--device", connected.mo_id, "--type", alarm_type, "--status", status
    )


def test_alarms_raised_with_each_severity_then_cleared_by_an_empty_retained_message(
    connected: Connected,
) -> None:
    raised = {
        "e2e_critical": ('{"severity": "critical", "text": "On fire"}', "CRITICAL"),
        "e2e_major": ('{"severity": "major", "text": "Temperature is high"}', "MAJOR"),
        "e2e_minor": ('{"text": "No severity: minor"}', "MINOR"),
        "e2e_warning": ('{"severity": "warning", "text": "Fan", "fan": {"rpm": 80}}', "WARNING"),  # JSON
    }
    for alarm_type, (payload, _) in raised.items():
        connected.pub(f"te/device/main///a/{alarm_type}", payload, retain=True)
    for alarm_type, (_, severity) in raised.items():
        active = eventually(lambda t=alarm_type: alarms_of(connected, t, "ACTIVE"), f"alarm {alarm_type}")
        assert [(a["severity"], a["source"]["id"]) for a in active] == [(severity, connected.mo_id)]
    assert alarms_of(connected, "e2e_warning", "ACTIVE")[0]["fan"] == {"rpm": 80}

    for alarm_type in ("e2e_major", "e2e_warning"):
        connected.pub(f"te/device/main///a/{alarm_type}", "", retain=True)
    for alarm_type in ("e2e_major", "e2e_warning"):
        eventually(lambda t=alarm_type: alarms_of(connected, t, "CLEARED"), f"alarm {alarm_type} cleared")
        assert alarms_of(connected, alarm_type, "ACTIVE") == []
    assert len(alarms_of(connected, "e2e_critical", "ACTIVE")) == 1  # the others stay


def test_twin_updates_change_the_device_managed_object(connected: Connected) -> None:
    connected.pub("te/device/main///twin/device_OS", '{"family": "Debian", "version": "12"}', retain=True)
    connected.pub("te/device/main///twin/e2e_location", '"lab"', retain=True)

    def twin() -> dict[str, Any] | None:
        managed = connected.managed_object()
        return managed if "device_OS" in managed and "e2e_location" in managed else None

    managed = eventually(twin, "the twin fragments on the device")
    assert (managed["device_OS"], managed["e2e_location"]) == ({"family": "Debian", "version": "12"}, "lab")

    connected.pub("te/device/main///twin/e2e_location", "", retain=True)  # empty: the fragment goes
    eventually(lambda: "e2e_location" not in connected.managed_object(), "the fragment to be removed")
    assert connected.managed_object()["device_OS"] == {"family": "Debian", "version": "12"}


def test_a_child_device_registers_under_the_device_and_gets_its_own_data(
    connected: Connected,
) -> None:
    registration = '{"@type": "child-device", "name": "child01", "type": "e2e-child"}'
    connected.pub("te/device/child01//", registration, retain=True)
    connected.pub("te/device/child01///m/environment", '{"temperature": 5.5}')
    connected.pub("te/device/child01///e/child_boot", '{"text": "Child booted"}')  # JSON, externalSource
    connected.pub("te/device/child01///a/child_low_battery", '{"severity": "minor"}', retain=True)
    external_id = f"{connected.device_id}:device:child01"
    identity = eventually(
        lambda: connected.c8y_result("identity", "get", "--name", external_id)[1],
        "the child's external id",
    )[0]
    child_id = str(identity["managedObject"]["id"])
    child = connected.managed_object(child_id)
    assert (child["name"], child["type"]) == ("child01", "e2e-child")
    # upstream's default: the last field of 101 (c8y.smartrest.child_device.create_with_device_marker)
    assert "c8y_IsDevice" not in child
    references = connected.managed_object()["childDevices"]["references"]
    assert child_id in [reference["managedObject"]["id"] for reference in references]
    found = eventually(
        lambda: measurements_of(connected, "environment", child_id),
        "the child's measurement",
    )
    assert [(m["source"]["id"], m["temperature"]) for m in found] == [
        (child_id, {"temperature": {"value": 5.5}})
    ]
    main = measurements_of(connected, "environment")
    assert all(m["temperature"]["temperature"]["value"] != 5.5 for m in main)
    events = eventually(
        lambda: connected.c8y("events", "list", "--device", child_id, "--type", "child_boot"), "child event"
    )
    assert [(e["source"]["id"], e["text"]) for e in events] == [(child_id, "Child booted")]
    alarms = eventually(
        lambda: connected.c8y("alarms", "list", "--device", child_id, "--type", "child_low_battery"),
        "the child's alarm",
    )
    assert [(a["source"]["id"], a["severity"], a["text"]) for a in alarms] == [
        (child_id, "MINOR", "child_low_battery")
    ]


def test_what_happens_while_the_mapper_is_stopped_reaches_the_tenant_when_it_is_back(
    connected: Connected,
) -> None:
    connected.pub("te/device/main///a/e2e_while_down", '{"severity": "major"}', retain=True)
    eventually(lambda: alarms_of(connected, "e2e_while_down", "ACTIVE"), "the alarm raised")
    device = connected.device
    assert device.ctl("stop", "tedge-mapper-c8y").returncode == 0
    assert connected.health(MAPPER_HEALTH)["status"] == "down"
    connected.pub("te/device/main///a/e2e_while_down", "", retain=True)  # cleared while it is down
    connected.pub("te/device/main///m/e2e_while_down", '{"queued": 1}')  # kept by its persistent session
    assert device.ctl("start", "tedge-mapper-c8y").returncode == 0
    eventually(lambda: alarms_of(connected, "e2e_while_down", "CLEARED"), "the alarm cleared")
    stored = eventually(
        lambda: measurements_of(connected, "e2e_while_down"),
        "the measurement published while the mapper was stopped",
    )
    assert [m["queued"] for m in stored] == [{"queued": {"value": 1}}]
    eventually(lambda: connected.health(MAPPER_HEALTH).get("status") == "up", "the mapper up again")


def test_cert_renew_with_the_tenant_ca_goes_through_the_mappers_proxy(connected: Connected) -> None:
    from c8ylink.infra.tls.certs import decode_certificate, signed_by

    device = connected.device
    token_requests = device.start_sub("c8y/s/uat", "-C", "1")  # the proxy asks for a JWT over MQTT
    closed = f"127.0.0.1:{free_port()}"  # not the tenant's mutual-TLS port: no direct device token
    result = device.run("cert", "renew", "--ca", "c8y", env={"TEDGE_C8Y_MTLS": closed})
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("Certificate renewed successfully\n")
    assert token_requests.communicate(timeout=DEADLINE)[0] == "[c8y/s/uat] \n"
    renewed = decode_certificate(Path(f"{device.cert_path}.new").read_bytes())
    assert signed_by(renewed, decode_certificate(connected.api.tenant_ca_pem()))
    assert renewed.public_key().public_numbers() == (  # type: ignore[union-attr]
        decode_certificate(device.cert_path.read_bytes()).public_key().public_numbers()  # type: ignore[union-attr]
    )
