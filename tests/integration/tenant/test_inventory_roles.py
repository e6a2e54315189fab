"""Inventory roles, enforced: a user without global roles who is assigned a group with an inventory role
sees the group, what is below it and those devices' data (in the role's scopes), nothing else, and
changes only where the role grants ADMIN."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique

pytestmark = pytest.mark.integration
T = "/user/t100"


def created(api: httpx2.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = api.post(path, json=body)
    assert answer.status_code in (200, 201), answer.text
    document: dict[str, Any] = answer.json()
    return document


def test_a_user_with_an_inventory_role_sees_only_its_group(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    group = created(api, "/inventory/managedObjects", {"name": unique("region"), "c8y_IsDeviceGroup": {}})
    inside = created(api, "/inventory/managedObjects", {"name": unique("in"), "c8y_IsDevice": {}})
    outside = created(api, "/inventory/managedObjects", {"name": unique("out"), "c8y_IsDevice": {}})
    api.post(
        f"/inventory/managedObjects/{group['id']}/childAssets", json={"managedObject": {"id": inside["id"]}}
    )
    for device in (inside, outside):
        created(api, "/event/events", {"source": {"id": device["id"]}, "type": "t", "text": "x",
                                       "time": "2026-01-01T00:00:00Z"})  # fmt: skip
    permissions = [
        {"permission": "READ", "scope": "MANAGED_OBJECT"},
        {"permission": "READ", "scope": "EVENT"},
    ]
    role = created(api, "/user/inventoryroles", {"name": unique("viewer"), "permissions": permissions})
    name = unique("fieldworker")
    created(api, f"{T}/users", {"userName": name, "password": "Secret-123"})
    created(
        api,
        f"{T}/users/{name}/roles/inventory",
        {"managedObject": group["id"], "roles": [{"id": role["id"]}]},
    )
    person = client_for(tenant, (f"t100/{name}", "Secret-123"))

    listed = person.get("/inventory/managedObjects", params={"pageSize": "2000"}).json()["managedObjects"]
    assert {item["id"] for item in listed} == {group["id"], inside["id"]}
    assert person.get(f"/inventory/managedObjects/{inside['id']}").status_code == 200
    assert person.get(f"/inventory/managedObjects/{outside['id']}").status_code == 403
    events = person.get("/event/events", params={"pageSize": "2000"}).json()["events"]
    assert {event["source"]["id"] for event in events} == {inside["id"]}
    assert person.get("/alarm/alarms", params={"pageSize": "2000"}).json()["alarms"] == []  # no ALARM scope
    assert person.put(f"/inventory/managedObjects/{inside['id']}", json={"x": 1}).status_code == 403  # READ

    admin_role = [{"permission": "ADMIN", "scope": "MANAGED_OBJECT"}, *permissions]
    assert api.put(f"/user/inventoryroles/{role['id']}", json={"permissions": admin_role}).status_code == 200
    assert person.put(f"/inventory/managedObjects/{inside['id']}", json={"x": 1}).status_code == 200
    assert person.put(f"/inventory/managedObjects/{outside['id']}", json={"x": 1}).status_code == 403
