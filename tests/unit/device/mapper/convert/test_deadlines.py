"""firmware.child.update.timeout: a child device's firmware update that has not ended in time fails."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.deadlines import expire_command

if TYPE_CHECKING:
    from conftest import Mapper, MapperFactory

NOTIFICATIONS = "c8y/devicecontrol/notifications"
DEADLINE = "c8y-internal/deadline"
FIRMWARE = {"name": "core", "version": "2.0", "url": "https://t.example/inventory/binaries/5"}
CHILD_CMD = "te/device/child01///cmd/firmware_update/c8y-mapper-31"
REASON = "Timeout due to lack of response from child device: dev1:device:child01 for firmware: core"


def firmware_for(mapper: Mapper, target: str, op_id: str = "31") -> list[Any]:
    operation = {"id": op_id, "status": "PENDING", "externalSource": {"externalId": target},
                 "c8y_Firmware": FIRMWARE}  # fmt: skip
    return mapper.send(NOTIFICATIONS, operation)


def child_mapper(make_mapper: MapperFactory, **config: Any) -> Mapper:
    mapper = make_mapper(**config)
    mapper.send("te/device/child01//", {"@type": "child-device"})
    return mapper


def test_a_child_firmware_update_gets_the_configured_deadline(make_mapper: MapperFactory) -> None:
    mapper = child_mapper(make_mapper, firmware_child_timeout=90.0)
    command, deadline = firmware_for(mapper, "dev1:device:child01")
    assert command.topic == CHILD_CMD and deadline.topic == DEADLINE
    assert json.loads(deadline.payload) | {"smartrestTopic": "-"} == {
        "seconds": 90.0, "operationId": "31", "commandTopic": CHILD_CMD, "fragment": "c8y_Firmware",
        "byId": True, "smartrestTopic": "-", "reason": REASON,
    }  # fmt: skip


def test_the_main_device_has_no_deadline(mapper: Mapper) -> None:
    assert [m.topic for m in firmware_for(mapper, "dev1")] == [
        "te/device/main///cmd/firmware_update/c8y-mapper-31"
    ]


def test_a_running_update_fails_at_its_deadline_and_late_news_are_ignored(make_mapper: MapperFactory) -> None:
    mapper = child_mapper(make_mapper)
    _, deadline = firmware_for(mapper, "dev1:device:child01")
    ctx = Context(mapper.state, mapper.now + timedelta(hours=1), mapper.config)
    failed, cleared = expire_command(json.loads(deadline.payload), ctx)
    assert failed.text == f"505,31,{REASON}" and failed.topic.startswith("c8y/s/us")
    assert (cleared.topic, cleared.payload, cleared.retain) == (CHILD_CMD, b"", True)
    assert mapper.send(CHILD_CMD, {"status": "successful", "name": "core", "version": "2.0"}) == []


def test_an_update_that_ended_in_time_is_left_alone(make_mapper: MapperFactory) -> None:
    mapper = child_mapper(make_mapper)
    _, deadline = firmware_for(mapper, "dev1:device:child01")
    reported = mapper.send(CHILD_CMD, {"status": "failed", "reason": "bad image"})
    assert reported[0].text == "505,31,bad image"
    ctx = Context(mapper.state, mapper.now, mapper.config)
    assert expire_command(json.loads(deadline.payload), ctx) == []


def test_the_setting_reaches_the_mapper_config() -> None:
    from c8ylink.core.settings.resolve import build_settings
    from c8ylink.device.config.settings import TEDGE
    from c8ylink.device.mapper.settings import build_mapper_config

    def timeout(**groups: Any) -> float:
        data = {"device": {"id": "dev1"}, "c8y": {"url": "t.example.com"}} | groups
        settings = build_settings(TEDGE, file_data=data, file_name="tedge.toml", env={}, config_dir="/etc")
        return build_mapper_config(settings).firmware_child_timeout

    assert timeout() == 3600.0
    assert timeout(firmware={"child": {"update": {"timeout": "90s"}}}) == 90.0
