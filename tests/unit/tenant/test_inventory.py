"""Managed objects: server-owned fields, partial merge, references, cascade delete, scope."""

from __future__ import annotations

import pytest

from c8ylink.core.clock import FixedClock
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.inventory import InventoryFilter
from c8ylink.tenant.state.query import parse_query
from c8ylink.tenant.state.tenant import TenantState

from .conftest import device_principal


def test_server_owned_fields_are_set_by_the_server(state: TenantState) -> None:
    created = state.inventory.create(
        {"id": "999", "owner": "mallory", "creationTime": "x", "lastUpdated": "y", "self": "z", "name": "d"},
        owner="admin",
        now=state.now(),
    )
    assert created["id"] == "1" and created["owner"] == "admin"
    assert created["creationTime"] == created["lastUpdated"] == "2026-01-01T00:00:00.000Z"
    assert "self" not in created


def test_ids_are_increasing_decimal_strings(state: TenantState) -> None:
    ids = [state.inventory.create({}, owner="a", now=state.now())["id"] for _ in range(3)]
    assert ids == ["1", "2", "3"]


def test_put_merges_fragments_and_null_deletes(state: TenantState, clock: FixedClock) -> None:
    created = state.inventory.create({"name": "d", "a": {"x": 1}, "b": 2}, owner="admin", now=state.now())
    clock.advance(5)
    updated = state.inventory.update(created["id"], {"a": {"y": 2}, "b": None, "id": "77"}, now=state.now())
    assert updated["a"] == {"y": 2}
    assert "b" not in updated
    assert updated["name"] == "d" and updated["id"] == created["id"]
    assert updated["lastUpdated"] == "2026-01-01T00:00:05.000Z"


def test_unknown_ids_are_404_with_the_documented_message(state: TenantState) -> None:
    with pytest.raises(TenantApiError) as caught:
        state.inventory.get("42")
    assert caught.value.status == 404
    assert caught.value.error == "inventory/Not Found"
    assert caught.value.message == "Finding device data from database failed : No managedObject for id '42'!"


def test_references_link_both_ways_and_cascade_deletes(state: TenantState) -> None:
    parent = state.inventory.create({"name": "p"}, owner="admin", now=state.now())["id"]
    child = state.inventory.create({"name": "c"}, owner="admin", now=state.now())["id"]
    grandchild = state.inventory.create({"name": "g"}, owner="admin", now=state.now())["id"]
    state.add_child_reference(parent, "childDevices", child)
    state.add_child_reference(child, "childDevices", grandchild)
    state.identity.add(child, "c8y_Serial", "child-1")
    assert state.inventory.references(parent, "childDevices") == [child]
    assert state.inventory.references(child, "deviceParents") == [parent]
    assert state.inventory.descendants(parent) == {child, grandchild}
    assert state.inventory.ancestors(grandchild) == [child, parent]
    removed = state.delete_managed_object(child, cascade=True, with_device_user=False)
    assert removed == [child, grandchild]
    assert state.inventory.references(parent, "childDevices") == []
    assert state.identity.find("c8y_Serial", "child-1") is None


def test_filters_and_query(state: TenantState) -> None:
    state.inventory.create({"name": "a", "type": "t1", "c8y_IsDevice": {}}, owner="dev", now=state.now())
    state.inventory.create({"name": "b", "type": "t2"}, owner="admin", now=state.now())
    names = lambda f: [d["name"] for d in state.inventory.select(f)]  # noqa: E731
    assert names(InventoryFilter(type="t1")) == ["a"]
    assert names(InventoryFilter(fragment_type="c8y_IsDevice")) == ["a"]
    assert names(InventoryFilter(owner="admin")) == ["b"]
    assert names(InventoryFilter(text="B")) == ["b"]
    assert names(InventoryFilter(ids=("2", "1", "9"))) == ["b", "a"]
    # with a query, type is ignored (cumulocity-api.md §3.2)
    assert names(InventoryFilter(query=parse_query("name eq 'b'"), type="t1")) == ["b"]


def test_devices_write_only_their_own_objects_and_children(state: TenantState, admin: Principal) -> None:
    own = state.inventory.create({"name": "own"}, owner="device_d1", now=state.now())["id"]
    child = state.inventory.create({"name": "child"}, owner="admin", now=state.now())["id"]
    other = state.inventory.create({"name": "other"}, owner="device_d2", now=state.now())["id"]
    state.add_child_reference(own, "childDevices", child)
    device = device_principal("d1")
    state.check_may_write(device, own)
    state.check_may_write(device, child)
    with pytest.raises(TenantApiError) as caught:
        state.check_may_write(device, other)
    assert caught.value.status == 403
    state.check_may_write(admin, other)


def test_every_change_is_journaled_for_persistence(state: TenantState) -> None:
    created = state.inventory.create({"name": "x"}, owner="admin", now=state.now())
    state.inventory.update(created["id"], {"name": "y"}, now=state.now())
    changes = state.journal.take()
    assert [(c.kind, c.key) for c in changes] == [("managedObject", created["id"])]
    assert changes[0].value is not None and changes[0].value["document"]["name"] == "y"
    state.inventory.delete(created["id"])
    assert [(c.kind, c.value) for c in state.journal.take()] == [("managedObject", None)]
