"""Compatibility with a client we did not write: the official ``c8y_api`` package from PyPI.

It speaks Basic ``<tenant>/<user>``, posts without ``Accept`` in places, pages until an empty page,
builds its own inventory queries, and expects real-tenant status codes (201 for deviceCredentials).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from c8y_api import CumulocityApi, CumulocityDeviceRegistry
from c8y_api.model import Alarm, Device, Event, ManagedObject, Measurement

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
