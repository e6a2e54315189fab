"""Firmware and device profiles between Cumulocity and thin-edge commands (thin-edge.io 1.x).

    c8y_Firmware {"name", "version", "url", "sha256"?}
        -> firmware_update {"status": "init", "name", "version", "remoteUrl": url,
                            "tedgeUrl": <url through the local proxy>, "sha256"?}
    c8y_DeviceProfile {"firmware": {...}, "software": [...], "configuration": [...]} (+ the operation's
    "profileName", "profileId")
        -> device_profile {"status": "init", "name", "profileId", "operations": [
               {"operation": "firmware_update", "skip": false, "payload": {"name", "version", "remoteUrl"}},
               {"operation": "software_update", "skip": false, "payload": {"updateList": [...]}},
               {"operation": "config_update", "skip": false, "payload": {"type", "remoteUrl"}}, ...]}

The profile's parts go in that order (firmware, the software list, then each configuration); tenant
URLs are rewritten to the local proxy. ``sha256`` is c8ylink's addition: when the operation carries
one, the agent refuses an image with another checksum.

Once successful: a firmware update sets the entity's ``c8y_Firmware`` (``{"name", "version", "url"}``);
a device profile sets ``c8y_Profile`` (``{"profileName", "profileId", "profileExecuted": true}``).
"""

from __future__ import annotations

from typing import Any

from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.software import build_update_request, rewrite_url
from c8ylink.device.mapper.convert.twin import update_fragments
from c8ylink.device.mapper.entities import Entity
from c8ylink.device.mapper.errors import ConversionError, ErrorKind
from c8ylink.device.mapper.message import Message


def build_firmware_request(value: Any, config: MapperConfig) -> dict[str, Any]:
    firmware = _firmware(value, "c8y_Firmware")
    request: dict[str, Any] = {
        "status": "init",
        **firmware,
        "tedgeUrl": rewrite_url(firmware["remoteUrl"], config),
    }
    return request


def build_profile_request(value: Any, operation: dict[str, Any], config: MapperConfig) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid("c8y_DeviceProfile must be an object")
    operations: list[dict[str, Any]] = []
    if value.get("firmware"):
        firmware = _firmware(value["firmware"], "c8y_DeviceProfile firmware")
        firmware["remoteUrl"] = rewrite_url(firmware["remoteUrl"], config)
        operations.append(_step("firmware_update", firmware))
    software = value.get("software")
    if software:
        if isinstance(software, list):  # Cumulocity sends " " for a module without a URL
            software = [{**item, "url": item["url"].strip()} if isinstance(item, dict) and isinstance(
                item.get("url"), str) else item for item in software]  # fmt: skip
        update = build_update_request(software, config)
        operations.append(_step("software_update", {"updateList": update["updateList"]}))
    configuration = value.get("configuration") or []
    if not isinstance(configuration, list):
        raise _invalid("c8y_DeviceProfile configuration must be a list")
    for item in configuration:
        if not isinstance(item, dict) or not _text(item.get("type")) or not _text(item.get("url")):
            raise _invalid("each c8y_DeviceProfile configuration needs a type and a url")
        operations.append(
            _step("config_update", {"type": item["type"], "remoteUrl": rewrite_url(item["url"], config)})
        )
    request: dict[str, Any] = {"status": "init", "operations": operations}
    for source, target in (("profileName", "name"), ("profileId", "profileId")):
        if _text(operation.get(source)):
            request[target] = operation[source]
    return request


def finished_messages(entity: Entity, operation: str, data: dict[str, Any], ctx: Context) -> list[Message]:
    """The inventory updates of a successful firmware update or device profile."""
    if operation == "firmware_update":
        firmware = {"name": data.get("name"), "version": data.get("version"), "url": data.get("remoteUrl")}
        return update_fragments(entity, {"firmware": firmware}, ctx.state, ctx.config)
    if operation == "device_profile":
        profile: dict[str, Any] = {"profileName": data.get("name"), "profileId": data.get("profileId"),
                                   "profileExecuted": True}  # fmt: skip
        profile = {key: item for key, item in profile.items() if item is not None}
        return update_fragments(entity, {"c8y_Profile": profile}, ctx.state, ctx.config)
    return []


def _firmware(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(_text(value.get(key)) for key in ("name", "version", "url")):
        raise _invalid(f"{what} needs a name, a version and a url")
    firmware = {"name": value["name"], "version": value["version"], "remoteUrl": value["url"]}
    if _text(value.get("sha256")):
        firmware["sha256"] = value["sha256"]
    return firmware


def _step(operation: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"operation": operation, "skip": False, "payload": payload}


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _invalid(reason: str) -> ConversionError:
    return ConversionError(ErrorKind.INVALID_PAYLOAD, f"Invalid operation: {reason}")
