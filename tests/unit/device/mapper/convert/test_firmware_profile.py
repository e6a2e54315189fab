"""c8y_Firmware -> firmware_update and c8y_DeviceProfile -> device_profile, and what their end reports."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Mapper, MapperFactory

NOTIFICATIONS = "c8y/devicecontrol/notifications"
TENANT = "t1.example.com"


def operation(op_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": op_id, "status": "PENDING", "externalSource": {"externalId": "dev1", "type": "c8y_Serial"},
            **fields}  # fmt: skip


def test_firmware_update_request_and_its_success(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(c8y_http_host=TENANT)
    firmware = {
        "name": "core",
        "version": "2.0",
        "url": f"https://{TENANT}/inventory/binaries/77",
        "sha256": "ab" * 32,
    }
    (command,) = mapper.send(NOTIFICATIONS, operation("41", c8y_Firmware=firmware))
    assert command.topic == "te/device/main///cmd/firmware_update/c8y-mapper-41" and command.retain
    request = json.loads(command.text)
    assert request == {
        "status": "init", "name": "core", "version": "2.0", "remoteUrl": firmware["url"], "sha256": "ab" * 32,
        "tedgeUrl": "http://127.0.0.1:8001/c8y/inventory/binaries/77",
    }  # fmt: skip
    assert mapper.texts(command.topic, {**request, "status": "executing"}) == [("c8y/s/us", "504,41")]
    out = mapper.send(command.topic, {**request, "status": "successful"})
    assert (out[0].topic, out[0].text) == ("c8y/s/us", "506,41")
    updates = [json.loads(m.text) for m in out if m.topic.startswith("c8y/inventory/managedObjects/update")]
    assert updates == [{"c8y_Firmware": {"name": "core", "version": "2.0", "url": firmware["url"]}}]
    assert (command.topic, "") in [(m.topic, m.text) for m in out]  # cleared


def test_firmware_failure_without_operation_ids_is_502(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(use_operation_id=False)
    firmware = {"name": "core", "version": "2.0", "url": "https://elsewhere/fw.bin"}
    (command,) = mapper.send(NOTIFICATIONS, operation("42", c8y_Firmware=firmware))
    assert json.loads(command.text)["tedgeUrl"] == "https://elsewhere/fw.bin"  # not a tenant URL: as is
    assert mapper.texts(command.topic, {"status": "executing"}) == [("c8y/s/us", "501,c8y_Firmware")]
    out = mapper.texts(command.topic, {"status": "failed", "reason": "Checksum mismatch"})
    assert out[0] == ("c8y/s/us", "502,c8y_Firmware,Checksum mismatch")


def test_a_firmware_without_url_is_an_error(mapper: Mapper) -> None:
    error, executing, failed = mapper.send(
        NOTIFICATIONS, operation("43", c8y_Firmware={"name": "core", "version": "1"})
    )
    assert error.topic == "te/errors" and "needs a name, a version and a url" in error.text
    assert (executing.text, failed.topic) == ("501,c8y_Firmware", "c8y/s/us")  # failed in the cloud
    assert failed.text.startswith("502,c8y_Firmware,") and "needs a name" in failed.text


def test_device_profile_lists_firmware_software_then_configuration(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(c8y_http_host=TENANT)
    profile = {
        "firmware": {"name": "core", "version": "3", "url": f"https://{TENANT}/inventory/binaries/1"},
        "software": [{"name": "jq", "action": "install", "version": "1.6", "url": " "},
                     {"name": "nginx", "action": "install", "version": "latest", "url": " "}],
        "configuration": [{"name": "app-v2", "type": "app-conf", "url": f"https://{TENANT}/inventory/binaries/2"}],
    }  # fmt: skip
    op = operation("44", c8y_DeviceProfile=profile, profileName="prod", profileId="900")
    (command,) = mapper.send(NOTIFICATIONS, op)
    assert command.topic == "te/device/main///cmd/device_profile/c8y-mapper-44"
    request = json.loads(command.text)
    assert (request["name"], request["profileId"]) == ("prod", "900")
    assert [step["operation"] for step in request["operations"]] == [
        "firmware_update", "software_update", "config_update",
    ]  # fmt: skip
    firmware, software, config = (step["payload"] for step in request["operations"])
    assert firmware["remoteUrl"] == "http://127.0.0.1:8001/c8y/inventory/binaries/1"
    assert software["updateList"] == [{"type": "default", "modules": [
        {"name": "jq", "version": "1.6", "action": "install"},
        {"name": "nginx", "version": "latest", "action": "install"}]}]  # fmt: skip
    assert config == {"type": "app-conf", "remoteUrl": "http://127.0.0.1:8001/c8y/inventory/binaries/2"}
    out = mapper.send(command.topic, {**request, "status": "successful"})
    assert (out[0].topic, out[0].text) == ("c8y/s/us", "506,44")
    updates = [json.loads(m.text) for m in out if m.topic.startswith("c8y/inventory/managedObjects/update")]
    assert updates == [{"c8y_Profile": {"profileName": "prod", "profileId": "900", "profileExecuted": True}}]
    assert any("/cmd/software_list/" in m.topic for m in out)  # the software list is refreshed
