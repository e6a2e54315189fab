"""SmartREST 1xx: the device, its children and services, and inventory fragments (§2.2)."""

from __future__ import annotations

from typing import Any

from c8ylink.core.smartrest.messages import child_devices, device_id
from c8ylink.tenant.mqtt.devices import (
    DeviceMessageError,
    create_child,
    create_device,
    own_device,
    serial_of,
)
from c8ylink.tenant.mqtt.lines import Handler, Line, number, present


def _create_device(line: Line) -> None:
    if line.child is not None:
        raise DeviceMessageError(41, "100 creates the device of the client id; create children with 101")
    if own_device(line.state, line.identity, create=False) is not None:
        raise DeviceMessageError(41, "Device already existing")
    create_device(line.state, line.identity, line.value("name"), line.value("type"))


def _create_child(line: Line) -> None:
    is_device = line.value("isDevice").lower() != "false"
    create_child(
        line.state, line.identity, line.target(), line.value("childId"),
        name=line.value("name"), child_type=line.value("type"), is_device=is_device,
    )  # fmt: skip


def _create_service(line: Line) -> None:
    fragments = {"name": line.value("name"), "serviceType": line.value("serviceType"),
                 "status": line.value("status")}  # fmt: skip
    create_child(
        line.state, line.identity, line.target(), line.value("serviceId"), name=line.value("name"),
        child_type="c8y_Service", is_device=False, kind="childAdditions", fragments=fragments,
    )  # fmt: skip


def _set_service_status(line: Line) -> None:
    document = line.state.inventory.get(line.target())
    if document.get("type") != "c8y_Service":
        raise DeviceMessageError(41, "104 updates a service: publish it on s/us/<serviceId>")
    line.update({"status": line.value("status")})


def _get_children(line: Line) -> None:
    children = line.state.inventory.references(line.target(), "childDevices")
    serials = [serial for child in children if (serial := serial_of(line.state, child))]
    line.reply(child_devices(serials))


def _clear_fragments(line: Line) -> None:
    line.update({group["fragment"]: None for group in line.groups})


def _fragment(name: str, *fields: str, numeric: bool = False) -> Handler:
    def handle(line: Line) -> None:
        values = present(dict(line.parsed.values), *fields)
        line.update({name: {k: number(v) for k, v in values.items()} if numeric else values})

    return handle


def _listing(name: str, member: str, *, empty_removes: bool = False) -> Handler:
    def handle(line: Line) -> None:
        items = [group[member] for group in line.groups if group.get(member)]
        line.update({name: items if items or not empty_removes else None})

    return handle


def _software_list(line: Line) -> None:
    line.update({"c8y_SoftwareList": [present(g, "name", "version", "url") for g in line.groups]})


def _required_availability(line: Line) -> None:
    document = line.state.inventory.get(line.target())
    if "c8y_RequiredAvailability" not in document and line.value("minutes"):
        line.update({"c8y_RequiredAvailability": {"responseInterval": int(line.value("minutes"))}})


def _current_configuration(line: Line) -> None:
    config_type = line.value("configType")
    entry = {"name": line.value("fileName") or config_type, "type": config_type,
             "url": line.value("url"), "time": line.time()}  # fmt: skip
    line.update({f"c8y_Configuration_{config_type}": entry})


def _profile(line: Line) -> None:
    profile: dict[str, Any] = {"profileExecuted": line.value("profileExecuted").lower() == "true"}
    if line.value("profileId"):
        profile["profileId"] = line.value("profileId")
    line.update({"c8y_Profile": profile})


def _advanced_software(mode: str) -> Handler:
    def handle(line: Line) -> None:
        document = line.state.inventory.get(line.target())
        current = list(document.get("c8y_SoftwareList") or []) if mode != "replace" else []
        if mode == "remove":
            doomed = {(g["name"], g["version"]) for g in line.groups}
            current = [m for m in current if (m.get("name"), m.get("version")) not in doomed]
        else:
            current += [present(g, "name", "version", "softwareType", "url") for g in line.groups]
        line.update({"c8y_SoftwareList": current})

    return handle


def _device_id(line: Line) -> None:
    line.reply(device_id(line.target()))


def _heartbeat(line: Line) -> None:
    line.state.inventory.touch(line.target(), now=line.state.now())


HANDLERS: dict[int, Handler] = {
    100: _create_device,
    101: _create_child,
    102: _create_service,
    104: _set_service_status,
    105: _get_children,
    107: _clear_fragments,
    110: _fragment("c8y_Hardware", "serialNumber", "model", "revision"),
    111: _fragment("c8y_Mobile", "imei", "iccid", "imsi", "mcc", "mnc", "lac", "cellId"),
    112: _fragment("c8y_Position", "lat", "lng", "alt", "accuracy", numeric=True),
    113: _fragment("c8y_Configuration", "config"),
    114: _listing("c8y_SupportedOperations", "operation"),
    115: _fragment("c8y_Firmware", "name", "version", "url"),
    116: _software_list,
    117: _required_availability,
    118: _listing("c8y_SupportedLogs", "logType"),
    119: _listing("c8y_SupportedConfigurations", "configType"),
    120: _current_configuration,
    121: _profile,
    122: _fragment("c8y_Agent", "name", "version", "url", "maintainer"),
    123: _device_id,
    125: _heartbeat,
    140: _advanced_software("replace"),
    141: _advanced_software("append"),
    142: _advanced_software("remove"),
    143: _listing("c8y_SupportedSoftwareTypes", "softwareType", empty_removes=True),
    150: _listing("c8y_RemoteAccessSupportedProtocols", "protocol", empty_removes=True),
}
