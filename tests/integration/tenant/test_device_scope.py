"""Device A cannot write device B's data, over REST (Basic device credentials) or MQTT (its client
certificate): measurements, events, alarms, B's managed object, external ids and operations are refused
(REST 403 ``security/Forbidden``; MQTT an error on A's ``s/e``, and a JSON ``source`` naming B is
replaced by A's own, as Cumulocity does) and nothing of it is stored for B; A gets none of B's
operations. (A device may read the inventory, as Cumulocity's device role does.)"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique
from .mqtt_devices import PahoDevice, tenant_ca_cert

pytestmark = pytest.mark.integration
MO = "/inventory/managedObjects"


def _register(
    api: httpx2.Client, client_for: Callable[..., httpx2.Client], tenant: BackgroundTenant
) -> tuple[httpx2.Client, str]:
    serial = unique("scope")
    csv = f"ID,CREDENTIALS,NAME\n{serial},Secret-{serial}1,{serial}\n"
    registered = api.post("/devicecontrol/bulkNewDeviceRequests", files={"file": ("d.csv", csv, "text/csv")})
    assert registered.json()["numberOfSuccessful"] == 1
    object_id = api.get(f"/identity/externalIds/c8y_Serial/{serial}").json()["managedObject"]["id"]
    return client_for(tenant, (f"{tenant.info.tenant}/device_{serial}", f"Secret-{serial}1")), str(object_id)


TIME = "2024-05-01T10:00:00.000Z"


def _writes(b_id: str, operation_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """What A tries against B: (method, path, body)."""
    source = {"source": {"id": b_id}, "time": TIME}
    return [
        ("POST", "/measurement/measurements", {**source, "type": "scope_m", "c8y_T": {"T": {"value": 1}}}),
        ("POST", "/event/events", {**source, "type": "scope_e", "text": "A was here"}),
        ("POST", "/alarm/alarms", {**source, "type": "scope_a", "text": "A", "severity": "MAJOR"}),
        ("PUT", f"{MO}/{b_id}", {"name": "taken over by A"}),
        (
            "POST",
            f"/identity/globalIds/{b_id}/externalIds",
            {"type": "c8y_Serial", "externalId": unique("x")},
        ),
        ("POST", f"{MO}/{b_id}/childDevices", {"managedObject": {"id": b_id}}),
        ("PUT", f"/devicecontrol/operations/{operation_id}", {"status": "FAILED", "failureReason": "A"}),
    ]


def test_device_a_cannot_write_device_b_data_over_rest(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    device_a, a_id = _register(api, client_for, tenant)
    _, b_id = _register(api, client_for, tenant)
    operation = api.post("/devicecontrol/operations", json={"deviceId": b_id, "c8y_Restart": {}}).json()
    before = api.get(f"{MO}/{b_id}").json()
    for method, path, body in _writes(b_id, operation["id"]):
        answer = device_a.request(method, path, json=body)
        assert answer.status_code == 403, (method, path, answer.status_code, answer.text)
        assert answer.json()["error"] == "security/Forbidden"
    for path, collection in (("/measurement/measurements", "measurements"), ("/event/events", "events"),
                             ("/alarm/alarms", "alarms")):  # fmt: skip
        assert api.get(path, params={"source": b_id}).json()[collection] == []
    after = api.get(f"{MO}/{b_id}").json()
    assert (after["name"], after.get("childDevices")) == (before["name"], before.get("childDevices"))
    assert api.get(f"/devicecontrol/operations/{operation['id']}").json()["status"] == "PENDING"
    own = device_a.post("/measurement/measurements", json=_writes(a_id, "0")[0][2])
    assert own.status_code == 201  # the same request for its own device is fine


@pytest.fixture
def devices(tenant: BackgroundTenant, tmp_path: Path) -> Iterator[Callable[[], PahoDevice]]:
    opened: list[PahoDevice] = []

    def make() -> PahoDevice:
        serial = unique("mqtt-scope")
        device = PahoDevice(tenant, serial, cert=tenant_ca_cert(tenant, tmp_path, serial))
        opened.append(device)
        assert device.connect() == 0
        assert device.subscribe("s/ds", "s/e") == [1, 1]
        device.publish("s/us", "100")
        return device

    yield make
    for device in opened:
        device.close()


def test_device_a_cannot_write_device_b_data_over_mqtt(
    devices: Callable[[], PahoDevice], api: httpx2.Client
) -> None:
    alice, bob = devices(), devices()
    bob_serial = bob.client._client_id.decode()
    alice.publish("s/us", "123")
    alice.expect("s/ds", "124,")  # alice's registration is done
    bob.publish("s/us", "123")
    bob.expect("s/ds", "124,")
    bob_id = api.get(f"/identity/externalIds/c8y_Serial/{bob_serial}").json()["managedObject"]["id"]
    alice.publish(f"s/us/{bob_serial}", "200,scope_c,T,1")  # bob is no child of alice
    assert alice.expect("s/e")
    measurement = {"type": "scope_j", "source": {"id": bob_id}, "time": TIME, "c8y_T": {"T": {"value": 1}}}
    alice.publish("measurement/measurements/create", json.dumps(measurement))  # source: the session's
    created = api.post("/devicecontrol/operations", json={"deviceId": bob_id, "c8y_Restart": {}})
    assert created.status_code == 201
    assert bob.expect("s/ds") == f"510,{bob_serial}"
    alice.publish("s/us", "123")  # handled after the JSON above (one connection, in order)
    assert alice.expect("s/ds").startswith("124,")  # alice's next s/ds is her own: no 510 of bob's
    alice_serial = alice.client._client_id.decode()
    alice_id = api.get(f"/identity/externalIds/c8y_Serial/{alice_serial}").json()["managedObject"]["id"]
    stored = api.get("/measurement/measurements", params={"source": alice_id, "type": "scope_j"})
    assert [m["source"]["id"] for m in stored.json()["measurements"]] == [alice_id]
    assert api.get("/measurement/measurements", params={"source": bob_id}).json()["measurements"] == []
