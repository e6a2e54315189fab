"""Availability fragments the tenant computes (cumulocity-api.md §3.2, §4.3 rule 27): PURE.

``c8y_Connection.status`` is CONNECTED while a session of the device has an ``s/ds`` subscription,
DISCONNECTED after; ``c8y_Availability`` (set by every heartbeat, see ``Inventory.touch``) turns
UNAVAILABLE when nothing arrived within ``c8y_RequiredAvailability.responseInterval`` minutes
(117), MAINTENANCE when the interval is 0 or negative.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from c8ylink.tenant.mqtt.devices import find_object
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.times import parse_time

CONNECTED, DISCONNECTED = "CONNECTED", "DISCONNECTED"


def set_connection(state: TenantState, serial: str, status: str) -> bool:
    """Record the connection status of the device ``serial``; False if it has no managed object."""
    object_id = find_object(state, serial)
    if object_id is None:
        return False
    document = state.inventory.get(object_id)
    if (document.get("c8y_Connection") or {}).get("status") != status:
        state.inventory.update(object_id, {"c8y_Connection": {"status": status}}, now=state.now())
    return True


def refresh_availability(state: TenantState, now: datetime) -> list[str]:
    """Mark devices UNAVAILABLE whose last message is older than their required interval; their ids."""
    changed: list[str] = []
    for document in state.inventory.select_required_availability():
        minutes = document["c8y_RequiredAvailability"].get("responseInterval")
        if not isinstance(minutes, int | float) or isinstance(minutes, bool):
            continue
        current = document.get("c8y_Availability") or {}
        wanted = _status(current.get("lastMessage"), minutes, now)
        if current.get("status") != wanted:
            availability = {**current, "status": wanted}
            state.inventory.update(document["id"], {"c8y_Availability": availability}, now=now)
            changed.append(document["id"])
    return changed


def _status(last_message: object, minutes: float, now: datetime) -> str:
    if minutes <= 0:
        return "MAINTENANCE"
    if not isinstance(last_message, str):
        return "UNAVAILABLE"
    if parse_time(last_message) + timedelta(minutes=minutes) < now:
        return "UNAVAILABLE"
    return "AVAILABLE"
