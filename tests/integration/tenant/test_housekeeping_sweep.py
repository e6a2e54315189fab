"""The tenant's periodic sweep, on a real tenant (sweep every 0.1 s): a bulk operation's operations
arrive one every ``creationRamp`` seconds, and retention rules delete old data."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import admin_auth, unique

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sweeping(start_tenant: Callable[..., BackgroundTenant]) -> Iterator[BackgroundTenant]:
    with start_tenant(sweep_interval=0.1) as running:
        yield running


@pytest.fixture
def admin(sweeping: BackgroundTenant, client_for: Callable[..., httpx2.Client]) -> httpx2.Client:
    return client_for(sweeping, admin_auth(sweeping))


def eventually(check: Callable[[], bool], limit: float = 10.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def test_bulk_operation_operations_follow_the_ramp(admin: httpx2.Client) -> None:
    group = admin.post(
        "/inventory/managedObjects", json={"name": unique("ramp"), "c8y_IsDeviceGroup": {}}
    ).json()
    for number in range(3):
        device = admin.post(
            "/inventory/managedObjects", json={"name": f"r{number}", "c8y_IsDevice": {}}
        ).json()
        admin.post(
            f"/inventory/managedObjects/{group['id']}/childAssets",
            json={"managedObject": {"id": device["id"]}},
        )
    body = {"groupId": group["id"], "startDate": iso(datetime.now(UTC)), "creationRamp": 1,
            "operationPrototype": {"c8y_Restart": {}}}  # fmt: skip
    bulk = admin.post("/devicecontrol/bulkoperations", json=body).json()
    assert bulk["status"] == "IN_PROGRESS" and "_pending" not in bulk

    def count() -> int:
        found = admin.get(
            "/devicecontrol/operations", params={"bulkOperationId": bulk["id"], "pageSize": "10"}
        )
        return len(found.json()["operations"])

    assert count() < 3  # not all at once
    assert eventually(lambda: count() == 3)


def test_retention_rule_deletes_old_events(admin: httpx2.Client) -> None:
    device = admin.post("/inventory/managedObjects", json={"name": unique("kept"), "c8y_IsDevice": {}}).json()
    kind = unique("retained")
    source = {"id": device["id"]}
    ten_days_ago = iso(datetime.now(UTC) - timedelta(days=10))
    old = admin.post(
        "/event/events", json={"source": source, "type": kind, "text": "old", "time": ten_days_ago}
    )
    new = admin.post(
        "/event/events", json={"source": source, "type": kind, "text": "new", "time": iso(datetime.now(UTC))}
    )
    rule = {"dataType": "EVENT", "type": kind, "maximumAge": 5}
    assert admin.post("/retention/retentions", json=rule).status_code == 201
    assert eventually(lambda: admin.get(f"/event/events/{old.json()['id']}").status_code == 404)
    assert admin.get(f"/event/events/{new.json()['id']}").status_code == 200
