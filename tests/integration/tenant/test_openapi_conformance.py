"""Every operation the tenant serves from Cumulocity's OpenAPI 10.18 answers as documented.

The ``client_for`` hook validates each answer (status, media type, JSON schema); this test walks
every served operation once with valid requests and then checks that each was actually validated
with a body, so that a new endpoint cannot slip past the schema check unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2
import pyotp
import pytest

from c8ylink.infra.tls.certs import build_self_signed_certificate, encode_certificate_pem
from c8ylink.infra.tls.keys import generate_private_key
from c8ylink.infra.tls.names import build_name
from c8ylink.tenant.background import BackgroundTenant

from .conftest import OpenApi, admin_auth, unique

pytestmark = pytest.mark.integration
T = "2026-01-01T00:00:00.000Z"

EXPECTED = {
    ("GET", "/tenant/loginOptions"),
    ("POST", "/tenant/oauth/token"),
    ("GET", "/tenant/currentTenant"),
    ("GET", "/user/currentUser"),
    ("PUT", "/user/currentUser"),
    ("GET", "/tenant/tenants/{tenantId}/tfa"),
    ("POST", "/user/currentUser/totpSecret"),
    ("GET", "/user/currentUser/totpSecret/activity"),
    ("POST", "/inventory/managedObjects"),
    ("GET", "/inventory/managedObjects"),
    ("GET", "/inventory/managedObjects/{id}"),
    ("PUT", "/inventory/managedObjects/{id}"),
    ("GET", "/inventory/managedObjects/{id}/childDevices"),
    ("GET", "/inventory/managedObjects/{id}/childAssets"),
    ("GET", "/inventory/managedObjects/{id}/childAdditions"),
    ("GET", "/inventory/managedObjects/{id}/childDevices/{childId}"),
    ("GET", "/identity"),
    ("POST", "/identity/globalIds/{id}/externalIds"),
    ("GET", "/identity/globalIds/{id}/externalIds"),
    ("GET", "/identity/externalIds/{type}/{externalId}"),
    ("POST", "/measurement/measurements"),
    ("GET", "/measurement/measurements"),
    ("GET", "/measurement/measurements/{id}"),
    ("POST", "/event/events"),
    ("GET", "/event/events"),
    ("GET", "/event/events/{id}"),
    ("PUT", "/event/events/{id}"),
    ("POST", "/alarm/alarms"),
    ("GET", "/alarm/alarms"),
    ("GET", "/alarm/alarms/{id}"),
    ("PUT", "/alarm/alarms/{id}"),
    ("GET", "/alarm/alarms/count"),
    ("POST", "/devicecontrol/operations"),
    ("GET", "/devicecontrol/operations"),
    ("GET", "/devicecontrol/operations/{id}"),
    ("PUT", "/devicecontrol/operations/{id}"),
    ("POST", "/devicecontrol/newDeviceRequests"),
    ("GET", "/devicecontrol/newDeviceRequests"),
    ("GET", "/devicecontrol/newDeviceRequests/{requestId}"),
    ("PUT", "/devicecontrol/newDeviceRequests/{requestId}"),
    ("POST", "/devicecontrol/bulkNewDeviceRequests"),
    ("POST", "/devicecontrol/deviceCredentials"),
    ("POST", "/tenant/tenants/{tenantId}/trusted-certificates"),
    ("GET", "/tenant/tenants/{tenantId}/trusted-certificates"),
    ("GET", "/tenant/tenants/{tenantId}/trusted-certificates/{fingerprint}"),
    ("PUT", "/tenant/tenants/{tenantId}/trusted-certificates/{fingerprint}"),
    ("POST", "/tenant/tenants/{tenantId}/trusted-certificates/bulk"),
}


def test_every_served_operation_answers_as_documented(
    tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client], openapi: OpenApi, tmp_path: Path
) -> None:
    api = client_for(tenant, admin_auth(tenant))
    anonymous = client_for(tenant)
    anonymous.get("/tenant/loginOptions")
    anonymous.post("/tenant/oauth/token", data={"username": "admin", "password": tenant.info.admin.password})
    api.get("/tenant/currentTenant")
    api.put("/user/currentUser", json={"firstName": "Ada"})
    api.get("/user/currentUser")
    api.get("/tenant/tenants/t100/tfa")
    name = unique("oas-user")
    password = api.post("/__local__/users", json={"username": name}).json()["password"]
    user = client_for(tenant, (f"t100/{name}", password))
    secret = user.post("/user/currentUser/totpSecret").json()["rawSecret"]
    user.get("/user/currentUser/totpSecret/activity", headers={"tfatoken": pyotp.TOTP(secret).now()})

    device = api.post(
        "/inventory/managedObjects",
        json={"name": unique("oas"), "c8y_IsDevice": {}, "com_cumulocity_model_Agent": {}},
    ).json()["id"]
    child = api.post(f"/inventory/managedObjects/{device}/childDevices", json={"name": "child"}).json()
    child_id = child["managedObject"]["id"]
    api.get("/inventory/managedObjects", params={"withTotalPages": "true"})
    api.get(f"/inventory/managedObjects/{device}")
    api.put(f"/inventory/managedObjects/{device}", json={"c8y_Hardware": {"model": "x"}})
    for kind in ("childDevices", "childAssets", "childAdditions"):
        api.get(f"/inventory/managedObjects/{device}/{kind}")
    api.get(f"/inventory/managedObjects/{device}/childDevices/{child_id}")

    serial = unique("oas-serial")
    api.get("/identity")
    api.post(f"/identity/globalIds/{device}/externalIds", json={"externalId": serial, "type": "c8y_Serial"})
    api.get(f"/identity/globalIds/{device}/externalIds")
    api.get(f"/identity/externalIds/c8y_Serial/{serial}")

    measurement = api.post(
        "/measurement/measurements",
        json={"source": {"id": device}, "type": "t", "time": T, "f": {"s": {"value": 1, "unit": "x"}}},
    ).json()
    api.get("/measurement/measurements", params={"source": device, "withTotalElements": "true"})
    api.get(f"/measurement/measurements/{measurement['id']}")
    event = api.post(
        "/event/events", json={"source": {"id": device}, "type": "t", "text": "x", "time": T}
    ).json()
    api.get("/event/events", params={"source": device})
    api.get(f"/event/events/{event['id']}")
    api.put(f"/event/events/{event['id']}", json={"text": "y"})
    alarm = api.post(
        "/alarm/alarms",
        json={"source": {"id": device}, "type": "t", "text": "x", "severity": "MINOR", "time": T},
    ).json()
    api.get("/alarm/alarms", params={"source": device})
    api.get(f"/alarm/alarms/{alarm['id']}")
    api.put(f"/alarm/alarms/{alarm['id']}", json={"status": "ACKNOWLEDGED"})
    api.get("/alarm/alarms/count", params={"source": device})

    operation = api.post("/devicecontrol/operations", json={"deviceId": device, "c8y_Restart": {}}).json()
    api.get("/devicecontrol/operations", params={"agentId": device})
    api.get(f"/devicecontrol/operations/{operation['id']}")
    api.put(f"/devicecontrol/operations/{operation['id']}", json={"status": "EXECUTING"})

    request_id = unique("oas-request")
    api.post("/devicecontrol/newDeviceRequests", json={"id": request_id})
    api.get("/devicecontrol/newDeviceRequests")
    boot = client_for(tenant, (tenant.info.bootstrap.username, tenant.info.bootstrap.password))
    boot.post("/devicecontrol/deviceCredentials", json={"id": request_id})
    api.get(f"/devicecontrol/newDeviceRequests/{request_id}")
    api.put(f"/devicecontrol/newDeviceRequests/{request_id}", json={"status": "ACCEPTED"})
    boot.post("/devicecontrol/deviceCredentials", json={"id": request_id})
    api.post(
        "/devicecontrol/bulkNewDeviceRequests",
        files={"file": ("d.csv", f"ID,CREDENTIALS\n{unique('b')},pw-123456\n")},
    )

    def pem() -> str:
        key = generate_private_key()
        now = tenant.call(tenant.service.state.now)
        return encode_certificate_pem(
            build_self_signed_certificate(key, build_name(unique("oas-cert")), now=now)
        ).decode()

    trusted = api.post(
        "/tenant/tenants/t100/trusted-certificates",
        json={"name": "oas", "certInPemFormat": pem(), "status": "ENABLED"},
    ).json()
    api.get("/tenant/tenants/t100/trusted-certificates")
    api.get(f"/tenant/tenants/t100/trusted-certificates/{trusted['fingerprint']}")
    api.put(f"/tenant/tenants/t100/trusted-certificates/{trusted['fingerprint']}", json={"name": "renamed"})
    api.post(
        "/tenant/tenants/t100/trusted-certificates/bulk",
        json={"certificates": [{"name": "b", "certInPemFormat": pem(), "status": "ENABLED"}]},
    )

    validated = {(method, template) for method, template, status in openapi.checked if status < 300}
    assert EXPECTED - validated == set()


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        (200, "application/vnd.com.nsn.cumulocity.managedobject+json", b'{"id": 5}'),
        (
            200,
            "application/vnd.com.nsn.cumulocity.managedobject+json",
            b'{"creationTime": "2026-01-01T00:00:00"}',
        ),
        (200, "application/json", b'{"id": "5"}'),
        (202, "application/vnd.com.nsn.cumulocity.managedobject+json", b'{"id": "5"}'),
    ],
    ids=["numeric-id", "time-without-zone", "plain-json-type", "undocumented-status"],
)
def test_the_conformance_check_catches_mistakes(
    openapi: OpenApi, status: int, content_type: str, body: bytes
) -> None:
    with pytest.raises(AssertionError):
        openapi.check("GET", "/inventory/managedObjects/5", status, content_type, body)
