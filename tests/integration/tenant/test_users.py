"""``/user``: users, groups, roles, inventory roles and their references; audit records (§4.1)."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique

pytestmark = pytest.mark.integration
T = "/user/t100"


def _new_user(api: httpx2.Client, **fields: object) -> str:
    name = unique("person")
    body = {"userName": name, "password": "Secret-123", "email": f"{name}@example.com", **fields}
    created = api.post(f"{T}/users", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["userName"] == name and "password" not in created.json()
    return name


def test_user_round_trip(api: httpx2.Client) -> None:
    name = _new_user(api, firstName="Ada")
    assert api.get(f"{T}/users/{name}").json()["firstName"] == "Ada"
    assert api.get(f"{T}/userByName/{name}").json()["id"] == name
    updated = api.put(f"{T}/users/{name}", json={"lastName": "Lovelace", "enabled": True})
    assert updated.status_code == 200 and updated.json()["lastName"] == "Lovelace"
    listed = api.get(f"{T}/users", params={"username": name, "withTotalPages": "true"}).json()
    assert [user["userName"] for user in listed["users"]] == [name]
    assert listed["statistics"]["totalPages"] == 1
    assert api.post(f"{T}/users", json={"userName": name, "password": "Secret-123"}).status_code == 409
    assert api.post(f"{T}/users", json={"password": "Secret-123"}).status_code == 422
    assert api.delete(f"{T}/users/{name}").status_code == 204
    missing = api.get(f"{T}/users/{name}")
    assert missing.status_code == 404 and set(missing.json()) == {"error", "message", "info"}


def test_groups_roles_and_references_grant_permissions(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    name = _new_user(api)
    person = client_for(tenant, (f"t100/{name}", "Secret-123"))
    denied = person.post("/inventory/managedObjects", json={"name": "x"})
    assert denied.status_code == 403  # no group yet: reading only
    assert person.get(f"{T}/users").status_code == 403

    group = api.post(f"{T}/groups", json={"name": unique("operators"), "description": "d"}).json()
    assert isinstance(group["id"], int)
    role_url = f"{api.base_url}/user/roles/ROLE_INVENTORY_ADMIN"
    assert api.post(f"{T}/groups/{group['id']}/roles", json={"role": {"self": role_url}}).status_code == 201
    user_url = f"{api.base_url}{T}/users/{name}"
    added = api.post(f"{T}/groups/{group['id']}/users", json={"user": {"self": user_url}})
    assert added.status_code == 201 and added.json()["user"]["userName"] == name
    assert person.post("/inventory/managedObjects", json={"name": "x"}).status_code == 201
    assert person.post(f"{T}/users", json={"userName": unique("no")}).status_code == 403  # not an admin

    members = api.get(f"{T}/groups/{group['id']}/users").json()["references"]
    assert [ref["user"]["userName"] for ref in members] == [name]
    roles = api.get(f"{T}/groups/{group['id']}/roles").json()["references"]
    assert [ref["role"]["id"] for ref in roles] == ["ROLE_INVENTORY_ADMIN"]
    user_groups = api.get(f"{T}/users/{name}/groups").json()["references"]
    assert [ref["group"]["name"] for ref in user_groups] == [group["name"]]
    assert api.get(f"{T}/groupByName/{group['name']}").json()["id"] == group["id"]

    assert api.delete(f"{T}/groups/{group['id']}/users/{name}").status_code == 204
    assert person.post("/inventory/managedObjects", json={"name": "x"}).status_code == 403
    assert api.post(f"{T}/users/{name}/roles", json={"role": {"id": "ROLE_ALARM_ADMIN"}}).status_code == 201
    assert person.post("/inventory/managedObjects", json={"name": "x"}).status_code == 201
    assert api.delete(f"{T}/users/{name}/roles/ROLE_ALARM_ADMIN").status_code == 204
    admins = api.post(f"{T}/groups/2/users", json={"user": {"id": name}})
    assert admins.status_code == 201
    assert person.get(f"{T}/users").status_code == 200
    assert api.delete(f"{T}/groups/{group['id']}").status_code == 204
    assert api.delete(f"{T}/groups/2").status_code == 403  # built-in


def test_disabled_users_cannot_log_in(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    name = _new_user(api)
    person = client_for(tenant, (f"t100/{name}", "Secret-123"))
    assert person.get("/user/currentUser").status_code == 200
    api.put(f"{T}/users/{name}", json={"enabled": False})
    assert person.get("/user/currentUser").status_code == 401


def test_roles_and_builtin_groups(api: httpx2.Client) -> None:
    roles = api.get("/user/roles", params={"pageSize": "2000"}).json()["roles"]
    assert {"ROLE_INVENTORY_ADMIN", "ROLE_TENANT_ADMIN", "ROLE_DEVICE"} <= {role["id"] for role in roles}
    assert api.get("/user/roles/ROLE_ALARM_READ").json()["name"] == "ROLE_ALARM_READ"
    assert api.get("/user/roles/ROLE_NOTHING").status_code == 404
    groups = api.get(f"{T}/groups").json()["groups"]
    assert {"admins", "business", "devices"} <= {group["name"] for group in groups}
    admins = api.get(f"{T}/groups/2/users").json()["references"]
    assert "admin" in [ref["user"]["userName"] for ref in admins]
    assert api.get("/user/t999/users").status_code == 404


def test_device_users_from_registration_are_visible(api: httpx2.Client) -> None:
    serial = unique("visible")
    csv = f"ID,CREDENTIALS,NAME\n{serial},Secret-{serial}1,{serial}\n"
    api.post("/devicecontrol/bulkNewDeviceRequests", files={"file": ("d.csv", csv, "text/csv")})
    found = api.get(f"{T}/users/device_{serial}").json()
    assert [ref["group"]["name"] for ref in found["groups"]["references"]] == ["devices"]
    devices = api.get(f"{T}/users", params={"onlyDevices": "true", "pageSize": "2000"}).json()["users"]
    assert f"device_{serial}" in [user["userName"] for user in devices]


def test_inventory_roles_and_assignments(api: httpx2.Client, device_id: str) -> None:
    role = api.post(
        "/user/inventoryroles",
        json={
            "name": unique("field"),
            "permissions": [{"permission": "READ", "scope": "ALARM", "type": "*"}],
        },
    ).json()
    assert api.get(f"/user/inventoryroles/{role['id']}").json()["permissions"][0]["scope"] == "ALARM"
    assert api.put(f"/user/inventoryroles/{role['id']}", json={"name": "renamed"}).json()["name"] == "renamed"
    assert api.get("/user/inventoryroles").status_code == 200
    name = _new_user(api)
    assignment = api.post(
        f"{T}/users/{name}/roles/inventory", json={"managedObject": device_id, "roles": [{"id": role["id"]}]}
    )
    assert assignment.status_code == 200 and assignment.json()["roles"][0]["id"] == role["id"]
    listed = api.get(f"{T}/users/{name}/roles/inventory").json()["inventoryAssignments"]
    assert [a["managedObject"] for a in listed] == [device_id]
    assignment_id = assignment.json()["id"]
    assert api.get(f"{T}/users/{name}/roles/inventory/{assignment_id}").status_code == 200
    assert api.delete(f"{T}/users/{name}/roles/inventory/{assignment_id}").status_code == 204
    assert api.delete(f"/user/inventoryroles/{role['id']}").status_code == 204
    bad = api.post("/user/inventoryroles", json={"name": "x", "permissions": [{"permission": "WRITE"}]})
    assert bad.status_code == 422


def test_changes_are_audited(api: httpx2.Client, device_id: str) -> None:
    name = _new_user(api)
    records = api.get("/audit/auditRecords", params={"type": "User", "pageSize": "50"}).json()["auditRecords"]
    assert any(r["source"]["id"] == name and r["activity"] == "User created" for r in records)
    api.put(f"/inventory/managedObjects/{device_id}", json={"c8y_Notes": "n"})
    inventory = api.get("/audit/auditRecords", params={"source": device_id}).json()["auditRecords"]
    assert inventory[0]["activity"] == "Managed object updated" and inventory[0]["user"] == "admin"
    posted = api.post(
        "/audit/auditRecords",
        json={
            "type": "Inventory",
            "activity": "Checked",
            "text": "by hand",
            "time": "2026-01-01",
            "source": {"id": device_id},
        },
    )
    assert posted.status_code == 422  # the body's time needs its zone
    posted = api.post(
        "/audit/auditRecords",
        json={
            "type": "Inventory",
            "activity": "Checked",
            "text": "by hand",
            "time": "2026-01-01T00:00:00Z",
            "source": {"id": device_id},
        },
    )
    assert posted.status_code == 201
    assert api.get(f"/audit/auditRecords/{posted.json()['id']}").json()["text"] == "by hand"


def test_the_device_user_of_a_device(
    api: httpx2.Client, client_for: Callable[..., httpx2.Client], tenant: BackgroundTenant
) -> None:
    serial = unique("owned")
    csv = f"ID,CREDENTIALS,NAME\n{serial},Secret-{serial}1,{serial}\n"
    api.post("/devicecontrol/bulkNewDeviceRequests", files={"file": ("d.csv", csv, "text/csv")})
    device = client_for(tenant, (f"t100/device_{serial}", f"Secret-{serial}1"))
    own = device.post("/inventory/managedObjects", json={"name": serial, "c8y_IsDevice": {}}).json()["id"]
    owner = api.get(f"/inventory/managedObjects/{own}/user").json()
    assert owner["userName"] == f"device_{serial}" and owner["enabled"] is True
    assert device.put(f"/inventory/managedObjects/{own}/user", json={"enabled": False}).status_code == 403
    assert (
        api.put(f"/inventory/managedObjects/{own}/user", json={"enabled": False}).json()["enabled"] is False
    )
    assert device.get("/user/currentUser").status_code == 401
