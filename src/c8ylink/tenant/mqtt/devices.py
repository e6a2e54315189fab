"""The managed objects a session writes to: its own device (``c8y_Serial`` = the device identifier),
created on the first message when absent (cumulocity-api.md §1.6), and its descendants addressed by
external id (``s/us/<xid>``, ``externalSource``, ``update/<xid>``)."""

from __future__ import annotations

from typing import Any

from c8ylink.tenant.mqtt.auth import DeviceIdentity
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.identity import SERIAL
from c8ylink.tenant.state.tenant import TenantState

DEFAULT_TYPE = "c8y_MQTTDevice"
DEFAULT_CHILD_TYPE = "c8y_MQTTChildDevice"


class DeviceMessageError(Exception):
    """A message the endpoint cannot apply; rendered as ``<code>,<reference>,<message>`` on ``s/e``
    (or as JSON on ``error``)."""

    def __init__(self, code: int, message: str, error: str = "undefined/validationError") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.error = error

    @classmethod
    def from_api(cls, exc: TenantApiError) -> DeviceMessageError:
        return cls(41, exc.message, exc.error)


def find_object(state: TenantState, external_id: str) -> str | None:
    bound = state.identity.find(SERIAL, external_id)
    if bound is None or bound.object_id not in state.inventory:
        return None
    return bound.object_id


def serial_of(state: TenantState, object_id: str) -> str | None:
    for entry in state.identity.of_object(object_id):
        if entry.type == SERIAL:
            return entry.value
    return None


def create_device(state: TenantState, identity: DeviceIdentity, name: str = "", device_type: str = "") -> str:
    body: dict[str, Any] = {
        "name": name or f"MQTT Device {identity.serial}",
        "type": device_type or DEFAULT_TYPE,
        "c8y_IsDevice": {},
        "com_cumulocity_model_Agent": {},
    }
    document = state.inventory.create(body, owner=identity.username, now=state.now())
    state.identity.add(document["id"], SERIAL, identity.serial)
    return str(document["id"])


def own_device(state: TenantState, identity: DeviceIdentity, *, create: bool = True) -> str | None:
    """The session's device, auto-created (``MQTT Device <serial>``) unless ``create`` is false."""
    found = find_object(state, identity.serial)
    if found is not None or not create:
        return found
    return create_device(state, identity)


def create_child(
    state: TenantState,
    identity: DeviceIdentity,
    parent_id: str,
    child_xid: str,
    *,
    name: str = "",
    child_type: str = "",
    is_device: bool = True,
    kind: str = "childDevices",
    fragments: dict[str, Any] | None = None,
) -> str:
    """The child with external id ``child_xid`` below ``parent_id``, created and linked if needed."""
    existing = find_object(state, child_xid)
    if existing is not None:
        check_writable(state, identity, existing)
        if fragments:
            state.inventory.update(existing, fragments, now=state.now())
        if existing not in state.inventory.references(parent_id, kind) and existing != parent_id:
            state.inventory.add_reference(parent_id, kind, existing)
        return existing
    body: dict[str, Any] = {"name": name or child_xid, "type": child_type or DEFAULT_CHILD_TYPE}
    if is_device:
        body["c8y_IsDevice"] = {}
    body.update(fragments or {})
    document = state.inventory.create(body, owner=identity.username, now=state.now())
    state.identity.add(document["id"], SERIAL, child_xid)
    state.inventory.add_reference(parent_id, kind, document["id"])
    return str(document["id"])


def check_writable(state: TenantState, identity: DeviceIdentity, object_id: str) -> None:
    try:
        state.check_may_write(identity.principal, object_id)
    except TenantApiError as exc:
        raise DeviceMessageError.from_api(exc) from exc


def addressed_object(state: TenantState, identity: DeviceIdentity, child_xid: str | None) -> str:
    """The object a message is for: the session's device (``child_xid`` None), else the descendant
    with that external id; an unknown first-level child is created below the device (§1.6)."""
    root = own_device(state, identity)
    assert root is not None
    if child_xid is None or child_xid == identity.serial:
        check_writable(state, identity, root)
        return root
    found = find_object(state, child_xid)
    if found is None:
        return create_child(state, identity, root, child_xid)
    if found != root and found not in state.inventory.descendants(root):
        raise DeviceMessageError(
            41, f"'{child_xid}' is not a child of '{identity.serial}'", "security/Forbidden"
        )
    check_writable(state, identity, found)
    return found
