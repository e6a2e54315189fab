"""Cloud operations -> te commands -> SmartREST status (tedge.md §6.8)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from c8ylink.device.mapper.config import EnabledOperations, OperationSource, SoftwareManagementApi

if TYPE_CHECKING:
    from conftest import Mapper, MapperFactory

NOTIFICATIONS = "c8y/devicecontrol/notifications"
RESTART_CMD = "te/device/main///cmd/restart/c8y-mapper-123"


def operation(op_id: str = "123", target: str = "dev1", **fragments: Any) -> dict[str, Any]:
    return {"id": op_id, "status": "PENDING", "externalSource": {"externalId": target, "type": "c8y_Serial"},
            **(fragments or {"c8y_Restart": {}})}  # fmt: skip


def test_restart_handshake_with_operation_ids(mapper: Mapper) -> None:
    (command,) = mapper.send(NOTIFICATIONS, operation())
    assert (command.topic, command.text, command.retain) == (RESTART_CMD, '{"status":"init"}', True)
    assert mapper.send(RESTART_CMD, {"status": "init"}) == []
    assert mapper.send(RESTART_CMD, {"status": "scheduled"}) == []
    assert mapper.texts(RESTART_CMD, {"status": "executing"}) == [("c8y/s/us", "504,123")]
    out = mapper.send(RESTART_CMD, {"status": "successful"})
    assert [(m.topic, m.text, m.retain) for m in out] == [
        ("c8y/s/us", "506,123", False),
        (RESTART_CMD, "", True),
    ]
    assert mapper.send(RESTART_CMD, b"", retain=True) == []  # our own clearing comes back


def test_retained_command_is_recognised_after_a_mapper_restart(make_mapper: MapperFactory) -> None:
    restarted = make_mapper()  # a new mapper: its state starts empty
    assert restarted.send(RESTART_CMD, {"status": "restarting"}, retain=True) == []
    assert restarted.send(NOTIFICATIONS, operation()) == []  # the cloud sends the operation again
    out = restarted.send(RESTART_CMD, {"status": "successful"})
    assert [(m.topic, m.text) for m in out] == [("c8y/s/us", "506,123"), (RESTART_CMD, "")]


def test_restart_handshake_without_operation_ids(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(use_operation_id=False)
    mapper.send(NOTIFICATIONS, operation())
    assert mapper.texts(RESTART_CMD, {"status": "executing"}) == [("c8y/s/us", "501,c8y_Restart")]
    assert mapper.texts(RESTART_CMD, {"status": "failed", "reason": "no"})[0] == (
        "c8y/s/us",
        "502,c8y_Restart,no",
    )


def test_failure_reason_is_cut_to_500_bytes(mapper: Mapper) -> None:
    mapper.send(NOTIFICATIONS, operation())
    out = mapper.send(RESTART_CMD, {"status": "failed", "reason": "x" * 600})
    assert out[0].text == "505,123," + "x" * 500


def test_child_operation_goes_to_the_child(mapper: Mapper) -> None:
    mapper.send("te/device/child01//", {"@type": "child-device"})
    (command,) = mapper.send(NOTIFICATIONS, operation(target="dev1:device:child01"))
    assert command.topic == "te/device/child01///cmd/restart/c8y-mapper-123"
    out = mapper.texts(command.topic, {"status": "executing"})
    assert out == [("c8y/s/us/dev1:device:child01", "504,123")]


def test_operation_for_an_unknown_child_is_reported_and_failed(mapper: Mapper) -> None:
    error, failed = mapper.send(NOTIFICATIONS, operation(target="ghost"))
    body = json.loads(error.payload)
    assert (error.topic, body["error"], body["topic"]) == ("te/errors", "unknown-entity", NOTIFICATIONS)
    assert (failed.topic, failed.text) == (
        "c8y/s/us/ghost",
        '505,123,"Operation 123 is for ghost, an entity the mapper does not know"',
    )


def test_redelivered_operation_is_ignored_until_it_expires(mapper: Mapper) -> None:
    assert mapper.send(NOTIFICATIONS, operation())
    assert mapper.send(NOTIFICATIONS, operation()) == []
    mapper.send(RESTART_CMD, {"status": "successful"})
    mapper.now += timedelta(minutes=59)
    assert mapper.send(NOTIFICATIONS, operation()) == []
    mapper.now += timedelta(minutes=2)
    assert mapper.send(NOTIFICATIONS, operation())


def test_finished_operations_are_not_restarted(mapper: Mapper) -> None:
    assert mapper.send(NOTIFICATIONS, operation() | {"status": "SUCCESSFUL"}) == []


def test_several_operations_per_message_and_a_bad_line_does_not_stop_the_rest(mapper: Mapper) -> None:
    payload = "\n".join([json.dumps(operation("1")), "{broken", json.dumps(operation("2")), ""])
    out = mapper.send(NOTIFICATIONS, payload)
    assert [m.topic for m in out] == [
        "te/device/main///cmd/restart/c8y-mapper-1",
        "te/errors",
        "te/device/main///cmd/restart/c8y-mapper-2",
    ]


BAD_OPERATIONS = [
    ("no id", {"c8y_Restart": {}}, "invalid-payload", "no 'id'"),
    ("not an object", [1], "invalid-payload", "an operation must be an object"),
    ("unsupported fragment", operation(c8y_Command={"text": "ls"}), "unsupported-operation",
     "no fragment the mapper handles (fragments: c8y_Command)"),
    ("bad external source", {"id": "1", "c8y_Restart": {}, "externalSource": {"externalId": 5}},
     "invalid-payload", "bad externalSource"),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "kind", "message"), [c[1:] for c in BAD_OPERATIONS],
                         ids=[c[0] for c in BAD_OPERATIONS])  # fmt: skip
def test_bad_operations_are_reported(mapper: Mapper, payload: Any, kind: str, message: str) -> None:
    (error,) = mapper.send(NOTIFICATIONS, payload)
    body = json.loads(error.payload)
    assert (body["error"], body["topic"]) == (kind, NOTIFICATIONS)
    assert message in body["message"]


BAD_SOFTWARE_UPDATES = [
    ("software update not a list", {"name": "x"}, "must be a non-empty list"),
    ("software action unknown", [{"name": "x", "action": "upgrade"}], "action must be install or delete"),
]


@pytest.mark.parametrize(("modules", "message"), [c[1:] for c in BAD_SOFTWARE_UPDATES],
                         ids=[c[0] for c in BAD_SOFTWARE_UPDATES])  # fmt: skip
def test_bad_software_update_fails_in_the_cloud(mapper: Mapper, modules: Any, message: str) -> None:
    error, executing, failed = mapper.send(NOTIFICATIONS, operation("9", c8y_SoftwareUpdate=modules))
    body = json.loads(error.payload)
    assert (error.topic, body["error"], body["topic"]) == ("te/errors", "invalid-payload", NOTIFICATIONS)
    assert message in body["message"]
    assert (executing.topic, executing.text) == ("c8y/s/us", "501,c8y_SoftwareUpdate")
    assert failed.topic == "c8y/s/us"
    assert failed.text.startswith("502,c8y_SoftwareUpdate,") and message in failed.text
    assert mapper.send(NOTIFICATIONS, operation("9", c8y_SoftwareUpdate=modules)) == []  # not again


def test_disabled_operation_is_reported_not_started(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(enable=EnabledOperations(device_restart=False))
    (error,) = mapper.send(NOTIFICATIONS, operation())
    assert "c8y.enable.device_restart is false" in json.loads(error.payload)["message"]


def test_software_update_request(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(c8y_http_host="t1.example.com")
    modules = [
        {"name": "nginx", "version": "1.24", "softwareType": "apt", "action": "install",
         "url": "https://t1.example.com/inventory/binaries/42?x=1"},
        {"name": "vim", "version": "9.0::apt", "action": "delete"},
        {"name": "tool", "version": "", "action": "install", "url": "https://example.org/tool.tgz"},
    ]  # fmt: skip
    (command,) = mapper.send(NOTIFICATIONS, operation("7", c8y_SoftwareUpdate=modules))
    assert command.topic == "te/device/main///cmd/software_update/c8y-mapper-7"
    assert json.loads(command.payload) == {
        "status": "init",
        "updateList": [
            {"type": "apt", "modules": [
                {"name": "nginx", "version": "1.24", "url": "http://127.0.0.1:8001/c8y/inventory/binaries/42?x=1",
                 "action": "install"},
                {"name": "vim", "version": "9.0", "action": "remove"}]},
            {"type": "default", "modules": [
                {"name": "tool", "url": "https://example.org/tool.tgz", "action": "install"}]},
        ],
    }  # fmt: skip


def test_finished_software_update_refreshes_the_software_list(mapper: Mapper) -> None:
    mapper.send(NOTIFICATIONS, operation("7", c8y_SoftwareUpdate=[{"name": "a", "action": "install"}]))
    out = mapper.send("te/device/main///cmd/software_update/c8y-mapper-7", {"status": "successful"})
    assert [m.text for m in out[:2]] == ["506,7", ""]
    assert out[2].topic.startswith("te/device/main///cmd/software_list/c8y-mapper-")


SOFTWARE_LIST = {
    "status": "successful",
    "currentSoftwareList": [
        {"type": "apt", "modules": [{"name": "nginx", "version": "1.24"}, {"name": "vim", "version": "9.0"}]},
        {"type": "docker", "modules": [{"name": "app", "version": "2", "url": "http://x/app"}]},
    ],
}


def test_software_list_legacy_updates_the_managed_object(mapper: Mapper) -> None:
    topic = "te/device/main///cmd/software_list/c8y-mapper-1"
    update, clear = mapper.send(topic, SOFTWARE_LIST)
    assert update.topic == "c8y/inventory/managedObjects/update/dev1"
    assert json.loads(update.payload) == {"c8y_SoftwareList": [
        {"name": "nginx", "version": "1.24", "softwareType": "apt"},
        {"name": "vim", "version": "9.0", "softwareType": "apt"},
        {"name": "app", "version": "2", "softwareType": "docker", "url": "http://x/app"},
    ]}  # fmt: skip
    assert (clear.topic, clear.payload, clear.retain) == (topic, b"", True)


def test_software_list_advanced_uses_140(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(software_management_api=SoftwareManagementApi.ADVANCED)
    out = mapper.texts("te/device/main///cmd/software_list/c8y-mapper-1", SOFTWARE_LIST)
    assert out[0] == ("c8y/s/us", "140,nginx,1.24,apt,,vim,9.0,apt,,app,2,docker,http://x/app")


def test_software_list_advanced_module_without_version(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(software_management_api=SoftwareManagementApi.ADVANCED)
    result = {"status": "successful", "currentSoftwareList": [
        {"type": "debian", "modules": [{"name": "a"}, {"name": "b", "version": "2"}]}]}  # fmt: skip
    out = mapper.texts("te/device/main///cmd/software_list/c8y-mapper-1", result)
    assert out[0] == ("c8y/s/us", "140,a,,debian,,b,2,debian")


def test_commands_started_by_others_are_not_the_mappers_business(mapper: Mapper) -> None:
    assert mapper.send("te/device/main///cmd/restart/local-1", {"status": "executing"}) == []


def test_smartrest_operations_when_configured(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(operation_source=OperationSource.SMARTREST)
    assert mapper.send(NOTIFICATIONS, operation()) == []  # the JSON channel is ignored then
    (command,) = mapper.send("c8y/s/ds", "510,dev1\n106,child1")
    assert command.topic.startswith("te/device/main///cmd/restart/c8y-mapper-")
    assert mapper.texts(command.topic, {"status": "executing"}) == [("c8y/s/us", "501,c8y_Restart")]
    (software,) = mapper.send("c8y/s/ds", "528,dev1,nginx,1.24::apt,,install")
    assert json.loads(software.payload)["updateList"] == [
        {"type": "apt", "modules": [{"name": "nginx", "version": "1.24", "action": "install"}]}
    ]


def test_bad_smartrest_operations_are_reported(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(operation_source=OperationSource.SMARTREST)
    out = mapper.send("c8y/s/ds", '510,ghost\n511,dev1,ls\n510,"broken\n')
    kinds = [json.loads(m.payload)["error"] for m in out]
    assert kinds == ["unknown-entity", "unsupported-operation", "invalid-payload"]
    assert make_mapper().send("c8y/s/ds", "510,dev1") == []  # JSON source: s/ds operations ignored
