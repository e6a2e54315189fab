"""The tenant's own work as time passes (``tenant.state.housekeeping``), on pure state with a fixed clock:
retention rules delete what is older than ``maximumAge`` and matches their filters; a bulk operation's
operations are created one every ``creationRamp`` seconds from ``startDate``; and ``bygroupid`` finds a
package's versions (its child additions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from c8ylink.core.clock import FixedClock
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.housekeeping import PENDING, apply_retention, release_bulk_operations
from c8ylink.tenant.state.inventory import InventoryFilter
from c8ylink.tenant.state.query import parse_query
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.times import format_time


def managed_object(state: TenantState, **body: Any) -> str:
    return str(state.inventory.create(body, owner="admin", now=state.now())["id"])


def event(state: TenantState, source: str, kind: str, age_days: float) -> str:
    moment = format_time(state.now() - timedelta(days=age_days))
    document = {"source": {"id": source}, "type": kind, "text": "x", "time": moment}
    return str(state.events.create(document, now=state.now())["id"])


def test_bygroupid_finds_the_child_additions_of_a_package(state: TenantState) -> None:
    software = managed_object(state, name="curl", type="c8y_Software")
    version = managed_object(state, type="c8y_SoftwareBinary", c8y_Software={"version": "1.0"})
    other = managed_object(state, type="c8y_SoftwareBinary", c8y_Software={"version": "2.0"})
    state.add_child_reference(software, "childAdditions", version)
    group = managed_object(state, name="g", c8y_IsDeviceGroup={})
    device = managed_object(state, name="d", c8y_IsDevice={})
    state.add_child_reference(group, "childAssets", device)
    query = parse_query(
        f"(type eq 'c8y_SoftwareBinary') and bygroupid({software})", state.inventory.group_parents
    )
    assert [doc["id"] for doc in state.inventory.select(InventoryFilter(query=query))] == [version]
    assert other != version
    in_group = parse_query(f"bygroupid({group})", state.inventory.group_parents)
    assert [doc["id"] for doc in state.inventory.select(InventoryFilter(query=in_group))] == [device]


def test_retention_deletes_only_old_matching_data(state: TenantState) -> None:
    device = managed_object(state, name="d", c8y_IsDevice={})
    old_login = event(state, device, "login", 10)
    new_login = event(state, device, "login", 1)
    old_other = event(state, device, "other", 10)
    state.retentions.create({"dataType": "EVENT", "type": "login", "fragmentType": "*", "source": "*",
                             "maximumAge": 5})  # fmt: skip
    assert apply_retention(state, state.now()) == 1
    remaining = {doc["id"] for doc in state.events.select(Criteria())}
    assert remaining == {new_login, old_other} and old_login not in remaining
    state.retentions.create(
        {"dataType": "*", "type": "*", "fragmentType": "*", "source": device, "maximumAge": 7}
    )
    assert apply_retention(state, state.now()) == 1  # any type of that source, older than 7 days
    assert {doc["id"] for doc in state.events.select(Criteria())} == {new_login}


def test_bulk_operations_follow_the_creation_ramp(state: TenantState, clock: FixedClock) -> None:
    devices = [managed_object(state, name=f"d{n}", c8y_IsDevice={}) for n in range(3)]
    start = clock.now() + timedelta(seconds=30)
    bulk = state.bulk_operations.create({
        "groupId": "1", "startDate": format_time(start), "creationRamp": 10,
        "operationPrototype": {"c8y_Restart": {}}, "status": "IN_PROGRESS", PENDING: devices,
    })  # fmt: skip

    def created() -> list[str]:
        found = state.operations.select(Criteria(equals=(("bulkOperationId", frozenset({bulk["id"]})),)))
        return [op["deviceId"] for op in found]

    assert release_bulk_operations(state, clock.now()) == 0  # before startDate: nothing
    clock.advance(30)
    assert release_bulk_operations(state, clock.now()) == 1 and created() == devices[:1]
    clock.advance(9)
    assert release_bulk_operations(state, clock.now()) == 0  # the ramp is not over yet
    clock.advance(1)
    assert release_bulk_operations(state, clock.now()) == 1 and created() == devices[:2]
    clock.advance(60)
    assert release_bulk_operations(state, clock.now()) == 1 and sorted(created()) == sorted(devices)
    assert state.bulk_operations.get(bulk["id"])[PENDING] == []
    assert release_bulk_operations(state, clock.now()) == 0
