"""The tenant's SSO endpoints over HTTPS: init request, discovery, login page, token and device
endpoints, and the AUTHORIZATION_CODE exchange of /tenant/oauth/token (docs/local-tenant.md)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique

pytestmark = pytest.mark.integration
VERIFIER = "v" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
CALLBACK = "http://127.0.0.1:5001/callback"


@pytest.fixture
def anonymous(tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]) -> httpx2.Client:
    return client_for(tenant)


@pytest.fixture
def sso_user(api: httpx2.Client) -> tuple[str, str]:
    name = unique("sso")
    assert (
        api.post("/__local__/sso/users", json={"username": name, "password": "pass-word-1"}).status_code
        == 201
    )
    return name, "pass-word-1"


def _authorize(anonymous: httpx2.Client, user: tuple[str, str], **overrides: str) -> httpx2.Response:
    init = anonymous.get("/tenant/oauth", params={"tenant_id": "t100"}).json()["redirectTo"]
    params = {key: values[0] for key, values in parse_qs(urlsplit(init).query).items()}
    params.update(redirect_uri=CALLBACK, state="s1", code_challenge=CHALLENGE, code_challenge_method="S256")
    params.update(overrides)
    page = anonymous.get("/sso/authorize", params=params)
    assert page.status_code == 200 and "<form id='login'" in page.text
    form = {**params, "username": user[0], "password": user[1], "action": "login"}
    return anonymous.post("/sso/authorize", data=form)


def test_init_request_and_discovery(anonymous: httpx2.Client, tenant: BackgroundTenant) -> None:
    redirect = anonymous.get("/tenant/oauth", params={"tenant_id": "t100"}).json()["redirectTo"]
    assert (
        redirect.startswith(f"{tenant.info.https_url}/sso/authorize?") and "client_id=c8ylink-cli" in redirect
    )
    assert anonymous.get("/tenant/oauth", params={"tenant_id": "t999"}).status_code == 401
    discovery = anonymous.get("/.well-known/openid-configuration").json()
    assert discovery["device_authorization_endpoint"] == f"{tenant.info.https_url}/sso/device_authorization"
    assert "S256" in discovery["code_challenge_methods_supported"]


def test_code_flow_and_exchange_at_the_tenant(anonymous: httpx2.Client, sso_user: tuple[str, str]) -> None:
    answer = _authorize(anonymous, sso_user)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["s1"]
    form = {"grant_type": "AUTHORIZATION_CODE", "code": query["code"][0], "code_verifier": VERIFIER}
    token = anonymous.post("/tenant/oauth/token", data=form, headers={"Cookie": f"REQUEST_ORIGIN={CALLBACK}"})
    assert token.status_code == 200, token.text
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert anonymous.get("/user/currentUser", headers=bearer).json()["userName"] == sso_user[0]
    replay = anonymous.post(
        "/tenant/oauth/token", data=form, headers={"Cookie": f"REQUEST_ORIGIN={CALLBACK}"}
    )
    assert replay.status_code == 401 and "unknown, used or expired" in replay.json()["message"]


def test_wrong_password_cancel_and_refused_clients(
    anonymous: httpx2.Client, sso_user: tuple[str, str]
) -> None:
    wrong = _authorize(anonymous, (sso_user[0], "nope-nope"))
    assert wrong.status_code == 401 and "Invalid username or password" in wrong.text
    init = {"response_type": "code", "client_id": "c8ylink-cli", "redirect_uri": CALLBACK, "state": "x"}
    cancel = anonymous.post("/sso/authorize", data={**init, "action": "cancel"})
    assert cancel.status_code == 302 and "error=access_denied" in cancel.headers["Location"]
    stranger = anonymous.get("/sso/authorize", params={**init, "redirect_uri": "https://evil.example/cb"})
    assert stranger.status_code == 400 and "not allowed" in stranger.text
    other_client = anonymous.get("/sso/authorize", params={**init, "client_id": "other"})
    assert other_client.status_code == 400
    implicit = anonymous.get("/sso/authorize", params={**init, "response_type": "token"})
    assert implicit.status_code == 302 and "error=unsupported_response_type" in implicit.headers["Location"]


def test_token_endpoint_errors(anonymous: httpx2.Client) -> None:
    unsupported = anonymous.post("/sso/token", data={"grant_type": "password"})
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"
    bad_code = anonymous.post("/sso/token", data={"grant_type": "authorization_code", "code": "x"})
    assert bad_code.json()["error"] == "invalid_grant"


def test_device_authorization_and_verification_page(
    anonymous: httpx2.Client, sso_user: tuple[str, str]
) -> None:
    grant = anonymous.post(
        "/sso/device_authorization", data={"client_id": "c8ylink-cli", "scope": "openid"}
    ).json()
    assert grant["verification_uri_complete"].endswith(f"?user_code={grant['user_code']}")
    page = anonymous.get("/sso/device", params={"user_code": grant["user_code"]})
    assert f"value='{grant['user_code']}'" in page.text
    bad = anonymous.post(
        "/sso/device",
        data={
            "user_code": grant["user_code"],
            "username": sso_user[0],
            "password": "wrong-one",
            "action": "approve",
        },
    )
    assert bad.status_code == 401
    ok = anonymous.post(
        "/sso/device",
        data={
            "user_code": grant["user_code"],
            "username": sso_user[0],
            "password": sso_user[1],
            "action": "approve",
        },
    )
    assert ok.status_code == 200 and "Login approved" in ok.text
    token = anonymous.post(
        "/sso/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "device_code": grant["device_code"],
            "client_id": "c8ylink-cli",
        },
    )
    assert token.status_code == 200 and token.json()["token_type"] == "Bearer"
    unknown = anonymous.post("/sso/device_authorization", data={"client_id": "nobody"})
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
