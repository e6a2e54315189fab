"""SmartREST 2.0 custom template collections on the tenant, with paho-mqtt as the device.

A collection created over REST the way Cumulocity stores it (a ``c8y_SmartRest2Template`` managed
object with the external id ``c8y_SmartRest2DeviceIdentifier``) is used on ``s/uc/<xid>``; one created
over MQTT (``s/ut/<xid>``) shows in the inventory. Responses come on ``s/dc/<xid>``, errors on ``s/e``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique
from .mqtt_devices import PahoDevice, tenant_ca_cert

pytestmark = pytest.mark.integration
FRAGMENT = "com_cumulocity_model_smartrest_csv_CsvSmartRestTemplate"


@pytest.fixture
def connect(tenant: BackgroundTenant, devices: list[PahoDevice], tmp_path: Path) -> Callable[..., PahoDevice]:
    def make(xid: str, serial: str | None = None) -> PahoDevice:
        serial = serial or unique("custom")
        device = PahoDevice(tenant, serial, cert=tenant_ca_cert(tenant, tmp_path, serial))
        devices.append(device)
        assert device.connect() == 0
        assert device.subscribe("s/ds", "s/e", "s/dt", f"s/dc/{xid}") == [1, 1, 1, 1]
        device.publish("s/us", "100,,c8y_CustomDevice")
        return device

    return make


def _value(path: str, kind: str = "STRING", value: str = "") -> dict[str, str]:
    return {"path": path, "type": kind, "value": value}


def _request(msg_id: str, method: str, api: str, mandatory: list[Any], custom: list[Any], **more: Any) -> Any:
    return {"msgId": msg_id, "name": f"template {msg_id}", "method": method, "api": api,
            "mandatoryValues": mandatory, "customValues": custom, **more}  # fmt: skip


REST_COLLECTION = {
    "requestTemplates": [
        _request(
            "100",
            "POST",
            "MEASUREMENT",
            [_value("type", value="c8y_Pressure"), _value("time", "DATE")],
            [_value("c8y_Pressure.P.value", "NUMBER"), _value("c8y_Pressure.P.unit", value="hPa")],
            response=False,
        ),
        _request("101", "GET", "INVENTORY", [], [], byId=True, response=True),
        _request("102", "PUT", "ALARM", [_value("type")], [_value("status", "ALARMSTATUS", "CLEARED")]),
        _request(
            "103",
            "PUT",
            "OPERATION",
            [_value("fragment", value="c8y_Restart")],
            [_value("status", "OPERATIONSTATUS")],
        ),
        _request(
            "104",
            "PUT",
            "INVENTORY",
            [],
            [_value("c8y_Firmware.version"), _value("c8y_Flag", "FLAG")],
            byId=False,
            externalIdType="c8y_Serial",
        ),
    ],
    "responseTemplates": [
        {
            "msgId": "900",
            "name": "device",
            "base": "",
            "condition": "c8y_IsDevice",
            "pattern": ["name", "type"],
        },
        {
            "msgId": "901",
            "name": "restart",
            "base": "",
            "condition": "c8y_Restart",
            "pattern": ["description"],
        },
    ],
}


def _create_over_rest(api: httpx2.Client, xid: str, fragment: Any = REST_COLLECTION) -> str:
    body = {"name": xid, "type": "c8y_SmartRest2Template", "__externalId": xid, FRAGMENT: fragment}
    created = api.post("/inventory/managedObjects", json=body)
    assert created.status_code == 201, created.text
    object_id = str(created.json()["id"])
    bound = api.post(
        f"/identity/globalIds/{object_id}/externalIds",
        json={"type": "c8y_SmartRest2DeviceIdentifier", "externalId": xid},
    )
    assert bound.status_code == 201, bound.text
    return object_id


def _device_id(api: httpx2.Client, serial: str) -> str:
    return str(api.get(f"/identity/externalIds/c8y_Serial/{serial}").json()["managedObject"]["id"])


def _sync(device: PahoDevice, xid: str) -> str:
    """A round trip on s/ut: everything published before it has been applied."""
    device.publish(f"s/ut/{xid}", "")
    return device.expect("s/dt", xid)


def test_a_collection_created_over_rest_serves_mqtt(
    tenant: BackgroundTenant, api: httpx2.Client, connect: Callable[..., PahoDevice]
) -> None:
    xid = unique("rest-xid")
    object_id = _create_over_rest(api, xid)
    device = connect(xid)
    serial = str(device.client._client_id.decode())
    device_id = _device_id(api, serial)
    assert _sync(device, xid) == f"20,{xid},{object_id}"

    device.publish(f"s/uc/{xid}", "100,2026-01-02T03:04:05.000Z,1013.5\n100,,990")
    device.publish(f"s/uc/{xid}", f"101,{device_id}")
    assert device.expect(f"s/dc/{xid}", "900") == f"900,MQTT Device {serial},c8y_CustomDevice"
    found = api.get("/measurement/measurements", params={"source": device_id, "type": "c8y_Pressure"}).json()
    values = sorted(m["c8y_Pressure"]["P"]["value"] for m in found["measurements"])
    assert values == [990, 1013.5]
    assert {m["c8y_Pressure"]["P"]["unit"] for m in found["measurements"]} == {"hPa"}

    device.publish("s/us", "301,c8y_Overheat,too hot")
    device.publish(f"s/uc/{xid}", f"102,c8y_Overheat\n104,{serial},2.1.0")
    _sync(device, xid)
    alarms = api.get("/alarm/alarms", params={"source": device_id, "type": "c8y_Overheat"}).json()["alarms"]
    assert [alarm["status"] for alarm in alarms] == ["CLEARED"]
    document = api.get(f"/inventory/managedObjects/{device_id}").json()
    assert document["c8y_Firmware"] == {"version": "2.1.0"} and document["c8y_Flag"] == {}


def test_a_collection_created_over_mqtt_is_in_the_inventory_and_answers_operations(
    tenant: BackgroundTenant, api: httpx2.Client, connect: Callable[..., PahoDevice]
) -> None:
    xid = unique("mqtt-xid")
    device = connect(xid)
    assert _sync(device, xid) == f"41,{xid}"
    lines = [
        "10,200,POST,EVENT,,c8y_Door,,,c8y_Door.state,STRING,",
        "10,201,PUT,OPERATION,,c8y_Restart,status,OPERATIONSTATUS,",
        '11,800,,c8y_Restart,"$.description",id',
    ]
    device.publish(f"s/ut/{xid}", "\n".join(lines))
    answer = _sync(device, xid)
    code, name, object_id = answer.split(",")
    assert (code, name) == ("20", xid)
    stored = api.get(f"/inventory/managedObjects/{object_id}").json()
    assert stored["type"] == "c8y_SmartRest2Template"
    requests = stored[FRAGMENT]["requestTemplates"]
    assert [(r["msgId"], r["method"], r["api"]) for r in requests] == [
        ("200", "POST", "EVENT"),
        ("201", "PUT", "OPERATION"),
    ]
    bound = api.get(f"/identity/externalIds/c8y_SmartRest2DeviceIdentifier/{xid}").json()
    assert bound["managedObject"]["id"] == object_id

    serial = str(device.client._client_id.decode())
    device_id = _device_id(api, serial)
    device.publish(f"s/uc/{xid}", "200,door opened,,open")
    operation = api.post(
        "/devicecontrol/operations",
        json={"deviceId": device_id, "description": "Restart please", "c8y_Restart": {}},
    ).json()
    assert device.expect(f"s/dc/{xid}", "800") == f"800,{serial},Restart please,{operation['id']}"
    device.publish(f"s/uc/{xid}", "201,SUCCESSFUL")
    _sync(device, xid)
    assert api.get(f"/devicecontrol/operations/{operation['id']}").json()["status"] == "SUCCESSFUL"
    events = api.get("/event/events", params={"source": device_id, "type": "c8y_Door"}).json()["events"]
    assert [(e["text"], e["c8y_Door"]) for e in events] == [("door opened", {"state": "open"})]


def test_an_unknown_collection_is_a_41(tenant: BackgroundTenant, connect: Callable[..., PahoDevice]) -> None:
    xid = unique("nowhere")
    device = connect(xid)
    device.publish(f"s/uc/{xid}", "100,1")
    assert device.expect("s/e", xid) == f"41,{xid},Template collection {xid} not found"


BAD_DEFINITIONS = {
    "unknown value type": ("10,1,POST,MEASUREMENT,,c8y_T,,c8y_T.T.value,DECIMAL,", "Bad value type: DECIMAL"),
    "unsupported method": ("10,1,GET,MEASUREMENT,,c8y_T", "GET MEASUREMENT is not supported"),
    "filter in a path": ("10,1,PUT,INVENTORY,,true,,a[?(@.x)],STRING,", "Filters (?)"),
    "duplicate ids": ("10,1,POST,EVENT,,t,x,\n11,1,,,name", "Duplicate message identifiers"),
    "not a template line": ("100,dev,type", "Not a valid message identifier"),
    "response without pattern": ("11,5,,c8y_IsDevice", "Bad response template definition"),
    "fixed value of the wrong type": (
        "10,1,POST,MEASUREMENT,,c8y_T,,c8y_T.T.value,NUMBER,warm",
        "not a NUMBER",
    ),
}


@pytest.mark.parametrize(("lines", "reason"), BAD_DEFINITIONS.values(), ids=BAD_DEFINITIONS.keys())
def test_a_malformed_collection_is_a_41_and_not_created(
    tenant: BackgroundTenant, connect: Callable[..., PahoDevice], lines: str, reason: str
) -> None:
    xid = unique("bad-xid")
    device = connect(xid)
    device.publish(f"s/ut/{xid}", lines)
    error = device.expect("s/e", reason)
    assert error.startswith("41,")
    assert _sync(device, xid) == f"41,{xid}"


def test_an_existing_collection_is_not_replaced_over_mqtt(
    tenant: BackgroundTenant, api: httpx2.Client, connect: Callable[..., PahoDevice]
) -> None:
    xid = unique("kept-xid")
    object_id = _create_over_rest(api, xid)
    device = connect(xid)
    device.publish(f"s/ut/{xid}", "10,1,POST,EVENT,,t,x,")
    assert (
        device.expect("s/e", xid) == f"41,{xid},Cannot create templates for already existing template object"
    )
    assert api.get(f"/inventory/managedObjects/{object_id}").json()[FRAGMENT] == REST_COLLECTION


WRONG_MESSAGES = {
    "too many fields": ("100,,1013,extra", "45,100,Wrong number of arguments"),
    "a value not of its type": ("100,,high", "45,100,Value is not a NUMBER: high"),
    "a bad time": ("100,yesterday,1", "45,100,Value is not a DATE: yesterday"),
    "GET without the id": ("101", "45,101,Missing mandatory argument 'id'"),
    "unknown message id": ("555,1", "43,555,No template 555 in collection"),
    "no open alarm": ("102,c8y_Nothing", "41,102,No active alarm of type c8y_Nothing"),
    "unterminated quote": ('100,,"1', "42,1,"),
}


@pytest.mark.parametrize(("line", "error"), WRONG_MESSAGES.values(), ids=WRONG_MESSAGES.keys())
def test_a_message_that_does_not_fit_its_template_is_an_error(
    tenant: BackgroundTenant, api: httpx2.Client, connect: Callable[..., PahoDevice], line: str, error: str
) -> None:
    xid = unique("strict-xid")
    _create_over_rest(api, xid)
    device = connect(xid)
    device.publish(f"s/uc/{xid}", line)
    assert device.expect("s/e", error.partition(",")[0] + ",").startswith(error)


def test_a_broken_collection_stored_over_rest_is_a_41(
    tenant: BackgroundTenant, api: httpx2.Client, connect: Callable[..., PahoDevice]
) -> None:
    xid = unique("broken-xid")
    _create_over_rest(api, xid, {"requestTemplates": [_request("1", "DELETE", "EVENT", [], [])]})
    device = connect(xid)
    device.publish(f"s/uc/{xid}", "1")
    assert device.expect("s/e", xid).startswith(f"41,{xid},Template collection {xid} is broken: Bad request")


def test_the_default_collection_of_the_client_id_serves_s_ud(
    tenant: BackgroundTenant, api: httpx2.Client, devices: list[PahoDevice], tmp_path: Path
) -> None:
    xid = unique("default-xid")
    _create_over_rest(api, xid)
    serial = unique("default")
    device = PahoDevice(tenant, f"d:{serial}:{xid}", cert=tenant_ca_cert(tenant, tmp_path, serial))
    devices.append(device)
    assert device.connect() == 0
    assert device.subscribe("s/ds", "s/e", "s/dd") == [1, 1, 1]
    device.publish("s/us", "100,,c8y_CustomDevice")
    device_id = _device_id(api, serial)
    device.publish("s/ud", f"101,{device_id}")
    assert device.expect("s/dd", "900") == f"900,MQTT Device {serial},c8y_CustomDevice"
    operation = api.post(
        "/devicecontrol/operations", json={"deviceId": device_id, "description": "Go", "c8y_Restart": {}}
    ).json()
    assert device.expect("s/dd", "901,") == f"901,{serial},Go"
    device.publish("s/ud", "103,EXECUTING")
    device.publish("s/us", "")
    assert api.get(f"/devicecontrol/operations/{operation['id']}").json()["status"] == "EXECUTING"


def test_s_ud_without_a_default_collection_is_a_41(
    tenant: BackgroundTenant, connect: Callable[..., PahoDevice]
) -> None:
    device = connect("none")
    device.publish("s/ud", "100,1")
    assert device.expect("s/e", "s/ud").startswith("41,s/ud,No default template collection")
