"""Tenant and system options, the tenant itself, usage and device statistics, retention rules, bulk
operations, Notification 2.0 subscriptions and tokens, and the features only Cumulocity gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import admin_auth, unique

pytestmark = pytest.mark.integration


@pytest.fixture
def reader(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> httpx2.Client:
    """A business user (group ``business``): reads, but manages nothing."""
    name = unique("business")
    api.post("/user/t100/users", json={"userName": name, "password": "Secret-123"})
    api.post("/user/t100/groups/1/users", json={"user": {"id": name}})
    return client_for(tenant, (f"t100/{name}", "Secret-123"))


def test_tenant_options_round_trip(api: httpx2.Client, reader: httpx2.Client) -> None:
    category = unique("cat").replace("-", "")
    created = api.post("/tenant/options", json={"category": category, "key": "a", "value": "1"})
    assert created.status_code == 200 and created.json()["value"] == "1"
    assert api.get(f"/tenant/options/{category}/a").json()["value"] == "1"
    assert api.put(f"/tenant/options/{category}/a", json={"value": "2"}).json()["value"] == "2"
    assert (
        api.put(f"/tenant/options/{category}", json={"b": "3", "credentials.secret": "s"}).status_code == 200
    )
    assert api.get(f"/tenant/options/{category}").json() == {
        "a": "2",
        "b": "3",
        "credentials.secret": "<<Encrypted>>",
    }
    listed = api.get("/tenant/options", params={"pageSize": "2000"}).json()["options"]
    assert {(o["category"], o["key"]) for o in listed} >= {(category, "a"), (category, "b")}
    assert reader.get(f"/tenant/options/{category}/a").status_code == 200
    denied = reader.put(f"/tenant/options/{category}/a", json={"value": "x"})
    assert denied.status_code == 403 and denied.json()["error"] == "security/Forbidden"
    assert api.delete(f"/tenant/options/{category}/a").status_code == 204
    missing = api.get(f"/tenant/options/{category}/a")
    assert missing.status_code == 404 and set(missing.json()) == {"error", "message", "info"}
    audited = api.get("/audit/auditRecords", params={"type": "Option", "pageSize": "100"}).json()[
        "auditRecords"
    ]
    assert any(r["activity"] == "Option deleted" for r in audited)


def test_system_options(api: httpx2.Client) -> None:
    options = api.get("/tenant/system/options").json()["options"]
    assert ("system", "version") in {(o["category"], o["key"]) for o in options}
    assert api.get("/tenant/system/options/password/enforce.strength").json()["value"] == "false"
    assert api.get("/tenant/system/options/nothing/here").status_code == 404


def test_the_tenant_and_its_statistics(api: httpx2.Client, device_id: str, reader: httpx2.Client) -> None:
    tenant = api.get("/tenant/tenants/t100").json()
    assert tenant["id"] == "t100" and tenant["status"] == "ACTIVE"
    assert api.put("/tenant/tenants/t100", json={"company": "ACME"}).json()["company"] == "ACME"
    assert api.get("/tenant/tenants/t999").status_code == 404
    assert api.delete("/tenant/tenants/t100").status_code == 403
    assert api.post("/tenant/tenants", json={"domain": "x", "company": "x"}).status_code == 403
    assert api.get("/tenant/tenants").json()["tenants"] == []
    assert reader.put("/tenant/tenants/t100", json={"company": "x"}).status_code == 403

    api.post(
        "/measurement/measurements",
        json={
            "source": {"id": device_id},
            "type": "t",
            "time": "2026-01-01T00:00:00Z",
            "c8y_T": {"T": {"value": 1}},
        },
    )
    params = {"dateFrom": "2000-01-01", "dateTo": "2100-01-01", "pageSize": "2000"}
    usage = api.get("/tenant/statistics", params=params).json()["usageStatistics"]
    assert sum(day["measurementsCreatedCount"] for day in usage) >= 1
    total = api.get("/tenant/statistics/summary", params=params).json()
    assert total["measurementsCreatedCount"] >= 1 and total["deviceCount"] >= 1
    today = usage[0]["day"][:10]
    daily = api.get(f"/tenant/statistics/device/t100/daily/{today}").json()["statistics"]
    assert device_id in [entry["deviceId"] for entry in daily]
    assert reader.get("/tenant/statistics").status_code == 403


def test_retention_rules(api: httpx2.Client, reader: httpx2.Client) -> None:
    rule = api.post("/retention/retentions", json={"dataType": "MEASUREMENT", "maximumAge": 30}).json()
    assert rule["fragmentType"] == "*" and rule["editable"] is True
    assert api.get(f"/retention/retentions/{rule['id']}").json()["maximumAge"] == 30
    assert api.put(f"/retention/retentions/{rule['id']}", json={"maximumAge": 7}).json()["maximumAge"] == 7
    assert rule["id"] in [r["id"] for r in api.get("/retention/retentions").json()["retentionRules"]]
    assert api.post("/retention/retentions", json={"dataType": "NOPE", "maximumAge": 1}).status_code == 422
    assert api.post("/retention/retentions", json={"dataType": "ALARM"}).status_code == 422
    assert reader.post("/retention/retentions", json={"maximumAge": 1}).status_code == 403
    assert api.delete(f"/retention/retentions/{rule['id']}").status_code == 204


def test_bulk_operations_create_one_operation_per_group_device(api: httpx2.Client) -> None:
    group = api.post(
        "/inventory/managedObjects", json={"name": unique("group"), "c8y_IsDeviceGroup": {}}
    ).json()["id"]
    devices = []
    for _ in range(3):
        device = api.post(
            "/inventory/managedObjects",
            json={"name": unique("bulk"), "c8y_IsDevice": {}, "com_cumulocity_model_Agent": {}},
        ).json()["id"]
        api.post(f"/inventory/managedObjects/{group}/childAssets", json={"managedObject": {"id": device}})
        devices.append(device)
    body = {
        "groupId": group,
        "startDate": "2026-01-01T00:00:00Z",
        "creationRamp": 1,
        "operationPrototype": {"description": "restart", "c8y_Restart": {}},
    }
    bulk = api.post("/devicecontrol/bulkoperations", json=body).json()
    assert bulk["progress"]["all"] == 3 and bulk["generalStatus"] == "EXECUTING"
    operations = api.get(
        "/devicecontrol/operations", params={"bulkOperationId": bulk["id"], "pageSize": "10"}
    ).json()
    assert sorted(op["deviceId"] for op in operations["operations"]) == sorted(devices)
    for op in operations["operations"]:
        api.put(f"/devicecontrol/operations/{op['id']}", json={"status": "EXECUTING"})
        api.put(f"/devicecontrol/operations/{op['id']}", json={"status": "SUCCESSFUL"})
    done = api.get(f"/devicecontrol/bulkoperations/{bulk['id']}").json()
    assert done["generalStatus"] == "SUCCESSFUL" and done["status"] == "COMPLETED"
    assert (
        api.put(f"/devicecontrol/bulkoperations/{bulk['id']}", json={"creationRamp": 5}).json()[
            "creationRamp"
        ]
        == 5
    )
    assert bulk["id"] in [b["id"] for b in api.get("/devicecontrol/bulkoperations").json()["bulkOperations"]]
    assert api.delete(f"/devicecontrol/bulkoperations/{bulk['id']}").status_code == 204
    assert api.post("/devicecontrol/bulkoperations", json={"groupId": group}).status_code == 422


def test_notification2_subscriptions_and_tokens(api: httpx2.Client, device_id: str) -> None:
    name = unique("sub").replace("-", "")
    body = {
        "context": "mo",
        "subscription": name,
        "source": {"id": device_id},
        "subscriptionFilter": {"apis": ["alarms"]},
    }
    created = api.post("/notification2/subscriptions", json=body)
    assert created.status_code == 201 and created.json()["source"]["id"] == device_id
    assert api.post("/notification2/subscriptions", json=body).status_code == 409
    found = api.get("/notification2/subscriptions", params={"source": device_id}).json()["subscriptions"]
    assert [s["subscription"] for s in found] == [name]
    assert api.get(f"/notification2/subscriptions/{created.json()['id']}").json()["context"] == "mo"
    token = api.post("/notification2/token", json={"subscriber": "admin", "subscription": name}).json()[
        "token"
    ]
    assert token.count(".") == 2
    bearer = api.get("/user/currentUser", headers={"Authorization": f"Bearer {token}"}, auth=None)
    assert bearer.status_code == 401  # a notification token is no access token
    unsubscribed = api.post("/notification2/unsubscribe", params={"token": token})
    assert unsubscribed.json() == {"result": "DONE"}
    assert (
        api.post("/notification2/subscriptions", json={"context": "mo", "subscription": "x-y"}).status_code
        == 422
    )
    assert api.delete("/notification2/subscriptions", params={"source": device_id}).status_code == 204
    assert api.get("/notification2/subscriptions", params={"source": device_id}).json()["subscriptions"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/service/datahub/dremio/api/v3/catalog"),
        ("POST", "/service/datahub/sql"),
        ("GET", "/service/remoteaccess/devices/1/configurations"),
        ("GET", "/databroker/connectors"),
    ],
)
def test_features_only_cumulocity_gives_answer_as_not_subscribed(
    api: httpx2.Client, method: str, path: str
) -> None:
    answer = api.request(method, path)
    assert answer.status_code == 404
    assert answer.json()["error"] == "microservice/Not Found" and set(answer.json()) == {
        "error",
        "message",
        "info",
    }


def test_a_restart_keeps_the_new_stores(
    start_tenant: Callable[..., BackgroundTenant], client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    data_dir = tmp_path / "kept"
    with start_tenant(data_dir=data_dir, mqtt=False) as first:
        api = client_for(first, admin_auth(first))
        group = api.post("/user/t100/groups", json={"name": "kept-group"}).json()["id"]
        api.post("/user/t100/users", json={"userName": "kept-person", "password": "Secret-123"})
        api.post(f"/user/t100/groups/{group}/users", json={"user": {"id": "kept-person"}})
        api.post(f"/user/t100/groups/{group}/roles", json={"role": {"id": "ROLE_INVENTORY_ADMIN"}})
        api.post("/tenant/options", json={"category": "kept", "key": "k", "value": "v"})
        app = api.post(
            "/application/applications", json={"name": "kept-app", "key": "kept-key", "type": "HOSTED"}
        ).json()
        binary = api.post("/inventory/binaries", files={"file": ("k.txt", b"kept content")}).json()["id"]
        rule = api.post("/retention/retentions", json={"maximumAge": 3}).json()["id"]
    with start_tenant(data_dir=data_dir, mqtt=False) as second:
        api = client_for(second, admin_auth(second))
        assert (
            api.get(f"/user/t100/groups/{group}").json()["roles"]["references"][0]["role"]["id"]
            == "ROLE_INVENTORY_ADMIN"
        )
        person = client_for(second, ("t100/kept-person", "Secret-123"))
        assert person.post("/inventory/managedObjects", json={"name": "x"}).status_code == 201
        assert api.get("/tenant/options/kept/k").json()["value"] == "v"
        assert api.get(f"/application/applications/{app['id']}").json()["name"] == "kept-app"
        assert api.get(f"/inventory/binaries/{binary}").content == b"kept content"
        assert api.get(f"/retention/retentions/{rule}").json()["maximumAge"] == 3
        new_group = api.post("/user/t100/groups", json={"name": "after-restart"}).json()["id"]
        assert new_group != group
        assert api.get("/audit/auditRecords", params={"type": "User"}).json()["auditRecords"]
