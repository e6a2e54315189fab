"""Compatibility with a client we did not write: the official ``c8y_api`` package from PyPI.

It speaks Basic ``<tenant>/<user>``, posts without ``Accept`` in places, pages until an empty page,
builds its own inventory queries, and expects real-tenant status codes (201 for deviceCredentials).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from c8y_api import CumulocityApi, CumulocityDeviceRegistry
from c8y_api.model import (
    Alarm,
    Device,
    Event,
    GlobalRole,
    InventoryRole,
    ManagedObject,
    Measurement,
    User,
)

from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def c8y(tenant: BackgroundTenant) -> Iterator[CumulocityApi]:
    api = CumulocityApi(tenant.info.https_url, tenant.info.tenant, "admin", tenant.info.admin.password)
    api.session.verify = str(tenant.info.ca_file)
    api.session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would win over verify
    yield api
    api.session.close()


def test_inventory(c8y: CumulocityApi) -> None:
    name = unique("c8y-api")
    created = ManagedObject(c8y, type="c8y_api_test", name=name, c8y_Custom={"a": 1}).create()
    assert created.id and isinstance(created.id, str)
    fetched = c8y.inventory.get(created.id)
    assert fetched.name == name and fetched.c8y_Custom.a == 1
    fetched["c8y_Custom"] = {"a": 2}
    fetched.update()
    assert c8y.inventory.get(created.id).c8y_Custom.a == 2
    assert [mo.id for mo in c8y.inventory.select(name=name)] == [created.id]
    assert created.id in [mo.id for mo in c8y.inventory.select(type="c8y_api_test", page_size=2)]
    assert c8y.inventory.get_count(type="c8y_api_test") >= 1
    created.delete()
    with pytest.raises(KeyError):
        c8y.inventory.get(created.id)


def test_devices_and_children(c8y: CumulocityApi) -> None:
    parent = Device(c8y, type="c8y_api_device", name=unique("parent")).create()
    child = Device(c8y, type="c8y_api_device", name=unique("child")).create()
    parent.add_child_device(child)
    reloaded = c8y.device_inventory.get(parent.id)
    assert [ref.id for ref in reloaded.child_devices] == [child.id]
    assert parent.id in [device.id for device in c8y.device_inventory.select(type="c8y_api_device")]


def test_identity(c8y: CumulocityApi) -> None:
    device = Device(c8y, type="c8y_api_device", name=unique("xid")).create()
    serial = unique("c8y-api-serial")
    c8y.identity.create(serial, "c8y_Serial", device.id)
    assert c8y.identity.get_id(serial, "c8y_Serial") == device.id
    assert c8y.identity.get_object(serial, "c8y_Serial").name == device.name
    c8y.identity.delete(serial, "c8y_Serial")
    with pytest.raises(KeyError):
        c8y.identity.get_id(serial, "c8y_Serial")


def test_measurements_events_alarms(c8y: CumulocityApi) -> None:
    device = Device(c8y, type="c8y_api_device", name=unique("data")).create()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    measurements = [
        Measurement(
            c8y,
            type="c8y_Temperature",
            source=device.id,
            time=start + timedelta(minutes=i),
            c8y_Temperature={"T": {"value": 20 + i, "unit": "C"}},
        )
        for i in range(7)
    ]
    c8y.measurements.create(*measurements)
    read = list(c8y.measurements.select(source=device.id, page_size=3))
    assert len(read) == 7  # paged until an empty page
    assert [m.c8y_Temperature.T.value for m in read] == [20 + i for i in range(7)]
    Event(c8y, type="c8y_Door", source=device.id, time=start, text="opened").create()
    assert [e.text for e in c8y.events.select(source=device.id)] == ["opened"]
    for _ in range(2):
        Alarm(
            c8y, type="c8y_Overheat", source=device.id, time=start, text="hot", severity=Alarm.Severity.MAJOR
        ).create()
    (alarm,) = c8y.alarms.select(source=device.id)
    assert alarm.count == 2


def test_bootstrap_credentials(tenant: BackgroundTenant, c8y: CumulocityApi) -> None:
    serial = unique("c8y-api-bootstrap")
    c8y.post("/devicecontrol/newDeviceRequests", json={"id": serial})
    boot = tenant.info.bootstrap
    registry = CumulocityDeviceRegistry(
        tenant.info.https_url, boot.username.split("/")[0], boot.username.split("/")[1], boot.password
    )
    registry.session.verify = str(tenant.info.ca_file)
    registry.session.trust_env = False
    # the device asks once (404, request moves to PENDING_ACCEPTANCE), the operator accepts
    response = registry.session.send(
        registry.prepare_request("post", "/devicecontrol/deviceCredentials", json={"id": serial}),
        verify=str(tenant.info.ca_file),
    )
    assert response.status_code == 404
    c8y.put(f"/devicecontrol/newDeviceRequests/{serial}", json={"status": "ACCEPTED"})
    credentials = registry.session.send(
        registry.prepare_request("post", "/devicecontrol/deviceCredentials", json={"id": serial}),
        verify=str(tenant.info.ca_file),
    )
    assert credentials.status_code == 201
    assert credentials.json()["username"] == f"device_{serial}"


def test_get_last_with_date_only_bounds(c8y: CumulocityApi) -> None:
    device = Device(c8y, type="c8y_api_device", name=unique("last")).create()
    Measurement(c8y, type="t", source=device.id, time="now", c8y_T={"T": {"value": 5, "unit": "C"}}).create()
    Event(c8y, type="t", source=device.id, time="now", text="e").create()
    assert c8y.measurements.get_last(source=device.id).c8y_T.T.value == 5
    assert c8y.events.get_last(source=device.id).text == "e"
    series = c8y.measurements.get_series(
        source=device.id, series="c8y_T.T", after="1970-01-01", before="2100-01-01"
    )
    assert [spec.series for spec in series.specs] == ["c8y_T.T"]


def test_event_attachments(c8y: CumulocityApi) -> None:
    device = Device(c8y, type="c8y_api_device", name=unique("attach")).create()
    event = Event(c8y, type="c8y_Log", source=device.id, time="now", text="log").create()
    event.create_attachment(io.BytesIO(b"first"), content_type="text/plain")
    assert c8y.events.get(event.id).has_attachment()
    assert c8y.events.download_attachment(event.id) == b"first"
    c8y.events.update_attachment(event.id, io.BytesIO(b"second"))
    assert c8y.events.download_attachment(event.id) == b"second"
    c8y.events.delete_attachment(event.id)
    assert not c8y.events.get(event.id).has_attachment()


def test_binaries(c8y: CumulocityApi) -> None:
    name = unique("c8y-api-binary")
    binary = c8y.binaries.upload(io.BytesIO(b"content"), name=name, type="text/plain")
    assert binary.id and binary.name == name
    assert c8y.binaries.read_file(binary.id) == b"content"
    assert name in [b.name for b in c8y.binaries.select(type="text/plain")]
    c8y.binaries.delete(binary.id)


def test_users_global_roles_and_inventory_roles(c8y: CumulocityApi) -> None:
    name = unique("c8y-api-user")
    User(c8y, username=name, email=f"{name}@example.com", password="Secret-123").create()
    user = c8y.users.get(name)
    assert user.username == name and user.enabled
    role = GlobalRole(c8y, name=unique("c8y-api-role"), description="d").create()
    role.add_permissions("ROLE_INVENTORY_ADMIN")
    role.add_users(name)
    assert c8y.global_roles.get(role.id).permission_ids == {"ROLE_INVENTORY_ADMIN"}
    assert role.id in [r.id for r in c8y.global_roles.get_all(username=name)]
    inventory_role = InventoryRole(c8y, name=unique("c8y-api-inv"), description="x").create()
    assert c8y.inventory_roles.get(inventory_role.id).name == inventory_role.name
    assert name in [u.username for u in c8y.users.get_all()]
    c8y.users.get(name).delete()


def test_applications_options_alarm_counts_and_audit(c8y: CumulocityApi) -> None:
    assert "cockpit" in [app.name for app in c8y.applications.get_all()]
    category = unique("c8yapi").replace("-", "")
    c8y.tenant_options.set_value(category, "key", "value")
    assert c8y.tenant_options.get_value(category, "key") == "value"
    assert c8y.tenant_options.get_all_mapped(category) == {"key": "value"}
    device = Device(c8y, type="c8y_api_device", name=unique("count")).create()
    Alarm(
        c8y, type="c8y_Count", source=device.id, time="now", text="x", severity=Alarm.Severity.MINOR
    ).create()
    assert c8y.alarms.count(source=device.id) == 1
    assert c8y.audit_records.get_all(type="Inventory", source=device.id)
