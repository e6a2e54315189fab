"""Service health -> 102 on the parent's topic; bridge up -> 500; availability heartbeats (tedge.md §6)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from c8ylink.device.mapper.convert.health import build_heartbeats, build_mapper_health, heartbeat_seconds

if TYPE_CHECKING:
    from conftest import Mapper, MapperFactory

CASES = [
    ("json up", '{"status":"up","pid":42}', "up"),
    ("json down", '{"status":"down"}', "down"),
    ("mosquitto 1", "1", "up"),
    ("mosquitto 0", "0", "down"),
    ("no status", '{"pid":42}', "unknown"),
]


@pytest.mark.parametrize(("payload", "status"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_service_health_is_upserted_with_102(mapper: Mapper, payload: str, status: str) -> None:
    mapper.send("te/device/main/service/app", {"@type": "service", "type": "systemd", "name": "App"})
    assert mapper.texts("te/device/main/service/app/status/health", payload) == [
        ("c8y/s/us", f"102,dev1:device:main:service:app,systemd,App,{status}")
    ]


def test_service_of_a_child_reports_on_the_child_topic(mapper: Mapper) -> None:
    out = mapper.texts("te/device/child01/service/app/status/health", '{"status":"down"}')
    assert out[-1] == ("c8y/s/us/dev1:device:child01", "102,dev1:device:child01:service:app,service,app,down")


def test_device_health_is_not_mapped(mapper: Mapper) -> None:
    assert mapper.send("te/device/main///status/health", '{"status":"up"}') == []


@pytest.mark.parametrize("service", ["mosquitto-c8y-bridge", "tedge-mapper-bridge-c8y"])
def test_bridge_coming_up_fetches_pending_operations(mapper: Mapper, service: str) -> None:
    out = mapper.texts(f"te/device/main/service/{service}/status/health", "1")
    assert out[-1] == ("c8y/s/us", "500")
    assert ("c8y/s/us", "500") not in mapper.texts(f"te/device/main/service/{service}/status/health", "0")


def test_heartbeats_only_for_devices_whose_agent_is_up(make_mapper: MapperFactory) -> None:
    mapper = make_mapper()
    mapper.send("te/device/child01//", {"@type": "child-device"})
    assert build_heartbeats(mapper.state, mapper.config) == []
    mapper.send("te/device/main/service/tedge-agent/status/health", '{"status":"up"}')
    mapper.send("te/device/child01/service/tedge-agent/status/health", '{"status":"down"}')
    beats = build_heartbeats(mapper.state, mapper.config)
    assert [(m.topic, m.text) for m in beats] == [("c8y/inventory/managedObjects/update/dev1", "{}")]
    disabled = make_mapper(availability_enabled=False)
    disabled.send("te/device/main/service/tedge-agent/status/health", '{"status":"up"}')
    assert build_heartbeats(disabled.state, disabled.config) == []


def test_bad_health_is_reported(mapper: Mapper) -> None:
    (error,) = mapper.send("te/device/main/service/app/status/health", "{bad")[-1:]
    assert error.topic == "te/errors"


def test_mapper_health_message(mapper: Mapper) -> None:
    up = build_mapper_health(mapper.config, "up", 42, mapper.now)
    assert (up.topic, up.retain) == ("te/device/main/service/tedge-mapper-c8y/status/health", True)
    assert up.text == '{"status":"up","pid":42,"time":1767268800.0}'
    assert build_mapper_health(mapper.config, "down", 42).text == '{"status":"down","pid":42}'


def test_heartbeats_go_out_every_half_availability_interval(make_mapper: MapperFactory) -> None:
    assert heartbeat_seconds(make_mapper().config) == 30 * 60  # c8y.availability.interval = 60m
    assert heartbeat_seconds(make_mapper(availability_interval_minutes=5).config) == 150
    assert heartbeat_seconds(make_mapper(availability_enabled=False).config) == 0


def test_empty_service_type_falls_back_to_service(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(service_type="")
    mapper.send("te/device/main/service/app", {"@type": "service"})
    out = mapper.texts("te/device/main/service/app/status/health", '{"status":"up"}')
    assert out == [("c8y/s/us", "102,dev1:device:main:service:app,service,app,up")]


def test_mapper_health_time_follows_service_timestamp_format(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(timestamp_format="rfc-3339")
    up = build_mapper_health(mapper.config, "up", 42, mapper.now)
    assert up.text == '{"status":"up","pid":42,"time":"2026-01-01T12:00:00.000Z"}'
