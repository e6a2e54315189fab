"""Cloud operations through `tedge-mapper c8y` (a process on a real mosquitto): JSON operations from
c8y/devicecontrol/notifications and SmartREST lines from c8y/s/ds become te/ commands, and the
command's status goes back as 504-506 (501-503 by operation name); capabilities become 114 and
operation files. The probe plays the agent here."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

DEVICE_ID = "dev1"
NOTIFICATIONS = "c8y/devicecontrol/notifications"
RESTART_CMD = "te/device/main///cmd/restart/c8y-mapper-123"


@pytest.fixture
def broker(mosquitto: Any) -> Any:
    return mosquitto


@pytest.fixture
def config(broker: Any, device_config: Callable[..., Path]) -> Path:
    return device_config(broker)


@pytest.fixture
def watch(
    broker: Any, config: Path, start_mapper: Callable[..., Any], probe: Callable[..., Any]
) -> Iterator[Any]:
    start_mapper(config, broker)
    with probe(broker) as opened:
        yield opened


def restart_operation(operation_id: str = "123", **extra: Any) -> dict[str, Any]:
    return {"id": operation_id, "status": "PENDING", "c8y_Restart": {}, "description": "Restart", **extra}


def test_restart_operation_round_trip_with_operation_ids(watch: Any) -> None:
    watch.publish(
        NOTIFICATIONS, restart_operation(externalSource={"externalId": DEVICE_ID, "type": "c8y_Serial"})
    )
    assert watch.expect_json(RESTART_CMD) == {"status": "init"}
    watch.publish(RESTART_CMD, {"status": "executing"}, retain=True)
    watch.expect("c8y/s/us", "504,123")
    watch.publish(RESTART_CMD, {"status": "successful"}, retain=True)
    watch.expect("c8y/s/us", "506,123")
    watch.expect(RESTART_CMD, lambda m: m.payload == b"")  # the mapper clears the finished command


def test_failed_command_reports_the_reason(watch: Any) -> None:
    watch.publish(NOTIFICATIONS, restart_operation("124"))
    watch.expect("te/device/main///cmd/restart/c8y-mapper-124")
    watch.publish("te/device/main///cmd/restart/c8y-mapper-124", {"status": "failed", "reason": "no, thanks"})
    watch.expect("c8y/s/us", '505,124,"no, thanks"')


def test_a_redelivered_operation_runs_once(watch: Any) -> None:
    watch.publish(NOTIFICATIONS, restart_operation("125"))
    watch.expect("te/device/main///cmd/restart/c8y-mapper-125")
    watch.publish(NOTIFICATIONS, restart_operation("125"))  # e.g. after 500
    watch.publish(NOTIFICATIONS, restart_operation("126"))
    watch.expect("te/device/main///cmd/restart/c8y-mapper-126")
    watch.nothing_on("te/device/main///cmd/restart/c8y-mapper-125")


def test_several_operations_in_one_notification(watch: Any) -> None:
    lines = "\n".join(json.dumps(restart_operation(str(n))) for n in (201, 202))
    watch.publish(NOTIFICATIONS, lines.encode())
    watch.expect("te/device/main///cmd/restart/c8y-mapper-201")
    watch.expect("te/device/main///cmd/restart/c8y-mapper-202")


def test_status_by_operation_name_without_operation_ids(
    broker: Any,
    device_config: Callable[..., Path],
    start_mapper: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:
    start_mapper(device_config(broker, **{"c8y.smartrest.use_operation_id": "false"}), broker)
    with probe(broker) as watch:
        watch.publish(NOTIFICATIONS, restart_operation("300"))
        watch.expect("te/device/main///cmd/restart/c8y-mapper-300")
        watch.publish("te/device/main///cmd/restart/c8y-mapper-300", {"status": "executing"})
        watch.expect("c8y/s/us", "501,c8y_Restart")
        watch.publish("te/device/main///cmd/restart/c8y-mapper-300", {"status": "failed", "reason": "boom"})
        watch.expect("c8y/s/us", "502,c8y_Restart,boom")


def test_smartrest_operations_from_s_ds(
    broker: Any, config: Path, start_mapper: Callable[..., Any], probe: Callable[..., Any]
) -> None:
    start_mapper(config, broker, "--operation-source", "smartrest")
    with probe(broker) as watch:
        watch.publish("c8y/s/ds", f"510,{DEVICE_ID}".encode())
        message = next_command(watch, "restart")
        watch.publish(message.topic, {"status": "executing"})
        watch.expect("c8y/s/us", "501,c8y_Restart")
        watch.publish(message.topic, {"status": "successful"})
        watch.expect("c8y/s/us", "503,c8y_Restart")
        watch.publish("c8y/s/ds", b"510,somebody-else")
        assert watch.error_for("c8y/s/ds")["error"] == "unknown-entity"


def next_command(watch: Any, operation: str) -> Any:
    prefix = f"te/device/main///cmd/{operation}/c8y-mapper-"
    for _ in range(50):
        message = watch.client.next_message(timeout=20)
        assert message is not None, "no command"
        if message.topic.startswith(prefix) and message.payload:
            return message
    raise AssertionError(f"no {operation} command")


def test_software_update_operation_and_the_software_list(watch: Any) -> None:
    url = "https://127.0.0.1/inventory/binaries/42"  # on the tenant: fetched through the local proxy
    operation = {"id": "400", "status": "PENDING", "c8y_SoftwareUpdate": [
        {"name": "nginx", "version": "1.24::apt", "action": "install", "url": url},
        {"name": "vim", "version": "9.0", "softwareType": "apt", "action": "delete"},
    ]}  # fmt: skip
    watch.publish(NOTIFICATIONS, operation)
    command = watch.expect_json("te/device/main///cmd/software_update/c8y-mapper-400")
    [group] = command["updateList"]
    assert group["type"] == "apt"
    nginx, vim = group["modules"]
    assert nginx["name"] == "nginx" and nginx["version"] == "1.24" and nginx["action"] == "install"
    assert nginx["url"].endswith("/c8y/inventory/binaries/42") and nginx["url"].startswith(
        "http://127.0.0.1:"
    )
    assert vim == {"name": "vim", "version": "9.0", "action": "remove"}
    watch.publish("te/device/main///cmd/software_update/c8y-mapper-400", {**command, "status": "successful"})
    watch.expect("c8y/s/us", "506,400")
    software_list = next_command(watch, "software_list")
    result = {"status": "successful", "currentSoftwareList": [
        {"type": "apt", "modules": [{"name": "nginx", "version": "1.24"}]}]}  # fmt: skip
    watch.publish(software_list.topic, result)
    update = watch.expect_json(
        f"c8y/inventory/managedObjects/update/{DEVICE_ID}", lambda v: "c8y_SoftwareList" in v
    )
    assert update == {"c8y_SoftwareList": [{"name": "nginx", "version": "1.24", "softwareType": "apt"}]}


def test_capabilities_become_supported_operations_and_files(watch: Any, config: Path) -> None:
    watch.publish("te/device/main///cmd/restart", {}, retain=True)
    watch.expect("c8y/s/us", "114,c8y_Restart")
    assert (config / "operations" / "c8y" / "c8y_Restart").exists()
    watch.publish("te/device/main///cmd/software_update", {"types": ["apt"]}, retain=True)
    watch.expect("c8y/s/us", "114,c8y_Restart,c8y_SoftwareUpdate")
    next_command(watch, "software_list")  # the mapper asks what is installed
    watch.publish("te/device/main///cmd/restart", b"", retain=True)
    watch.expect("c8y/s/us", "114,c8y_SoftwareUpdate")
    assert not (config / "operations" / "c8y" / "c8y_Restart").exists()


def test_custom_operation_files_are_announced_at_startup(
    broker: Any, config: Path, start_mapper: Callable[..., Any], probe: Callable[..., Any]
) -> None:
    (config / "operations" / "c8y").mkdir(parents=True)
    (config / "operations" / "c8y" / "c8y_Command").write_text("")
    with probe(broker, "c8y/s/us") as watch:
        start_mapper(config, broker)
        watch.expect("c8y/s/us", "114,c8y_Command")


def test_operation_files_added_or_removed_later_are_announced(watch: Any, config: Path) -> None:
    operations = config / "operations" / "c8y"
    operations.mkdir(parents=True, exist_ok=True)
    (operations / "c8y_Command").write_text("")
    watch.expect("c8y/s/us", "114,c8y_Command")
    child = operations / f"{DEVICE_ID}:device:child01"  # a child's own operation files
    child.mkdir()
    (child / "c8y_Custom").write_text("")
    watch.publish("te/device/child01//", {"@type": "child-device"}, retain=True)
    watch.expect(f"c8y/s/us/{DEVICE_ID}:device:child01", "114,c8y_Custom")
    (operations / "c8y_Command").unlink()
    watch.expect("c8y/s/us", "114")
    watch.publish("te/device/main/service/tedge-mapper-c8y/signal/sync", "{}")
    watch.expect("c8y/s/us", "114")
    watch.expect(f"c8y/s/us/{DEVICE_ID}:device:child01", "114,c8y_Custom")


def test_disabled_operation_is_not_run(
    broker: Any,
    device_config: Callable[..., Path],
    start_mapper: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:
    start_mapper(device_config(broker, **{"c8y.enable.device_restart": "false"}), broker)
    with probe(broker) as watch:
        watch.publish(NOTIFICATIONS, restart_operation("500"))
        error = watch.error_for(NOTIFICATIONS)
        assert error["error"] == "unsupported-operation" and "c8y.enable.device_restart" in error["message"]


def test_a_child_that_does_not_finish_its_firmware_update_in_time_fails_it(
    broker: Any, device_config: Callable[..., Path], start_mapper: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:  # fmt: skip
    """firmware.child.update.timeout (1 s here): the child never answers; the operation fails and the
    command is cleared."""
    config = device_config(broker, **{"firmware.child.update.timeout": "1s"})
    start_mapper(config, broker)
    with probe(broker) as watch:
        watch.publish("te/device/child01//", {"@type": "child-device"}, retain=True)
        watch.expect("c8y/s/us", lambda m: m.payload.startswith(b"101,dev1:device:child01"))
        firmware = {"name": "core", "version": "2.0", "url": "https://127.0.0.1/inventory/binaries/5"}
        watch.publish(NOTIFICATIONS, {"id": "500", "status": "PENDING", "c8y_Firmware": firmware,
                                      "externalSource": {"externalId": "dev1:device:child01"}})  # fmt: skip
        command = "te/device/child01///cmd/firmware_update/c8y-mapper-500"
        assert watch.expect_json(command)["status"] == "init"
        watch.expect(
            "c8y/s/us/dev1:device:child01",
            "505,500,Timeout due to lack of response from child device: dev1:device:child01 "
            "for firmware: core",
        )
        watch.expect(command, lambda m: m.payload == b"")


def test_a_custom_operation_with_csv_results(
    broker: Any, config: Path, start_mapper: Callable[..., Any], probe: Callable[..., Any]
) -> None:
    """An operation template with result_format = "csv": the command's output fields become the
    fields of 506 (with "text" the whole output is one field)."""
    (config / "operations" / "c8y").mkdir(parents=True)
    (config / "operations" / "c8y" / "c8y_RelayArray").write_text(
        '[exec]\non_fragment = "c8y_RelayArray"\ncommand = "/bin/echo OPEN,CLOSED"\nresult_format = "csv"\n'
    )
    (config / "operations" / "c8y" / "c8y_Relay").write_text(
        '[exec]\non_fragment = "c8y_Relay"\ncommand = "/bin/echo OPEN,CLOSED"\n'
    )
    with probe(broker, "c8y/s/us") as watch:
        start_mapper(config, broker)
        watch.publish(NOTIFICATIONS, {"id": "77", "status": "PENDING", "c8y_RelayArray": ["OPEN", "OPEN"]})
        watch.expect("c8y/s/us", "504,77")
        watch.expect("c8y/s/us", "506,77,OPEN,CLOSED")
        watch.publish(NOTIFICATIONS, {"id": "78", "status": "PENDING", "c8y_Relay": {}})
        watch.expect("c8y/s/us", '506,78,"OPEN,CLOSED"')
