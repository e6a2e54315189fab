"""What the tenant does on its own, as time passes (run by ``tenant.housekeeping``'s periodic sweep and
when a bulk operation is created):

* **retention rules** (``/retention/retentions``): data older than a rule's ``maximumAge`` (days) that
  matches its ``dataType``/``type``/``fragmentType``/``source`` (``*``: any) is deleted, as Cumulocity's
  nightly job does; alarms, events and measurements by their ``time``, operations by their
  ``creationTime``, audit records by their ``time``;
* **bulk operations**: the operation of the i-th device is created at ``startDate + i * creationRamp``
  seconds, not all at once; the devices still to go are kept in the bulk operation (``_pending``, never
  rendered).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.devicecontrol import create_operation
from c8ylink.tenant.state.filters import Criteria, TimeWindow
from c8ylink.tenant.state.records import Document
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.times import format_time, parse_time
from c8ylink.tenant.state.users import ADMIN

PENDING = "_pending"  # device ids whose operation is still to be created
ALL_TYPES = ("ALARM", "AUDIT", "EVENT", "MEASUREMENT", "OPERATION")
TIME_FIELDS = {"ALARM": "time", "AUDIT": "time", "EVENT": "time", "MEASUREMENT": "time",
               "OPERATION": "creationTime"}  # fmt: skip


# -- retention ---------------------------------------------------------------------------------------------
def retention_criteria(rule: Document, now: datetime) -> Criteria:
    """What a rule deletes: older than ``maximumAge`` days, matching its filters (``*``: any)."""
    cutoff = format_time(now - timedelta(days=int(rule.get("maximumAge", 0))))
    data_type = str(rule.get("dataType", "*"))
    equals: list[tuple[str, frozenset[str]]] = []
    if rule.get("type", "*") != "*":
        equals.append(("type", frozenset({str(rule["type"])})))
    if rule.get("source", "*") != "*":
        path = "deviceId" if data_type == "OPERATION" else "source.id"
        equals.append((path, frozenset({str(rule["source"])})))
    fragment = rule.get("fragmentType", "*")
    field = TIME_FIELDS.get(data_type, "time")
    return Criteria(
        equals=tuple(equals),
        fragment_type=None if fragment == "*" else str(fragment),
        windows=(TimeWindow(field, end=cutoff),),
    )


def apply_retention(state: TenantState, now: datetime) -> int:
    """Delete what the retention rules say is too old; how many documents went."""
    removed = 0
    for rule in state.retentions.all():
        data_type = str(rule.get("dataType", "*"))
        for kind in ALL_TYPES if data_type == "*" else (data_type,):
            criteria = retention_criteria({**rule, "dataType": kind}, now)
            removed += _delete(state, kind, criteria)
    return removed


def _delete(state: TenantState, kind: str, criteria: Criteria) -> int:
    if kind == "ALARM":
        return state.alarms.delete_matching(criteria)
    if kind == "EVENT":
        return state.events.delete_matching(criteria)
    if kind == "MEASUREMENT":
        return state.measurements.delete_matching(criteria)
    if kind == "OPERATION":
        return state.operations.delete_matching(criteria)
    if kind == "AUDIT":
        doomed = state.audit.select(criteria.matches)
        for record in doomed:
            state.audit.delete(record["id"])
        return len(doomed)
    return 0


# -- bulk operations ---------------------------------------------------------------------------------------
def due_count(bulk: Document, released: int, now: datetime) -> int:
    """How many of the bulk operation's devices are due by ``now`` (``released`` already are)."""
    pending = bulk.get(PENDING) or []
    start = parse_time(bulk["startDate"], "startDate")
    if now < start:
        return 0
    ramp = float(bulk.get("creationRamp") or 0)
    if ramp <= 0:
        return len(pending)
    due_total = int((now - start).total_seconds() // ramp) + 1
    return max(0, min(len(pending), due_total - released))


def release_bulk_operations(state: TenantState, now: datetime) -> int:
    """Create the operations that are due; how many were created."""
    created = 0
    system = Principal(state.tenant_id, "service_bulk-operations", frozenset({ADMIN}), "system")
    for bulk in state.bulk_operations.all():
        pending: list[str] = list(bulk.get(PENDING) or [])
        if not pending or bulk.get("status") == "DELETED":
            continue
        released = int(bulk.get("_released", 0))
        count = due_count(bulk, released, now)
        if not count:
            continue
        for device_id in pending[:count]:
            if device_id in state.inventory:  # a device deleted meanwhile gets no operation
                prototype: dict[str, Any] = dict(bulk["operationPrototype"])
                create_operation(state, system, {**prototype, "deviceId": device_id},
                                 bulk_operation_id=bulk["id"])  # fmt: skip
                created += 1
        state.bulk_operations.put({**bulk, PENDING: pending[count:], "_released": released + count})
    return created


def sweep(state: TenantState, now: datetime) -> None:
    release_bulk_operations(state, now)
    apply_retention(state, now)
