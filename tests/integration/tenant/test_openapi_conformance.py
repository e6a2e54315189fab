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


def _documented_with_body(openapi: OpenApi) -> set[tuple[str, str]]:
    """Every served operation whose documented success answer has a body."""
    found = set()
    for template, item in openapi.spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, entry in operation["responses"].items():
                if status.startswith("2") and openapi._resolve(entry).get("content"):
                    found.add((method.upper(), template))
    return found


# refused on purpose (documented in docs/local-tenant.md): the local tenant has no sub-tenants
NOT_WALKED = {("POST", "/tenant/tenants")}


def test_every_other_served_operation_answers_as_documented(
    tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client], openapi: OpenApi, tmp_path: Path
) -> None:
    """The endpoint families beyond the first walk, each operation once; then every served operation
    documented with a body must have been validated by one walk or the other."""
    api = client_for(tenant, admin_auth(tenant))
    device = api.post("/inventory/managedObjects", json={"name": unique("oas2"), "c8y_IsDevice": {}}).json()[
        "id"
    ]
    for kind in ("childAssets", "childAdditions"):
        child = api.post(f"/inventory/managedObjects/{device}/{kind}", json={"name": "c"}).json()
        api.get(f"/inventory/managedObjects/{device}/{kind}/{child['managedObject']['id']}")
    api.post(
        "/measurement/measurements",
        json={"source": {"id": device}, "type": "t", "time": T, "c8y_T": {"T": {"value": 1, "unit": "C"}}},
    )
    api.get(
        "/measurement/measurements/series",
        params={"source": device, "dateFrom": "2025-12-31", "dateTo": "2026-01-02"},
    )
    api.get(f"/inventory/managedObjects/{device}/user")
    api.put(f"/inventory/managedObjects/{device}/user", json={"enabled": True})
    for tail in ("availability", "supportedMeasurements", "supportedSeries"):
        api.get(f"/inventory/managedObjects/{device}/{tail}")

    content = tmp_path / "a.bin"
    content.write_bytes(b"abc")
    with content.open("rb") as handle:
        binary = api.post(
            "/inventory/binaries",
            files={"file": ("a.bin", handle)},
            data={"object": '{"name": "a", "type": "t"}'},
        ).json()
    api.get("/inventory/binaries")
    api.get(f"/inventory/binaries/{binary['id']}")
    api.put(f"/inventory/binaries/{binary['id']}", content=b"x", headers={"Content-Type": "text/plain"})
    event = api.post(
        "/event/events", json={"source": {"id": device}, "type": "t", "text": "x", "time": T}
    ).json()
    api.post(f"/event/events/{event['id']}/binaries", content=b"x", headers={"Content-Type": "text/plain"})
    api.get(f"/event/events/{event['id']}/binaries")
    api.put(f"/event/events/{event['id']}/binaries", content=b"y", headers={"Content-Type": "text/plain"})

    name = unique("oasuser")
    api.post("/user/t100/users", json={"userName": name, "password": "Secret-123"})
    api.get("/user/t100/users")
    api.get(f"/user/t100/users/{name}")
    api.put(f"/user/t100/users/{name}", json={"firstName": "A"})
    api.get(f"/user/t100/userByName/{name}")
    api.get(f"/user/t100/users/{name}/groups")
    api.get(f"/user/t100/users/{name}/tfa")
    api.post(f"/user/t100/users/{name}/roles", json={"role": {"id": "ROLE_ALARM_READ"}})
    group = api.post("/user/t100/groups", json={"name": unique("oasgroup")}).json()
    api.get("/user/t100/groups")
    api.get(f"/user/t100/groups/{group['id']}")
    api.put(f"/user/t100/groups/{group['id']}", json={"description": "d"})
    api.get(f"/user/t100/groupByName/{group['name']}")
    api.post(f"/user/t100/groups/{group['id']}/users", json={"user": {"id": name}})
    api.get(f"/user/t100/groups/{group['id']}/users")
    api.post(f"/user/t100/groups/{group['id']}/roles", json={"role": {"id": "ROLE_EVENT_READ"}})
    api.get(f"/user/t100/groups/{group['id']}/roles")
    api.get("/user/roles")
    api.get("/user/roles/ROLE_EVENT_READ")
    role = api.post("/user/inventoryroles", json={"name": unique("oasrole"), "permissions": []}).json()
    api.get("/user/inventoryroles")
    api.get(f"/user/inventoryroles/{role['id']}")
    api.put(f"/user/inventoryroles/{role['id']}", json={"description": "d"})
    assignment = api.post(
        f"/user/t100/users/{name}/roles/inventory",
        json={"managedObject": device, "roles": [{"id": role["id"]}]},
    ).json()
    api.get(f"/user/t100/users/{name}/roles/inventory")
    api.get(f"/user/t100/users/{name}/roles/inventory/{assignment['id']}")
    api.put(
        f"/user/t100/users/{name}/roles/inventory/{assignment['id']}", json={"roles": [{"id": role["id"]}]}
    )

    record = api.post(
        "/audit/auditRecords",
        json={"type": "Inventory", "activity": "a", "text": "t", "time": T, "source": {"id": device}},
    ).json()
    api.get("/audit/auditRecords")
    api.get(f"/audit/auditRecords/{record['id']}")

    app_name = unique("oasapp")
    app = api.post(
        "/application/applications", json={"name": app_name, "key": f"{app_name}-k", "type": "MICROSERVICE"}
    ).json()
    api.get("/application/applications")
    api.get(f"/application/applications/{app['id']}")
    api.put(f"/application/applications/{app['id']}", json={"availability": "MARKET"})
    for by in (
        f"applicationsByName/{app_name}",
        "applicationsByOwner/t100",
        "applicationsByTenant/t100",
        "applicationsByUser/admin",
    ):
        api.get(f"/application/{by}")
    uploaded = api.post(
        f"/application/applications/{app['id']}/binaries",
        files={"file": ("a.zip", b"PK\x05\x06" + b"\0" * 18)},
    ).json()
    api.get(f"/application/applications/{app['id']}/binaries")
    api.get(f"/application/applications/{app['id']}/binaries/{uploaded['activeVersionId']}")
    api.post(
        f"/application/applications/{app['id']}/versions",
        files={"applicationBinary": ("b.zip", b"PK\x05\x06" + b"\0" * 18)},
        data={"applicationVersion": '{"version": "1.0", "tags": ["latest"]}'},
    )
    api.post(f"/application/applications/{app['id']}/clone")
    api.get(f"/application/applications/{app['id']}/versions")
    api.get(f"/application/applications/{app['id']}/versions", params={"version": "1.0"})
    api.put(f"/application/applications/{app['id']}/versions/1.0", json={"tags": ["stable"]})
    api.post(
        "/tenant/tenants/t100/applications",
        json={"application": {"self": f"{api.base_url}/application/applications/{app['id']}"}},
    )
    api.get("/tenant/tenants/t100/applications")
    boot = api.get(f"/application/applications/{app['id']}/bootstrapUser").json()
    as_app = client_for(tenant, (f"t100/{boot['name']}", boot["password"]))
    as_app.get("/application/currentApplication")
    as_app.put("/application/currentApplication", json={"availability": "PRIVATE"})
    as_app.get("/application/currentApplication/subscriptions")

    category = unique("oascat").replace("-", "")
    api.post("/tenant/options", json={"category": category, "key": "k", "value": "v"})
    api.get("/tenant/options")
    api.get(f"/tenant/options/{category}")
    api.get(f"/tenant/options/{category}/k")
    api.put(f"/tenant/options/{category}/k", json={"value": "w"})
    api.put(f"/tenant/options/{category}", json={"k2": "v2"})
    api.get("/tenant/system/options")
    api.get("/tenant/system/options/system/version")
    api.get("/tenant/tenants")
    api.get("/tenant/tenants/t100")
    api.put("/tenant/tenants/t100", json={"company": "c"})
    api.get("/tenant/statistics")
    api.get("/tenant/statistics/summary")
    api.get("/tenant/statistics/allTenantsSummary")
    api.get("/tenant/statistics/device/t100/daily/2026-01-01")
    api.get("/tenant/statistics/device/t100/monthly/2026-01-01")

    rule = api.post("/retention/retentions", json={"maximumAge": 1}).json()
    api.get("/retention/retentions")
    api.get(f"/retention/retentions/{rule['id']}")
    api.put(f"/retention/retentions/{rule['id']}", json={"maximumAge": 2})
    group_object = api.post(
        "/inventory/managedObjects", json={"name": unique("g"), "c8y_IsDeviceGroup": {}}
    ).json()["id"]
    api.post(f"/inventory/managedObjects/{group_object}/childAssets", json={"managedObject": {"id": device}})
    bulk = api.post(
        "/devicecontrol/bulkoperations",
        json={
            "groupId": group_object,
            "startDate": T,
            "creationRamp": 1,
            "operationPrototype": {"c8y_Restart": {}},
        },
    ).json()
    api.get("/devicecontrol/bulkoperations")
    api.get(f"/devicecontrol/bulkoperations/{bulk['id']}")
    api.put(f"/devicecontrol/bulkoperations/{bulk['id']}", json={"creationRamp": 2})
    subscription = unique("oassub").replace("-", "")
    created = api.post(
        "/notification2/subscriptions", json={"context": "tenant", "subscription": subscription}
    ).json()
    api.get("/notification2/subscriptions")
    api.get(f"/notification2/subscriptions/{created['id']}")
    token = api.post("/notification2/token", json={"subscriber": "s", "subscription": subscription}).json()[
        "token"
    ]
    api.post("/notification2/unsubscribe", params={"token": token})

    validated = {(method, template) for method, template, status in openapi.checked if status < 300}
    assert _documented_with_body(openapi) - NOT_WALKED - validated == set()
