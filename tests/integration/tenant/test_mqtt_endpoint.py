"""The MQTT device endpoint with paho-mqtt clients: certificates, refusals, SmartREST, JSON, tokens.

Device certificates come from our own ``infra.tls``; the tenant is checked through its REST API.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
from collections.abc import Callable
from pathlib import Path

import httpx2
import paho.mqtt.client as mqtt
import pytest

from c8ylink.core.jwt import decode_jwt_claims
from c8ylink.infra.tls.certs import encode_certificate_pem
from c8ylink.infra.tls.csr import build_csr, encode_csr_pem
from c8ylink.infra.tls.keys import generate_private_key
from c8ylink.infra.tls.names import build_name
from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique
from .mqtt_devices import NO_CONNACK, PahoDevice, mqtt_address, own_ca, tenant_ca_cert, write_device_cert

pytestmark = pytest.mark.integration
TRUSTED = "/tenant/tenants/t100/trusted-certificates"


@pytest.fixture
def connect(tenant: BackgroundTenant, devices: list[PahoDevice], tmp_path: Path) -> Callable[..., PahoDevice]:
    """A connected certificate device (tenant CA), subscribed to the downstream topics."""

    def make(serial: str | None = None, topics: tuple[str, ...] = ("s/ds", "s/e")) -> PahoDevice:
        serial = serial or unique("mqtt")
        device = PahoDevice(tenant, serial, cert=tenant_ca_cert(tenant, tmp_path, serial))
        devices.append(device)
        assert device.connect() == 0
        if topics:
            assert device.subscribe(*topics) == [1] * len(topics)
        return device

    return make


def _managed_object(api: httpx2.Client, serial: str) -> dict[str, object]:
    found = api.get(f"/identity/externalIds/c8y_Serial/{serial}")
    assert found.status_code == 200, found.text
    return dict(api.get(f"/inventory/managedObjects/{found.json()['managedObject']['id']}").json())


# -- certificates, auto-registration, tokens -----------------------------------------------------------
def test_certificate_device_registers_itself_and_stores_data(
    connect: Callable[..., PahoDevice], api: httpx2.Client
) -> None:
    device = connect()
    serial = device.client._client_id.decode()
    device.publish("s/us", '100,"My, device",thin-edge.io\n114,c8y_Restart,c8y_Command\n123')
    moid = device.expect("s/ds", "124,").split(",")[1]
    document = _managed_object(api, serial)
    assert document["id"] == moid and document["name"] == "My, device" and document["type"] == "thin-edge.io"
    assert document["owner"] == f"device_{serial}" and "c8y_IsDevice" in document
    assert document["c8y_SupportedOperations"] == ["c8y_Restart", "c8y_Command"]
    assert document["c8y_Connection"] == {"status": "CONNECTED"}
    device.publish("s/us", "200,c8y_Temperature,T,21.5,C,2024-01-01T12:00:00+0100")
    device.publish("s/us", "100")  # idempotent: changes nothing, says so on s/e
    assert device.expect("s/e") == "41,100,Device already existing"
    measurements = api.get("/measurement/measurements", params={"source": moid}).json()["measurements"]
    assert measurements[0]["c8y_Temperature"] == {"T": {"value": 21.5, "unit": "C"}}
    assert measurements[0]["time"] == "2024-01-01T11:00:00.000Z"
    assert "lastMessage" in api.get(f"/inventory/managedObjects/{moid}").json()["c8y_Availability"]


def test_jwt_over_mqtt_is_accepted_by_rest_and_reenroll(
    connect: Callable[..., PahoDevice], tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]
) -> None:
    device = connect(topics=("s/dat",))
    serial = device.client._client_id.decode()
    device.publish("s/uat", "", qos=0)
    record, token = device.expect("s/dat").split(",", 1)
    assert record == "71"
    claims = decode_jwt_claims(token)
    assert claims["iss"] == tenant.info.domain and claims["sub"] == f"device_{serial}" and claims["exp"] > 0
    bearer = client_for(tenant, headers={"Authorization": f"Bearer {token}"})
    assert bearer.get("/user/currentUser").json()["userName"] == f"device_{serial}"
    csr = encode_csr_pem(build_csr(generate_private_key(), build_name(serial)))
    renewed = bearer.post(
        "/.well-known/est/simplereenroll", content=csr, headers={"Content-Type": "application/pkcs10"}
    )
    assert renewed.status_code == 200, renewed.text


def test_password_sessions_get_no_jwt_but_can_use_123(
    tenant: BackgroundTenant, api: httpx2.Client, devices: list[PahoDevice]
) -> None:
    serial = unique("basic")
    csv = f"ID,CREDENTIALS\n{serial},secret-123456\n"
    assert api.post("/devicecontrol/bulkNewDeviceRequests", files={"file": ("d.csv", csv)}).status_code == 201
    for tls in (False, True):  # the plain listener and username/password over one-way TLS
        device = PahoDevice(
            tenant, serial, username=f"t100/device_{serial}", password="secret-123456", tls=tls
        )
        devices.append(device)
        assert device.connect() == 0
        device.subscribe("s/ds", "s/e", "s/dat")
        device.publish("s/us", "123")
        assert device.expect("s/ds", "124,")
        device.publish("s/uat", "", qos=0)
        assert "certificate" in device.expect("s/e", "s/uat")
        device.close()


# -- refusals ---------------------------------------------------------------------------
def test_refusals_use_cumulocity_connack_codes(
    tenant: BackgroundTenant, api: httpx2.Client, devices: list[PahoDevice], tmp_path: Path
) -> None:
    def code(device: PahoDevice) -> int:
        devices.append(device)
        return device.connect()

    serial = unique("refused")
    assert code(PahoDevice(tenant, serial)) == 5  # TLS without a certificate or a username
    other = tenant_ca_cert(tenant, tmp_path, unique("someone-else"))
    assert code(PahoDevice(tenant, serial, cert=other)) == 5  # CN is not the client id
    assert code(PahoDevice(tenant, serial, username="t100/admin", password="wrong", tls=False)) == 4
    assert code(PahoDevice(tenant, serial, username="t100/nobody", password="x1", tls=False)) == 4
    assert code(PahoDevice(tenant, serial, username="t100/admin", password="", tls=False)) == 5
    assert code(PahoDevice(tenant, "bad/id", username="t100/admin", password="x", tls=False)) == 2
    mqtt5 = PahoDevice(tenant, serial, cert=tenant_ca_cert(tenant, tmp_path, serial), protocol=mqtt.MQTTv5)
    assert code(mqtt5) == 1  # MQTT 5 is not part of the endpoint: CONNACK "unacceptable protocol"


def test_untrusted_certificate_is_refused(tenant: BackgroundTenant, tmp_path: Path) -> None:
    """An issuer the tenant never trusted fails the TLS handshake (see docs/local-tenant.md)."""
    serial = unique("untrusted")
    files = write_device_cert(
        tmp_path, serial, own_ca(tenant, "never-uploaded"), tenant.call(tenant.service.state.now)
    )
    device = PahoDevice(tenant, serial, cert=files)
    try:
        outcome = device.connect()
    except (ssl.SSLError, OSError):
        outcome = NO_CONNACK
    finally:
        device.client.loop_stop()
    assert outcome == NO_CONNACK


def test_revoked_trusted_certificate_disconnects_and_refuses(
    tenant: BackgroundTenant, api: httpx2.Client, devices: list[PahoDevice], tmp_path: Path
) -> None:
    ca = own_ca(tenant, unique("own-ca"))
    body = {"name": "own", "certInPemFormat": encode_certificate_pem(ca.certificate).decode(),
            "status": "ENABLED", "autoRegistrationEnabled": True}  # fmt: skip
    fingerprint = api.post(TRUSTED, json=body).json()["fingerprint"]
    serial = unique("own-ca-device")
    files = write_device_cert(tmp_path, serial, ca, tenant.call(tenant.service.state.now))
    first = PahoDevice(tenant, serial, cert=files)
    devices.append(first)
    assert first.connect() == 0
    assert api.delete(f"{TRUSTED}/{fingerprint}").status_code == 204
    assert first.disconnected.wait(20)
    first.close()
    again = PahoDevice(tenant, serial, cert=files)
    devices.append(again)
    assert again.connect() == 5


def test_disabled_anchor_and_registration_rules(
    start_tenant: Callable[..., BackgroundTenant], client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    with start_tenant() as tenant:
        api = client_for(tenant, (f"{tenant.info.tenant}/admin", tenant.info.admin.password))
        ca_entry = api.get(TRUSTED, params={"certificateAuthority": "true"}).json()["certificates"][0]
        api.put(f"{TRUSTED}/{ca_entry['fingerprint']}", json={"autoRegistrationEnabled": False})
        stranger = PahoDevice(tenant, "stranger", cert=tenant_ca_cert(tenant, tmp_path, "stranger"))
        assert stranger.connect() == 5  # not registered, no auto-registration
        csv = "ID\tAUTH_TYPE\tENROLLMENT_OTP\ncertified\tCERTIFICATES\tOtp-0123456789\n"
        assert (
            api.post("/devicecontrol/bulkNewDeviceRequests", files={"file": ("r.csv", csv)}).status_code
            == 201
        )
        registered = PahoDevice(tenant, "d:certified", cert=tenant_ca_cert(tenant, tmp_path, "certified"))
        assert registered.connect() == 0  # pre-registered for certificates; 'd:' prefix allowed
        registered.close()
        api.put(f"{TRUSTED}/{ca_entry['fingerprint']}", json={"status": "DISABLED"})
        assert (
            PahoDevice(tenant, "certified", cert=tenant_ca_cert(tenant, tmp_path, "certified")).connect() == 5
        )
        stranger.client.loop_stop()


# -- isolation ---------------------------------------------------------------------------
def test_devices_see_only_their_own_downstream(
    connect: Callable[..., PahoDevice], api: httpx2.Client
) -> None:
    alice, bob = connect(), connect()
    assert alice.subscribe("#", "s/us", "+/ds", "s/ds") == [0x80, 0x80, 0x80, 1]
    alice.publish("s/us", "100")
    bob.publish("s/us", "100")
    alice.publish("s/ds", "510,someone", retain=True)  # a device cannot publish downstream
    assert "downstream topic" in alice.expect("s/e")
    bob_serial = bob.client._client_id.decode()
    bob_id = str(_managed_object(api, bob_serial)["id"])
    created = api.post("/devicecontrol/operations", json={"deviceId": bob_id, "c8y_Restart": {}})
    assert created.status_code == 201
    assert bob.expect("s/ds") == f"510,{bob_serial}"
    alice.publish("s/us", "123")
    assert alice.expect("s/ds").startswith("124,")  # alice's first s/ds message is her own reply
    assert bob.messages.empty()


# -- operations ---------------------------------------------------------------------------
def test_operations_reach_the_agent_and_move_through_their_states(
    connect: Callable[..., PahoDevice], api: httpx2.Client
) -> None:
    device = connect(topics=("s/ds", "s/e", "devicecontrol/notifications"))
    serial = device.client._client_id.decode()
    child = f"{serial}-child"
    device.publish("s/us", f"100\n101,{child},Child,thin-edge.io-child")
    device.publish(f"s/us/{child}", "114,c8y_Command")
    root_id = str(_managed_object(api, serial)["id"])
    child_id = str(_managed_object(api, child)["id"])
    command = {"deviceId": child_id, "c8y_Command": {"text": 'echo "hi", there'}}
    op_id = api.post("/devicecontrol/operations", json=command).json()["id"]
    assert device.expect("s/ds") == f'511,{child},"echo \\"hi\\", there"'
    note = json.loads(device.expect("devicecontrol/notifications"))
    assert note["id"] == op_id and note["externalSource"] == {"externalId": child, "type": "c8y_Serial"}
    device.publish(f"s/us/{child}", "501,c8y_Command")
    assert api.get(f"/devicecontrol/operations/{op_id}").json()["status"] == "EXECUTING"
    device.publish(f"s/us/{child}", '503,c8y_Command,"hi, there"')
    done = api.get(f"/devicecontrol/operations/{op_id}").json()
    assert done["status"] == "SUCCESSFUL" and done["c8y_Command"]["result"] == "hi, there"
    device.publish("s/us", "501,c8y_Restart")
    assert device.expect("s/e") == "41,501,No PENDING operation with fragment c8y_Restart"
    restart = api.post("/devicecontrol/operations", json={"deviceId": root_id, "c8y_Restart": {}}).json()[
        "id"
    ]
    assert device.expect("s/ds") == f"510,{serial}"
    device.publish("s/us", "500")  # re-sends what is still PENDING
    assert device.expect("s/ds") == f"510,{serial}"
    device.publish("s/us", f"504,{restart}\n505,{restart},no power")
    failed = api.get(f"/devicecontrol/operations/{restart}").json()
    assert failed["status"] == "FAILED" and failed["failureReason"] == "no power"
    assert failed["delivery"]["status"] == "DELIVERED"


def test_pending_operations_are_delivered_on_subscription(
    connect: Callable[..., PahoDevice], api: httpx2.Client
) -> None:
    device = connect(topics=())
    device.publish("s/us", "100")
    moid = str(_managed_object(api, device.client._client_id.decode())["id"])
    op_id = api.post("/devicecontrol/operations", json={"deviceId": moid, "c8y_Custom": {"x": 1}}).json()[
        "id"
    ]
    device.subscribe("devicecontrol/notifications")
    assert json.loads(device.expect("devicecontrol/notifications"))["id"] == op_id


# -- JSON via MQTT ---------------------------------------------------------------------------
def test_json_via_mqtt(connect: Callable[..., PahoDevice], api: httpx2.Client) -> None:
    device = connect(topics=("error", "s/e"))
    serial = device.client._client_id.decode()
    child = f"{serial}-sensor"
    device.publish("s/us", f"100\n101,{child}")
    now = "2024-05-01T10:00:00Z"
    single = {"type": "t", "time": now, "source": {"id": "1"}, "t": {"v": {"value": 1}}}
    device.publish("measurement/measurements/create", json.dumps(single))
    bulk = {"type": "b", "time": now, "b": {"v": {"value": 2}},
            "externalSource": {"externalId": child, "type": "c8y_Serial"}}  # fmt: skip
    device.publish("measurement/measurements/createBulk", json.dumps({"measurements": [bulk]}))
    device.publish("event/events/create", json.dumps({"type": "e", "text": "hello", "time": now}))
    device.publish("alarm/alarms/create", json.dumps({"type": "a", "text": "oops"}), qos=1)
    error = json.loads(device.expect("error"))
    assert error["error"] == "undefined/validationError" and "severity" in error["message"]
    assert isinstance(error["messageId"], int)
    device.publish(f"inventory/managedObjects/update/{child}", json.dumps({"c8y_Hardware": {"model": "x"}}))
    device.publish("inventory/managedObjects/create", "{not json")
    assert "Malformed JSON" in json.loads(device.expect("error"))["message"]
    root, sensor = _managed_object(api, serial), _managed_object(api, child)
    assert sensor["c8y_Hardware"] == {"model": "x"}
    by_root = api.get("/measurement/measurements", params={"source": root["id"], "type": "t"}).json()
    assert by_root["measurements"][0]["source"]["id"] == root["id"]  # the given source is overridden
    assert api.get("/measurement/measurements", params={"source": sensor["id"]}).json()["measurements"]
    assert api.get("/event/events", params={"source": root["id"]}).json()["events"][0]["text"] == "hello"


# -- bad input ---------------------------------------------------------------------------
NOW = b"2024-05-01T10:00:00Z"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"type": "t", "time": "%s", "t": {"v": {"value": NaN}}}' % NOW, "NaN is not a JSON number"),
        (b'{"type": "t", "time": "%s", "t": {"v": {"value": 1e999}}}' % NOW, "number out of range"),
        (b"[" * 8_000 + b"]" * 8_000, "nested deeper than"),
    ],
    ids=["nan", "overflow", "nested-too-deep"],
)
def test_json_via_mqtt_refuses_what_is_not_standard_json(
    connect: Callable[..., PahoDevice], payload: bytes, message: str
) -> None:
    device = connect(topics=("error",))
    device.publish("measurement/measurements/create", payload)
    answer = json.loads(device.expect("error"))
    assert answer["error"] == "undefined/validationError" and message in answer["message"]


@pytest.mark.parametrize(
    ("payload", "answer"),
    [
        (b"200,c8y_T,T", "45,200,Wrong number of arguments"),
        (b"999,x", "43,999,No static template for message id 999"),
        (b"200,c8y_T,T,warm", "45,200,Value is not a NUMBER: warm"),
        (b'400,type,"unterminated', "42,1,unterminated quoted field (column 10)"),
        (b"125\n\n125", "42,2,Empty line (one SmartREST message per line)"),
        (b"400,t,\xff\xfe", "42,1,invalid UTF-8 byte 0xff (column 7)"),
        (b"200,c8y_T,T,1,C,yesterday", "45,200,Value is not a TIME: yesterday"),
    ],
    ids=["arity", "unknown-template", "bad-number", "broken-quoting", "empty-line", "non-utf8", "bad-time"],
)
def test_malformed_smartrest_gets_an_s_e_line(
    connect: Callable[..., PahoDevice], payload: bytes, answer: str
) -> None:
    device = connect()
    device.publish("s/us", payload)
    assert device.expect("s/e") == answer
    device.publish("s/us", '400,ok,"both ""quote"" styles \\"work\\""')  # the session goes on
    device.publish("s/us", "123")
    assert device.expect("s/ds").startswith("124,")


def test_oversize_packet_disconnects(connect: Callable[..., PahoDevice]) -> None:
    device = connect()
    device.client.publish("s/us", b"400,big," + b"x" * 16_200, qos=0)
    assert device.disconnected.wait(20)


def test_storm_of_reconnects_keeps_the_newest_session(
    tenant: BackgroundTenant, devices: list[PahoDevice], tmp_path: Path
) -> None:
    serial = unique("storm")
    files = tenant_ca_cert(tenant, tmp_path, serial)
    storm = [PahoDevice(tenant, serial, cert=files) for _ in range(8)]
    devices.extend(storm)
    for device in storm:
        device.client.reconnect_delay_set(60, 120)
        assert device.connect() == 0
    for older in storm[:-1]:
        assert older.disconnected.wait(20)
    newest = storm[-1]
    assert newest.subscribe("s/ds") == [1]
    newest.publish("s/us", "123")
    assert newest.expect("s/ds").startswith("124,")


def test_garbage_before_connect_is_dropped(
    tenant: BackgroundTenant, connect: Callable[..., PahoDevice]
) -> None:
    host, port = mqtt_address(tenant, "mqtt")
    with socket.create_connection((host, port), timeout=20) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\n\r\n")
        assert raw.recv(100) == b""
    device = connect()  # the endpoint still serves
    device.publish("s/us", "123")
    assert device.expect("s/ds").startswith("124,")


def test_will_is_executed_on_abnormal_disconnect(
    tenant: BackgroundTenant, api: httpx2.Client, tmp_path: Path
) -> None:
    serial = unique("will")
    device = PahoDevice(tenant, serial, cert=tenant_ca_cert(tenant, tmp_path, serial),
                        will=("s/us", '400,c8y_ConnectionEvent,"Device connection was lost."'))  # fmt: skip
    assert device.connect() == 0
    device.subscribe("s/ds")
    device.publish("s/us", "100")
    device.client.loop_stop()
    device.client.socket().close()  # no DISCONNECT: the will runs
    moid = str(_managed_object(api, serial)["id"])

    def lost() -> bool:
        events = api.get("/event/events", params={"source": moid, "type": "c8y_ConnectionEvent"}).json()
        return bool(events["events"])

    for _ in range(200):
        if lost():
            break
        tenant.call(lambda: None)
    assert lost()
    assert _managed_object(api, serial)["c8y_Connection"] == {"status": "DISCONNECTED"}


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
