"""Authentication and roles over HTTPS: every rule of cumulocity-api.md §4.1 as a raw HTTP test."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx2
import pyotp
import pytest

from c8ylink.core.clock import FixedClock
from c8ylink.core.jwt import decode_jwt_claims, encode_jwt
from c8ylink.tenant.background import BackgroundTenant

from .conftest import admin_auth, unique

pytestmark = pytest.mark.integration
BAD_CREDENTIALS = "Invalid credentials! : Bad credentials"

# every kind of endpoint that needs credentials (rule 1)
PROTECTED = [
    ("GET", "/inventory/managedObjects"),
    ("POST", "/inventory/managedObjects"),
    ("GET", "/inventory/managedObjects/1"),
    ("GET", "/identity/externalIds/c8y_Serial/x"),
    ("GET", "/measurement/measurements"),
    ("GET", "/event/events"),
    ("GET", "/alarm/alarms"),
    ("GET", "/devicecontrol/operations"),
    ("GET", "/devicecontrol/newDeviceRequests"),
    ("POST", "/devicecontrol/bulkNewDeviceRequests"),
    ("POST", "/devicecontrol/deviceCredentials"),
    ("GET", "/tenant/currentTenant"),
    ("GET", "/user/currentUser"),
    ("GET", "/tenant/tenants/t100/trusted-certificates"),
    ("POST", "/certificate-authority"),
    ("POST", "/.well-known/est/simplereenroll"),
    ("GET", "/__local__/users"),
]


@pytest.fixture
def anonymous(tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]) -> httpx2.Client:
    return client_for(tenant)


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
def test_everything_but_the_public_endpoints_needs_credentials(
    anonymous: httpx2.Client, method: str, path: str
) -> None:
    answer = anonymous.request(method, path, json={} if method == "POST" else None)
    assert answer.status_code == 401
    assert answer.json()["error"] == "security/Unauthorized"
    assert answer.json()["message"] == BAD_CREDENTIALS


def test_login_options_are_public(anonymous: httpx2.Client) -> None:
    options = anonymous.get("/tenant/loginOptions").json()["loginOptions"]
    assert [o["type"] for o in options] == ["BASIC", "OAUTH2_INTERNAL", "OAUTH2"]
    internal = options[1]
    sso = options[2]
    assert sso["initRequest"].endswith("/tenant/oauth?tenant_id=t100")
    assert (sso["grantType"], sso["userManagementSource"]) == ("AUTHORIZATION_CODE", "REMOTE")
    assert internal["initRequest"].endswith("/tenant/oauth?tenant_id=t100")
    assert internal["tfaStrategy"] == "TOTP" and internal["grantType"] == "PASSWORD"


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [
        ("t100/admin", None, 200),
        ("admin", None, 200),
        ("t999/admin", None, 401),
        ("t100/admin", "wrong", 401),
        ("t100/nobody", "x", 401),
    ],
    ids=["tenant-prefix", "bare-user", "wrong-tenant", "wrong-password", "unknown-user"],
)
def test_basic_auth(
    tenant: BackgroundTenant,
    client_for: Callable[..., httpx2.Client],
    username: str,
    password: str | None,
    status: int,
) -> None:
    client = client_for(tenant, (username, password or tenant.info.admin.password))
    answer = client.get("/tenant/currentTenant")
    assert answer.status_code == status
    if status == 200:
        assert answer.json()["name"] == "t100"
    else:
        assert answer.json()["message"] == BAD_CREDENTIALS


@pytest.mark.parametrize(
    "header", ["Basic !!!notbase64", "Basic " + base64.b64encode(b"no-colon").decode(), "Digest x"]
)
def test_malformed_authorization_headers_are_401(anonymous: httpx2.Client, header: str) -> None:
    assert anonymous.get("/tenant/currentTenant", headers={"Authorization": header}).status_code == 401


@pytest.fixture(scope="module")
def strict_tenant(start_tenant: Callable[..., BackgroundTenant]) -> Iterator[BackgroundTenant]:
    with start_tenant(strict_basic=True, device_ca=False) as running:
        yield running


def test_strict_mode_requires_the_tenant_prefix(
    strict_tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]
) -> None:
    password = strict_tenant.info.admin.password
    assert client_for(strict_tenant, ("admin", password)).get("/tenant/currentTenant").status_code == 401
    assert client_for(strict_tenant, ("t100/admin", password)).get("/tenant/currentTenant").status_code == 200


def _oauth_form(tenant: BackgroundTenant, **extra: str) -> dict[str, str]:
    return {"grant_type": "PASSWORD", "username": "admin", "password": tenant.info.admin.password, **extra}


def test_oai_secure_cookies_need_the_xsrf_header(
    tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]
) -> None:
    browser = client_for(tenant)
    login = browser.post("/tenant/oauth", params={"tenant_id": "t100"}, data=_oauth_form(tenant))
    assert login.status_code == 200 and login.content == b""
    token, xsrf = login.cookies["authorization"], login.cookies["XSRF-TOKEN"]
    assert decode_jwt_claims(token)["xsrfToken"] == xsrf
    cookies = {"Cookie": f"authorization={token}; XSRF-TOKEN={xsrf}"}
    fresh = client_for(tenant)
    missing = fresh.get("/user/currentUser", headers=cookies)
    assert missing.status_code == 401
    wrong = fresh.get("/user/currentUser", headers={**cookies, "X-XSRF-TOKEN": "nope"})
    assert wrong.status_code == 401
    right = fresh.get("/user/currentUser", headers={**cookies, "X-XSRF-TOKEN": xsrf})
    assert right.status_code == 200 and right.json()["userName"] == "admin"
    # the same JWT as a Bearer token needs no XSRF header (rule 3)
    assert fresh.get("/user/currentUser", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_oauth_token_endpoint_and_logout(
    tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]
) -> None:
    client = client_for(tenant)
    answer = client.post("/tenant/oauth/token", data=_oauth_form(tenant, tfa_code="undefined"))
    assert answer.status_code == 200
    token = answer.json()["access_token"]
    claims = decode_jwt_claims(token)
    assert (claims["iss"], claims["aud"], claims["sub"], claims["ten"]) == (
        "localhost",
        "localhost",
        "admin",
        "t100",
    )
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.post("/user/logout", headers=bearer).status_code == 200
    after = client.get("/tenant/currentTenant", headers=bearer)
    assert after.status_code == 401 and "logged out" in after.json()["message"]


@pytest.mark.parametrize(
    ("form", "content_type"),
    [({"password": "wrong"}, None), ({"username": "t999/admin"}, None), ({}, "application/json")],
    ids=["wrong-password", "wrong-tenant", "json-instead-of-form"],
)
def test_bad_oauth_logins(
    tenant: BackgroundTenant,
    client_for: Callable[..., httpx2.Client],
    form: dict[str, str],
    content_type: str | None,
) -> None:
    client = client_for(tenant)
    if content_type:
        answer = client.post("/tenant/oauth", json=_oauth_form(tenant))
        assert answer.status_code == 415
    else:
        answer = client.post("/tenant/oauth", data=_oauth_form(tenant, **form))
        assert answer.status_code == 401 and answer.json()["message"] == BAD_CREDENTIALS


def test_forged_tokens_are_refused(
    tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]
) -> None:
    client = client_for(tenant)
    token = client.post("/tenant/oauth/token", data=_oauth_form(tenant)).json()["access_token"]
    forged = encode_jwt({**decode_jwt_claims(token), "sub": "admin"}, b"guessed-key")
    answer = client.get("/tenant/currentTenant", headers={"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401 and "signature" in answer.json()["message"]
    garbage = client.get("/tenant/currentTenant", headers={"Authorization": "Bearer not.a.jwt"})
    assert garbage.status_code == 401


def test_expired_tokens_are_refused(
    start_tenant: Callable[..., BackgroundTenant], client_for: Callable[..., httpx2.Client]
) -> None:
    clock = FixedClock(datetime.now(UTC))
    with start_tenant(clock=clock, device_ca=False) as running:
        client = client_for(running)
        token = client.post("/tenant/oauth/token", data=_oauth_form(running)).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.get("/tenant/currentTenant", headers=bearer).status_code == 200
        running.call(lambda: clock.advance(1_209_601))
        expired = client.get("/tenant/currentTenant", headers=bearer)
        assert expired.status_code == 401 and "expired" in expired.json()["message"]


def _new_user(tenant: BackgroundTenant, api: httpx2.Client, **extra: object) -> tuple[str, str]:
    name = unique("user")
    answer = api.post("/__local__/users", json={"username": name, "password": f"pw-{name}", **extra})
    assert answer.status_code == 201
    return name, f"pw-{name}"


def test_totp_two_factor_with_basic_and_oauth(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    name, password = _new_user(tenant, api)
    secret = api.post(f"/__local__/users/{name}/tfa", json={"mode": "enable"}).json()["secret"]
    basic = client_for(tenant, (f"t100/{name}", password))
    without = basic.get("/tenant/currentTenant")
    assert without.status_code == 401
    assert without.json()["message"] == "Invalid credentials! : TFA TOTP code required."
    code = pyotp.TOTP(secret).now()
    assert basic.get("/tenant/currentTenant", headers={"tfatoken": code}).status_code == 200
    assert (
        basic.get(
            "/tenant/currentTenant", headers={"tfatoken": "000000" if code != "000000" else "111111"}
        ).status_code
        == 401
    )
    client = client_for(tenant)
    form = {"grant_type": "PASSWORD", "username": name, "password": password}
    refused = client.post("/tenant/oauth/token", data={**form, "tfa_code": "undefined"})
    assert refused.status_code == 401 and "TFA TOTP code required" in refused.json()["message"]
    token = client.post("/tenant/oauth/token", data={**form, "tfa_code": pyotp.TOTP(secret).now()}).json()[
        "access_token"
    ]
    assert decode_jwt_claims(token)["tfa"] is True
    me = client.get("/user/currentUser", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["twoFactorAuthenticationEnabled"] is True


def test_totp_enrolment_flow_as_go_c8y_cli_runs_it(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    name, password = _new_user(tenant, api)
    api.post(f"/__local__/users/{name}/tfa", json={"mode": "require"})
    basic = client_for(tenant, (f"t100/{name}", password))
    probe = basic.get("/tenant/currentTenant")
    assert probe.status_code == 401 and "TFA TOTP setup required" in probe.json()["message"]
    secret = basic.post("/user/currentUser/totpSecret").json()
    assert secret["secretQrUrl"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret["rawSecret"])
    assert (
        basic.post(
            "/user/currentUser/totpSecret/verify",
            json={"code": "000000" if totp.now() != "000000" else "111111"},
        ).status_code
        == 403
    )
    assert basic.post("/user/currentUser/totpSecret/verify", json={"code": totp.now()}).status_code == 204
    assert basic.post("/user/currentUser/totpSecret/activity", json={"isActive": True}).status_code == 204
    assert basic.get("/user/currentUser/totpSecret/activity", headers={"tfatoken": totp.now()}).json() == {
        "isActive": True
    }
    login = client_for(tenant).post(
        "/tenant/oauth/token",
        data={"grant_type": "PASSWORD", "username": name, "password": password, "tfa_code": totp.now()},
    )
    assert login.status_code == 200


def test_tfa_settings_of_the_tenant(api: httpx2.Client) -> None:
    settings = api.get("/tenant/tenants/t100/tfa").json()
    assert settings["strategy"] == "TOTP" and settings["enabledOnTenantLevel"] is True


@pytest.fixture(scope="module")
def device_client(tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]) -> httpx2.Client:
    api = client_for(tenant, admin_auth(tenant))
    serial = unique("roles")
    csv = f"ID;CREDENTIALS\n{serial};Pw-{serial}-1\n"
    assert api.post("/devicecontrol/bulkNewDeviceRequests", files={"file": ("d.csv", csv)}).status_code == 201
    return client_for(tenant, (f"t100/device_{serial}", f"Pw-{serial}-1"))


DEVICE_FORBIDDEN = [
    ("GET", "/tenant/tenants/t100/trusted-certificates", None),
    ("POST", "/tenant/tenants/t100/trusted-certificates", {}),
    ("GET", "/devicecontrol/newDeviceRequests", None),
    ("POST", "/devicecontrol/newDeviceRequests", {"id": "x"}),
    ("POST", "/devicecontrol/bulkNewDeviceRequests", None),
    ("POST", "/certificate-authority", None),
    ("POST", "/devicecontrol/operations", {"deviceId": "1"}),
    ("DELETE", "/measurement/measurements", None),
    ("GET", "/__local__/users", None),
    ("GET", "/tenant/tenants/t999/trusted-certificates", None),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), DEVICE_FORBIDDEN, ids=[f"{m} {p}" for m, p, _ in DEVICE_FORBIDDEN]
)
def test_device_users_are_forbidden_from_tenant_management(
    device_client: httpx2.Client, method: str, path: str, body: object
) -> None:
    answer = device_client.request(method, path, json=body)
    assert answer.status_code == 403
    assert answer.json()["error"] == "security/Forbidden"


def test_device_users_can_read_their_user_and_tenant(device_client: httpx2.Client) -> None:
    me = device_client.get("/user/currentUser").json()
    assert me["userName"].startswith("device_")
    assert [role["id"] for role in me["effectiveRoles"]] == ["ROLE_DEVICE"]
    assert device_client.get("/tenant/currentTenant").status_code == 200


@pytest.mark.parametrize(("tenant_id", "status"), [("management", 403), ("t999", 404)])
def test_other_tenants_in_paths(api: httpx2.Client, tenant_id: str, status: int) -> None:
    answer = api.get(f"/tenant/tenants/{tenant_id}/trusted-certificates")
    assert answer.status_code == status
