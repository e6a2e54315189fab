"""Creating measurements, events and alarms for a source, with the rules that span stores:
the source must exist (422 otherwise), a device may only write for its own objects (403), and each
new item counts as a heartbeat of its source unless the caller is an application."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from c8ylink.tenant.state.access import Principal, require_not_bootstrap
from c8ylink.tenant.state.alarms import validate_alarm
from c8ylink.tenant.state.documents import Document
from c8ylink.tenant.state.errors import validation_error
from c8ylink.tenant.state.events import validate_event
from c8ylink.tenant.state.measurements import validate_measurement
from c8ylink.tenant.state.tenant import TenantState


def _check_source(state: TenantState, principal: Principal, source_id: str) -> None:
    if source_id not in state.inventory:
        raise validation_error(
            f"Finding device data from database failed : No managedObject for id '{source_id}'!"
        )
    state.check_may_write(principal, source_id)


def create_measurements(
    state: TenantState, principal: Principal, bodies: Sequence[Any], *, heartbeat: bool = True
) -> list[Document]:
    """All or nothing: every body is validated before the first one is stored."""
    require_not_bootstrap(principal)
    cleaned = [validate_measurement(body) for body in bodies]
    for item in cleaned:
        _check_source(state, principal, item["source"]["id"])
    now = state.now()
    created = [state.measurements.create(item, now=now) for item in cleaned]
    if heartbeat:
        for source in dict.fromkeys(item["source"]["id"] for item in cleaned):
            state.inventory.touch(source, now=now)
    return created


def create_event(state: TenantState, principal: Principal, body: Any, *, heartbeat: bool = True) -> Document:
    require_not_bootstrap(principal)
    cleaned = validate_event(body)
    source = cleaned["source"]["id"]
    _check_source(state, principal, source)
    now = state.now()
    created = state.events.create(cleaned, now=now)
    if heartbeat:
        state.inventory.touch(source, now=now)
    return created


def raise_alarm(state: TenantState, principal: Principal, body: Any, *, heartbeat: bool = True) -> Document:
    require_not_bootstrap(principal)
    cleaned = validate_alarm(body)
    source = cleaned["source"]["id"]
    _check_source(state, principal, source)
    now = state.now()
    created = state.alarms.raise_alarm(cleaned, now=now)
    if heartbeat:
        state.inventory.touch(source, now=now)
    return created
