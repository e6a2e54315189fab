"""`tedge-mapper c8y` as a process between a real mosquitto's te/ topics and the bridged c8y/ topics:
startup, telemetry, inventory, health, shutdown, and every listed kind of bad input (each reported on
te/errors with the offending topic while the mapper keeps going)."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

DEVICE_ID = "dev1"  # what device_config sets
HEALTH = "te/device/main/service/tedge-mapper-c8y/status/health"
MEASUREMENTS = "c8y/measurement/measurements/create"


@pytest.fixture
def broker(mosquitto: Any) -> Any:
    return mosquitto


@pytest.fixture
def mapper(broker: Any, device_config: Callable[..., Path], start_mapper: Callable[..., Any]) -> Any:
    return start_mapper(device_config(broker), broker)


@pytest.fixture
def watch(broker: Any, mapper: Any, probe: Callable[..., Any]) -> Iterator[Any]:
    with probe(broker) as opened:
        yield opened


# ------------------------------------------------------------------------------------------- lifecycle


def test_startup_announces_the_device_and_asks_for_pending_operations(
    broker: Any,
    device_config: Callable[..., Path],
    start_service: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:
    config = device_config(broker, **{"device.type": "gateway", "c8y.availability.interval": "30m"})
    with probe(broker) as watch:
        mapper = start_service("tedge-mapper", "--config-dir", str(config), "c8y")
        health = watch.expect_json(HEALTH)
        assert health["status"] == "up" and health["pid"] == mapper.process.pid
        inventory = watch.expect_json(
            f"c8y/inventory/managedObjects/update/{DEVICE_ID}", lambda v: "type" in v
        )
        assert inventory["type"] == "gateway"
        assert inventory["c8y_Agent"]["name"] == "thin-edge.io"
        watch.expect("c8y/s/us", "114")  # nothing announced yet
        watch.expect("c8y/s/us", "117,30")
        watch.expect("c8y/s/us", "500")
        # the mapper registers itself as a service of the device
        watch.expect(
            "c8y/s/us", f"102,{DEVICE_ID}:device:main:service:tedge-mapper-c8y,service,tedge-mapper-c8y,up"
        )


def test_sigterm_stops_cleanly_with_health_down(mapper: Any, watch: Any) -> None:
    assert mapper.stop(signal.SIGTERM) == 0
    assert watch.expect_json(HEALTH, lambda v: v["status"] == "down")["pid"] == mapper.process.pid
    assert "Traceback" not in mapper.output


def test_a_crash_leaves_the_last_will(
    mapper: Any, watch: Any, broker: Any, probe: Callable[..., Any]
) -> None:
    mapper.stop(signal.SIGKILL)
    down = {"status": "down", "pid": mapper.process.pid}
    assert watch.expect_json(HEALTH, lambda v: v["status"] == "down") == down
    with probe(broker, HEALTH) as late:  # retained for whoever looks later
        message = late.expect(HEALTH)
    assert message.retain and json.loads(message.payload) == down


def test_retained_health_is_up_for_late_subscribers(
    mapper: Any, broker: Any, probe: Callable[..., Any]
) -> None:
    with probe(broker, HEALTH) as late:
        message = late.expect(HEALTH)
    assert message.retain and json.loads(message.payload)["status"] == "up"


def test_invalid_settings_stop_the_mapper_with_a_readable_error(
    broker: Any, device_config: Callable[..., Path], start_service: Callable[..., Any]
) -> None:
    config = device_config(broker)
    (config / "tedge.toml").write_text((config / "tedge.toml").read_text().replace('url = "127.0.0.1"\n', ""))
    mapper = start_service("tedge-mapper", "--config-dir", str(config), "c8y")
    assert mapper.process.wait(20) == 1
    assert mapper.output.startswith("Error: failed to start tedge-mapper c8y")
    assert "c8y.url" in mapper.output and "Traceback" not in mapper.output


# ------------------------------------------------------------------------------------------- telemetry


def test_measurement_with_units_from_metadata(watch: Any) -> None:
    watch.publish("te/device/main///m/environment/meta", {"temperature": {"unit": "°C"}}, retain=True)
    watch.publish("te/device/main///m/environment", {"temperature": 21.3, "time": "2026-01-01T10:00:00Z"})
    body = watch.expect_json(MEASUREMENTS)
    assert body == {"type": "environment", "time": "2026-01-01T10:00:00Z",
                    "temperature": {"temperature": {"value": 21.3, "unit": "°C"}}}  # fmt: skip


def test_events_alarms_and_twin(watch: Any) -> None:
    watch.publish("te/device/main///e/login", {"text": "user logged in", "time": "2026-01-01T10:00:00Z"})
    watch.expect("c8y/s/us", "400,login,user logged in,2026-01-01T10:00:00Z")  # quoted only when needed
    alarm = {"severity": "major", "text": "too hot", "time": "2026-01-01T10:00:00Z"}
    watch.publish("te/device/main///a/temperature_high", alarm, retain=True)
    watch.expect("c8y/s/us", "302,temperature_high,too hot,2026-01-01T10:00:00Z")
    watch.publish("te/device/main///a/temperature_high", b"", retain=True)
    watch.expect("c8y/s/us", "306,temperature_high")
    watch.publish("te/device/main///twin/maintenance", {"mode": "on"}, retain=True)
    update = watch.expect_json(
        f"c8y/inventory/managedObjects/update/{DEVICE_ID}", lambda v: "maintenance" in v
    )
    assert update == {"maintenance": {"mode": "on"}}


def test_child_device_registration_and_its_telemetry(watch: Any) -> None:
    watch.publish(
        "te/device/child01//", {"@type": "child-device", "name": "Child 1", "type": "sensor"}, retain=True
    )
    watch.expect("c8y/s/us", f"101,{DEVICE_ID}:device:child01,Child 1,sensor,false")
    watch.publish("te/device/child01///m/", {"pressure": 1013})
    body = watch.expect_json(MEASUREMENTS, lambda v: "pressure" in v)
    assert body["externalSource"] == {"externalId": f"{DEVICE_ID}:device:child01", "type": "c8y_Serial"}
    assert body["type"] == "ThinEdgeMeasurement"


def test_service_health(watch: Any) -> None:
    watch.publish("te/device/main/service/nodered/status/health", {"status": "down"}, retain=True)
    watch.expect("c8y/s/us", f"102,{DEVICE_ID}:device:main:service:nodered,service,nodered,down")


# ------------------------------------------------------------------------------------------- bad input


BAD_INPUTS = [
    pytest.param("te/device/main///m/env", b"{not json", "invalid-json", id="non-JSON"),
    pytest.param("te/device/main///m/env", b'["a", "list"]', "invalid-payload", id="wrong shape"),
    pytest.param("te/device/main///m/env", b'{"temperature": "hot"}', "invalid-payload", id="non-numeric"),
    pytest.param("te/device/main///m/env", b'{"temperature": true}', "invalid-payload", id="boolean value"),
    pytest.param("te/device/main///e/x", b'{"time": "soon"}', "invalid-timestamp", id="invalid timestamp"),
    pytest.param("te/device/main///m/env", b'{"t": 1, "time": "2026-13-01T00:00:00Z"}', "invalid-timestamp",
                 id="impossible date"),
    pytest.param("te/device/main///twin/x", b"\xff\xfe", "invalid-json", id="not UTF-8"),
    pytest.param("te/device/main///m/env", b'{"t": 1}'.ljust(20_000), "payload-too-large", id="oversize"),
    pytest.param("te/device/main///cmd/", b"{}", "invalid-topic", id="unknown channel"),
    pytest.param("te//main//", b'{"@type": "child-device"}', "invalid-topic", id="malformed entity topic"),
    pytest.param("te/device/x//", b'{"@type": "robot"}', "invalid-registration", id="bad registration"),
]  # fmt: skip


@pytest.mark.parametrize(("topic", "payload", "kind"), BAD_INPUTS)
def test_bad_input_is_reported_on_te_errors_and_the_mapper_goes_on(
    watch: Any, mapper: Any, topic: str, payload: bytes, kind: str
) -> None:
    watch.client.publish(topic, payload, qos=1)
    error = watch.error_for(topic)
    assert error["error"] == kind and error["message"]
    watch.publish("te/device/main///m/after", {"ok": 1})
    watch.expect_json(MEASUREMENTS, lambda v: v["type"] == "after")
    assert mapper.process.poll() is None


def test_data_of_an_unknown_entity_waits_for_its_registration(watch: Any) -> None:
    """Outside the default topic scheme nothing can be made up: the data waits for the registration."""
    watch.publish("te/factory/line1/robot/arm/m/torque", {"torque": 7.5})
    watch.publish("te/device/main///m/marker", {"m": 1})
    watch.expect_json(MEASUREMENTS, lambda v: v["type"] == "marker")
    watch.nothing_on(MEASUREMENTS)
    watch.publish("te/factory/line1/robot/arm", {"@type": "child-device", "@id": "robot-arm"}, retain=True)
    watch.expect("c8y/s/us", "101,robot-arm,robot-arm,thin-edge.io-child,false")
    body = watch.expect_json(MEASUREMENTS, lambda v: v["type"] == "torque")
    assert body["externalSource"]["externalId"] == "robot-arm"


def test_unknown_entities_without_auto_registration_overflow_the_buffer(
    broker: Any,
    device_config: Callable[..., Path],
    start_mapper: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:
    start_mapper(device_config(broker, **{"agent.entity_store.auto_register": "false"}), broker)
    with probe(broker) as watch:
        for index in range(101):  # the early-message buffer holds 100
            watch.publish("te/device/ghost///m/env", {"n": index})
        error = watch.error_for("te/device/ghost///m/env")
        assert error["error"] == "message-dropped"
        watch.nothing_on(MEASUREMENTS)


def test_max_payload_size_follows_the_setting(
    broker: Any,
    device_config: Callable[..., Path],
    start_mapper: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:
    start_mapper(device_config(broker, **{"c8y.mapper.mqtt.max_payload_size": "100"}), broker)
    with probe(broker) as watch:
        watch.publish("te/device/main///m/env", {"temperature": 1.5, "label": "x" * 100})
        assert "100 bytes" in watch.error_for("te/device/main///m/env")["message"]
        watch.publish("te/device/main///m/env", {"t": 1})
        watch.expect_json(MEASUREMENTS)


def test_operation_for_an_unknown_child_fails_it_in_the_cloud(watch: Any) -> None:
    operation = {"id": "77", "status": "PENDING", "c8y_Restart": {},
                 "externalSource": {"externalId": "nobody", "type": "c8y_Serial"}}  # fmt: skip
    watch.publish("c8y/devicecontrol/notifications", operation)
    error = watch.error_for("c8y/devicecontrol/notifications")
    assert error["error"] == "unknown-entity" and "nobody" in error["message"]
    assert watch.expect("c8y/s/us/nobody").text.startswith("505,77,")


# ------------------------------------------------------------------------------------------- resilience


def test_the_mapper_reconnects_when_the_broker_comes_back(
    broker: Any, mapper: Any, probe: Callable[..., Any]
) -> None:
    broker.stop()
    broker.start()  # same port and configuration
    with probe(broker) as watch:
        watch.expect("c8y/s/us", "500")  # startup messages again once reconnected
        watch.publish("te/device/main///m/back", {"v": 1})
        watch.expect_json(MEASUREMENTS, lambda v: v["type"] == "back")
    assert mapper.process.poll() is None
    assert "reconnecting" in mapper.output or "retrying" in mapper.output


def test_messages_sent_while_the_mapper_was_stopped_are_converted_when_it_returns(
    broker: Any,
    device_config: Callable[..., Path],
    start_mapper: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:
    config = device_config(broker)
    first = start_mapper(config, broker)
    assert first.stop() == 0
    with probe(broker) as watch:
        watch.publish("te/device/main///m/offline", {"v": 2})  # kept for the mapper's persistent session
        start_mapper(config, broker)
        watch.expect_json(MEASUREMENTS, lambda v: v["type"] == "offline")


def test_a_cloud_profile_has_its_own_topics_and_health(
    broker: Any,
    device_config: Callable[..., Path],
    start_service: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:
    config = device_config(broker)
    with (config / "tedge.toml").open("a") as toml:
        toml.write('[c8y.profiles.second]\nurl = "127.0.0.1"\n[c8y.profiles.second.bridge]\n'
                   'topic_prefix = "c8y-second"\n[c8y.profiles.second.proxy.bind]\nport = 0\n')  # fmt: skip
    with probe(broker) as watch:
        start_service("tedge-mapper", "--config-dir", str(config), "c8y", "--profile", "second")
        watch.expect("c8y-second/s/us", "500")
        health = watch.expect_json("te/device/main/service/tedge-mapper-c8y-second/status/health")
        assert health["status"] == "up"
        watch.publish("te/device/main///m/profiled", {"v": 3})
        watch.expect_json("c8y-second/measurement/measurements/create", lambda v: v["type"] == "profiled")
        watch.nothing_on(MEASUREMENTS)
