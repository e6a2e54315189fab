"""Operations across stores: creation routes to the device's agent and signals front ends; devices
may only move operations addressed to themselves (or their children)."""

from __future__ import annotations

from typing import Any

from c8ylink.tenant.state.access import Principal, require_business_user
from c8ylink.tenant.state.documents import Document
from c8ylink.tenant.state.inventory import object_not_found
from c8ylink.tenant.state.operations import validate_operation
from c8ylink.tenant.state.signals import OperationCreated, OperationUpdated
from c8ylink.tenant.state.tenant import TenantState


def create_operation(
    state: TenantState, principal: Principal, body: Any, *, bulk_operation_id: str | None = None
) -> Document:
    require_business_user(principal)
    cleaned = validate_operation(body)
    if bulk_operation_id is not None:
        cleaned["bulkOperationId"] = bulk_operation_id
    device_id = cleaned["deviceId"]
    if device_id not in state.inventory:
        raise object_not_found(device_id)
    operation = state.operations.create(
        cleaned, agent_id=state.agent_of(device_id), device_name=state.source_name(device_id), now=state.now()
    )
    state.emit(OperationCreated(operation))
    return operation


def update_operation(state: TenantState, principal: Principal, operation_id: str, body: Any) -> Document:
    current = state.operations.get(operation_id)
    state.check_may_write(principal, current["deviceId"])
    operation = state.operations.update(operation_id, body, now=state.now())
    state.emit(OperationUpdated(operation))
    return operation
