"""What the tenant pushes to a device about operations (cumulocity-api.md §1.8, §2.3, §4.3 rule 24).

An operation goes to the session of its agent (``agentId``: the device itself or the nearest agent
above a child) as the matching 5xx line on ``s/ds`` (``<id>,<target external id>,...``; operations
without a static template travel as JSON only) and as JSON on ``devicecontrol/notifications``
(with ``externalSource`` naming the target).
"""

from __future__ import annotations

import json
from typing import Any

from c8ylink.core.c8y_topics import DEVICECONTROL_NOTIFICATIONS, SMARTREST_DOWNSTREAM
from c8ylink.core.errors import SmartRestError
from c8ylink.core.smartrest.codec import encode_record
from c8ylink.core.smartrest.operations import render_operation
from c8ylink.tenant.mqtt.devices import serial_of
from c8ylink.tenant.mqtt.lines import Outgoing
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.identity import SERIAL
from c8ylink.tenant.state.tenant import TenantState

DELIVERED = "DELIVERED"


def smartrest_message(state: TenantState, operation: dict[str, Any]) -> Outgoing | None:
    target = serial_of(state, str(operation.get("deviceId")))
    if target is None:
        return None
    try:
        record = render_operation(operation, target)
    except SmartRestError:
        return None  # a fragment of the wrong shape for its template: JSON only
    if record is None:
        return None
    return (SMARTREST_DOWNSTREAM, encode_record(record).encode("utf-8"))


def json_message(state: TenantState, operation: dict[str, Any]) -> Outgoing:
    document = dict(operation)
    target = serial_of(state, str(operation.get("deviceId")))
    if target is not None:
        document["externalSource"] = {"externalId": target, "type": SERIAL}
    return (DEVICECONTROL_NOTIFICATIONS, json.dumps(document, separators=(",", ":")).encode("utf-8"))


def operation_messages(state: TenantState, operation: dict[str, Any]) -> list[Outgoing]:
    line = smartrest_message(state, operation)
    return [*([line] if line else []), json_message(state, operation)]


def agent_serial(state: TenantState, operation: dict[str, Any]) -> str | None:
    agent = operation.get("agentId")
    return serial_of(state, str(agent)) if agent is not None else None


def pending_operations(
    state: TenantState, agent_id: str, *, undelivered: bool = False
) -> list[dict[str, Any]]:
    criteria = Criteria(equals=(("agentId", frozenset({agent_id})), ("status", frozenset({"PENDING"}))))
    found = state.operations.select(criteria)
    if undelivered:
        found = [op for op in found if (op.get("delivery") or {}).get("status") != DELIVERED]
    return found


def mark_delivered(state: TenantState, operation: dict[str, Any]) -> None:
    if (operation.get("delivery") or {}).get("status") != DELIVERED:
        state.operations.set_delivery(operation["id"], DELIVERED, now=state.now())
