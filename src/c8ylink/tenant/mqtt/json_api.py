"""JSON via MQTT (cumulocity-api.md §1.8, §4.3 rule 26): PURE.

``<api>/<resource>/<action>[/<id>]`` with the REST body as payload. ``source`` is always the
session's device, or the descendant named by ``externalSource`` (``{"externalId", "type"}``);
``inventory/managedObjects/update/<X>`` takes the external id (thin-edge) or the managed object id,
and ``{}`` is an availability heartbeat. Errors go to ``error`` as
``{"error": "<type>", "message": "...", "messageId": <MQTT packet id, 0 for QoS 0>}``.
"""

from __future__ import annotations

import json
from typing import Any

from c8ylink.core import strict_json
from c8ylink.core.c8y_topics import ALARMS, EVENTS, JSON_ERRORS, MANAGED_OBJECTS, MEASUREMENTS, C8yTopic
from c8ylink.tenant.mqtt.auth import DeviceIdentity
from c8ylink.tenant.mqtt.devices import DeviceMessageError, addressed_object, check_writable, find_object
from c8ylink.tenant.mqtt.lines import Outgoing
from c8ylink.tenant.state.errors import TenantApiError, validation_error
from c8ylink.tenant.state.identity import SERIAL
from c8ylink.tenant.state.inventory import is_heartbeat
from c8ylink.tenant.state.telemetry import create_event, create_measurements, raise_alarm
from c8ylink.tenant.state.tenant import TenantState

_COLLECTIONS = {
    MEASUREMENTS: "measurements",
    EVENTS: "events",
    ALARMS: "alarms",
}


def error_message(error: str, message: str, message_id: int) -> Outgoing:
    document = {"error": error, "message": message, "messageId": message_id}
    return (JSON_ERRORS, json.dumps(document).encode("utf-8"))


def handle_json(
    state: TenantState, identity: DeviceIdentity, topic: C8yTopic, payload: bytes, message_id: int
) -> list[Outgoing]:
    try:
        body = strict_json.loads(payload)
    except ValueError as exc:
        return [error_message("undefined/validationError", f"Malformed JSON: {exc}", message_id)]
    try:
        _dispatch(state, identity, topic, body)
    except DeviceMessageError as exc:
        return [error_message(exc.error, exc.message, message_id)]
    except TenantApiError as exc:
        return [error_message(exc.error, exc.message, message_id)]
    return []


def _dispatch(state: TenantState, identity: DeviceIdentity, topic: C8yTopic, body: Any) -> None:
    resource, action, item = topic.resource or "", topic.action, topic.resource_id
    principal = identity.principal
    if action in ("create", "createBulk") and resource in _COLLECTIONS:
        items = _bulk_items(body, _COLLECTIONS[resource]) if action == "createBulk" else [body]
        bodies = [_with_source(state, identity, entry) for entry in items]
        if resource == MEASUREMENTS:
            create_measurements(state, principal, bodies)
        for entry in bodies if resource != MEASUREMENTS else []:
            (create_event if resource == EVENTS else raise_alarm)(state, principal, entry)
    elif resource == MANAGED_OBJECTS and action == "create":
        fields = _object(body)
        state.inventory.create(fields, owner=identity.username, now=state.now())
    elif resource == MANAGED_OBJECTS and item is not None:
        _update_object(state, identity, item, body)
    elif item is not None:
        _change_item(state, identity, topic, body)


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise validation_error("The message must be a JSON object")
    return body


def _bulk_items(body: Any, key: str) -> list[Any]:
    items = _object(body).get(key)
    if not isinstance(items, list):
        raise validation_error(f'createBulk needs {{"{key}": [...]}}')
    return items


def _with_source(state: TenantState, identity: DeviceIdentity, body: Any) -> dict[str, Any]:
    fields = dict(_object(body))
    external = fields.pop("externalSource", None)
    child = None
    if external is not None:
        if not isinstance(external, dict) or not isinstance(external.get("externalId"), str):
            raise validation_error('externalSource must be {"externalId": "<id>", "type": "c8y_Serial"}')
        if external.get("type", SERIAL) != SERIAL:
            raise validation_error(f"externalSource type must be {SERIAL}")
        child = external["externalId"]
    fields["source"] = {"id": addressed_object(state, identity, child)}
    return fields


def _update_object(state: TenantState, identity: DeviceIdentity, item: str, body: Any) -> None:
    fields = _object(body)
    object_id = find_object(state, item) or (item if item in state.inventory else None)
    if object_id is None:
        raise DeviceMessageError(41, f"No managed object with external id {item}", "identity/Not Found")
    check_writable(state, identity, object_id)
    if is_heartbeat(fields):
        state.inventory.touch(object_id, now=state.now())
    else:
        state.inventory.update(object_id, fields, now=state.now())


def _change_item(state: TenantState, identity: DeviceIdentity, topic: C8yTopic, body: Any) -> None:
    """``event/events/update|delete/<id>``, ``alarm/alarms/update/<id>``, ``measurement/.../delete/<id>``."""
    item, now = topic.resource_id or "", state.now()
    if topic.resource == EVENTS:
        check_writable(state, identity, state.events.get(item)["source"]["id"])
        if topic.action == "delete":
            state.events.delete(item)
        else:
            state.events.update(item, _object(body), now=now)
    elif topic.resource == ALARMS:
        check_writable(state, identity, state.alarms.get(item)["source"]["id"])
        state.alarms.update(item, _object(body), now=now)
    else:
        check_writable(state, identity, state.measurements.get(item)["source"]["id"])
        state.measurements.delete(item)
