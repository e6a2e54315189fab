"""The device-credentials flow over MQTT, as Cumulocity's device agents (c8ydm) run it.

The device connects as the bootstrap user ``management/devicebootstrap`` with its serial as client
id, subscribes ``s/dcr`` and publishes empty ``s/ucr`` messages: nothing comes back until the
operator accepts the device request, then ``70,<tenant>,<username>,<password>``. With those
credentials it connects as itself and creates its device with SmartREST.
"""

from __future__ import annotations

import queue

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique
from .mqtt_devices import PahoDevice

pytestmark = pytest.mark.integration


def test_bootstrap_user_gets_credentials_once_accepted(
    tenant: BackgroundTenant, api: httpx2.Client, devices: list[PahoDevice]
) -> None:
    serial = unique("mqtt-bootstrap")
    boot = tenant.info.bootstrap
    assert api.post("/devicecontrol/newDeviceRequests", json={"id": serial}).status_code == 201
    device = PahoDevice(tenant, serial, username=boot.username, password=boot.password)
    devices.append(device)
    assert device.connect() == 0
    assert device.subscribe("s/dcr", "s/e") == [1, 1]
    # not accepted yet: no answer, and the request now waits for the operator
    device.publish("s/ucr", "")
    with pytest.raises(queue.Empty):
        device.messages.get(timeout=1.0)
    request = api.get(f"/devicecontrol/newDeviceRequests/{serial}").json()
    assert request["status"] == "PENDING_ACCEPTANCE"
    # the bootstrap session may do nothing else
    device.publish("s/us", f"100,{serial},c8y_Test")
    assert "s/ucr" in device.expect("s/e", "bootstrap")

    accepted = api.put(f"/devicecontrol/newDeviceRequests/{serial}", json={"status": "ACCEPTED"})
    assert accepted.status_code == 200
    device.publish("s/ucr", "")
    code, tenant_id, username, password = device.expect("s/dcr", "70,").split(",")
    assert (code, tenant_id, username) == ("70", tenant.info.tenant, f"device_{serial}")
    device.close()

    agent = PahoDevice(tenant, serial, username=f"{tenant_id}/{username}", password=password)
    devices.append(agent)
    assert agent.connect() == 0
    agent.subscribe("s/ds", "s/e")
    agent.publish("s/us", f"100,{serial},c8y_MQTTDevice\n211,21.5")
    managed = api.get(f"/identity/externalIds/c8y_Serial/{serial}")
    for _ in range(50):
        if managed.status_code == 200:
            break
        agent.publish("s/us", "")  # a no-op round trip, then look again
        managed = api.get(f"/identity/externalIds/c8y_Serial/{serial}")
    assert managed.status_code == 200


def test_wrong_bootstrap_password_is_refused(tenant: BackgroundTenant, devices: list[PahoDevice]) -> None:
    device = PahoDevice(
        tenant, unique("mqtt-bootstrap"), username=tenant.info.bootstrap.username, password="nope"
    )
    devices.append(device)
    assert device.connect() == 4
