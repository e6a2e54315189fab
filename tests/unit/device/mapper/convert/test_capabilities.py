"""Operation capabilities (te/<entity>/cmd/<op>) -> 114, 118, 119; feature flags (tedge.md §6.8)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from c8ylink.core.topics import EntityTopicId
from c8ylink.device.mapper.config import EnabledOperations
from c8ylink.device.mapper.convert.capabilities import OPERATIONS, OperationSpec, apply_operation_files
from c8ylink.device.mapper.converter import build_startup_messages

if TYPE_CHECKING:
    from conftest import Mapper, MapperFactory


@pytest.mark.parametrize("spec", OPERATIONS, ids=[s.command for s in OPERATIONS])
def test_each_operation_maps_to_its_cumulocity_name(mapper: Mapper, spec: OperationSpec) -> None:
    out = mapper.texts(f"te/device/main///cmd/{spec.command}", {})
    assert out[0] == ("c8y/s/us", f"114,{spec.fragment}")


def test_114_lists_every_operation_of_the_entity(mapper: Mapper) -> None:
    mapper.send("te/device/main///cmd/restart", {})
    out = mapper.texts("te/device/main///cmd/firmware_update", {})
    assert out == [("c8y/s/us", "114,c8y_Firmware,c8y_Restart")]


def test_repeated_capability_changes_nothing_and_empty_payload_withdraws(mapper: Mapper) -> None:
    mapper.send("te/device/main///cmd/restart", {})
    assert mapper.send("te/device/main///cmd/restart", {}) == []
    assert mapper.texts("te/device/main///cmd/restart", b"") == [("c8y/s/us", "114")]


def test_log_and_config_types(mapper: Mapper) -> None:
    out = mapper.texts("te/device/main///cmd/log_upload", {"types": ["syslog", "dmesg"]})
    assert out == [("c8y/s/us", "114,c8y_LogfileRequest"), ("c8y/s/us", "118,syslog,dmesg")]
    mapper.send("te/device/main///cmd/config_snapshot", {"types": ["tedge.toml"]})
    out = mapper.texts("te/device/main///cmd/config_update", {"types": ["tedge.toml", "system.toml"]})
    assert out[-1] == ("c8y/s/us", "119,tedge.toml,system.toml")


def test_child_capabilities_go_to_the_child_topic(mapper: Mapper) -> None:
    out = mapper.texts("te/device/child01///cmd/restart", {})
    assert ("c8y/s/us/dev1:device:child01", "114,c8y_Restart") in out


def test_software_update_capability_requests_the_software_list(mapper: Mapper) -> None:
    out = mapper.send("te/device/main///cmd/software_update", {})
    assert out[-1].topic.startswith("te/device/main///cmd/software_list/c8y-mapper-")
    assert (out[-1].text, out[-1].retain) == ('{"status":"init"}', True)


def test_disabled_operations_are_not_announced(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(enable=EnabledOperations(device_restart=False))
    assert mapper.send("te/device/main///cmd/restart", {}) == []
    assert mapper.send("te/device/main///cmd/my_custom_op", {}) == []


def test_supported_software_types(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(software_with_types=True)
    (out,) = mapper.send("te/device/main///cmd/software_list", {"types": ["apt", "docker"]})
    assert json.loads(out.payload) == {"c8y_SupportedSoftwareTypes": ["apt", "docker"]}
    assert make_mapper().send("te/device/main///cmd/software_list", {"types": ["apt"]}) == []


def test_bad_types_are_reported(mapper: Mapper) -> None:
    (error,) = mapper.send("te/device/main///cmd/log_upload", {"types": "syslog"})
    assert json.loads(error.payload)["error"] == "invalid-payload"


def test_startup_messages(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(device_type="gateway", agent_version="1.2.3")
    mapper.state.extra_operations[EntityTopicId.main_device()] = frozenset({"c8y_Command"})
    out = [(m.topic, m.text) for m in build_startup_messages(mapper.state, mapper.config)]
    agent = '{"name":"thin-edge.io","version":"1.2.3","url":"https://thin-edge.io"}'
    assert out == [
        ("c8y/inventory/managedObjects/update/dev1", '{"type":"gateway","c8y_Agent":' + agent + "}"),
        ("c8y/s/us", "114,c8y_Command"),
        ("c8y/s/us", "117,60"),
        ("c8y/s/us", "500"),
    ]
    # the twin messages echoing the same values later are not sent again
    assert mapper.send("te/device/main///twin/type", '"gateway"') == []


def test_operation_files_changes_are_announced(mapper: Mapper) -> None:
    mapper.send("te/device/main///cmd/restart", {})
    files = {"dev1": frozenset({"c8y_Command"})}
    out = [(m.topic, m.text) for m in apply_operation_files(files, mapper.state, mapper.config)]
    assert out == [("c8y/s/us", "114,c8y_Command,c8y_Restart")]
    assert apply_operation_files(files, mapper.state, mapper.config) == []  # nothing changed
    out = [(m.topic, m.text) for m in apply_operation_files({}, mapper.state, mapper.config)]
    assert out == [("c8y/s/us", "114,c8y_Restart")]  # the file was removed


def test_child_operation_files_are_announced_when_it_registers(mapper: Mapper) -> None:
    files = {"dev1:device:child01": frozenset({"c8y_Command"})}
    assert apply_operation_files(files, mapper.state, mapper.config) == []  # no such child yet
    out = mapper.texts("te/device/child01//", {"@type": "child-device"})
    assert ("c8y/s/us/dev1:device:child01", "114,c8y_Command") in out
    mapper.send("te/device/child01//", b"")  # deregistered: forgotten
    assert mapper.state.extra_operations == {}


def test_sync_signal_sends_the_capabilities_again(mapper: Mapper) -> None:
    mapper.send("te/device/main///cmd/restart", {})
    mapper.send("te/device/main///cmd/log_upload", {"types": ["syslog"]})
    mapper.send("te/device/child01///cmd/config_snapshot", {"types": ["app.conf"]})
    out = mapper.texts("te/device/main/service/tedge-mapper-c8y/signal/sync", "{}")
    assert out == [
        ("c8y/s/us", "114,c8y_LogfileRequest,c8y_Restart"),
        ("c8y/s/us", "118,syslog"),
        ("c8y/s/us/dev1:device:child01", "114,c8y_UploadConfigFile"),
        ("c8y/s/us/dev1:device:child01", "119,app.conf"),
    ]
    assert mapper.send("te/device/main///signal/other", "{}") == []
