"""Software management (tedge.md §6.8): c8y_SoftwareUpdate -> software_update command, and
software_list results -> Cumulocity.

Update request: the modules of the operation grouped by type, ``delete`` -> ``remove``; a legacy
``<version>::<type>`` version names the type; no type at all means ``default``. URLs on the
tenant's own host are rewritten to the local proxy (``<proxy_url>/c8y/<path>``), which adds the
device's credentials.

Software list: the ``currentSoftwareList`` of a successful software_list command goes to the cloud
as ``140``/``141`` SmartREST (advanced API, 100 modules per message) or, in the legacy API, as the
device's ``c8y_SoftwareList`` fragment. (thin-edge does the legacy update with an HTTP PUT; here
it is JSON via MQTT on the inventory update topic, the same change without HTTP, within the MQTT
payload limit.)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from c8ylink.core.smartrest.messages import advanced_software_list
from c8ylink.device.mapper.config import MapperConfig, SoftwareManagementApi
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.payloads import (
    entity_smartrest_topic,
    inventory_update_topic,
    smartrest_message,
)
from c8ylink.device.mapper.entities import Entity
from c8ylink.device.mapper.errors import ConversionError, ErrorKind
from c8ylink.device.mapper.message import Message

DEFAULT_SOFTWARE_TYPE = "default"
_ACTIONS = {"install": "install", "delete": "remove"}


def build_update_request(items: Any, config: MapperConfig) -> dict[str, Any]:
    """The initial payload of a software_update command for a ``c8y_SoftwareUpdate`` fragment."""
    if not isinstance(items, list) or not items:
        raise _invalid("c8y_SoftwareUpdate must be a non-empty list of modules")
    by_type: dict[str, list[dict[str, str]]] = {}
    for item in items:
        software_type, module = _module(item, config)
        by_type.setdefault(software_type, []).append(module)
    update_list = [{"type": software_type, "modules": modules} for software_type, modules in by_type.items()]
    return {"status": "init", "updateList": update_list}


def _module(item: Any, config: MapperConfig) -> tuple[str, dict[str, str]]:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
        raise _invalid("each c8y_SoftwareUpdate module needs a name")
    texts = {key: item.get(key) or "" for key in ("version", "softwareType", "url", "action")}
    if not all(isinstance(value, str) for value in texts.values()):
        raise _invalid(f"module '{item['name']}': version, softwareType, url and action must be strings")
    action = _ACTIONS.get(texts["action"])
    if action is None:
        raise _invalid(f"module '{item['name']}': action must be install or delete, got '{texts['action']}'")
    version, _, legacy_type = texts["version"].partition("::")
    module = {"name": item["name"]}
    if version:
        module["version"] = version
    if texts["url"]:
        module["url"] = rewrite_url(texts["url"], config)
    module["action"] = action
    return texts["softwareType"] or legacy_type or DEFAULT_SOFTWARE_TYPE, module


def rewrite_url(url: str, config: MapperConfig) -> str:
    """A URL on the Cumulocity host, through the local proxy; any other URL unchanged."""
    if not config.c8y_http_host:
        return url
    parts = urlsplit(url)
    host = config.c8y_http_host.rsplit(":", 1)[0].lower()
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != host:
        return url
    query = f"?{parts.query}" if parts.query else ""
    return f"{config.proxy_url.rstrip('/')}/c8y{parts.path}{query}"


def software_list_messages(entity: Entity, result: dict[str, Any], ctx: Context) -> list[Message]:
    """The cloud messages for the ``currentSoftwareList`` of a successful software_list command."""
    modules = _flatten(result.get("currentSoftwareList", []))
    if ctx.config.software_management_api is SoftwareManagementApi.ADVANCED:
        topic = entity_smartrest_topic(ctx.config, entity)
        return [smartrest_message(topic, [record]) for record in advanced_software_list(modules)]
    body = {
        "c8y_SoftwareList": [{key: value for key, value in module.items() if value} for module in modules]
    }
    return [Message.json(inventory_update_topic(ctx.config, entity), body)]


def _flatten(groups: Any) -> list[dict[str, str]]:
    if not isinstance(groups, list):
        raise _invalid("currentSoftwareList must be a list")
    modules: list[dict[str, str]] = []
    for group in groups:
        if not isinstance(group, dict) or not isinstance(group.get("modules", []), list):
            raise _invalid("each currentSoftwareList entry needs a type and a list of modules")
        software_type = _text(group.get("type"))
        for module in group.get("modules", []):
            if not isinstance(module, dict) or not isinstance(module.get("name"), str) or not module["name"]:
                raise _invalid("each software module needs a name")
            modules.append(
                {
                    "name": module["name"],
                    "version": _text(module.get("version")),
                    "softwareType": software_type,
                    "url": _text(module.get("url")),
                }
            )
    return modules


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _invalid(reason: str) -> ConversionError:
    return ConversionError(ErrorKind.INVALID_PAYLOAD, f"Invalid software operation: {reason}")
