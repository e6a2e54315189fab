"""Every login type against the local tenant (go-c8y-cli.md §4): TFA codes, --from-env with every
variable of §2.4, C8Y_TOKEN, the SSO device flow and CERTIFICATE over mutual TLS."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pyotp
import pytest

from c8ylink.core.jwt import decode_jwt_claims
from c8ylink.infra.tls.ca import create_certificate_authority, issue_certificate
from c8ylink.infra.tls.certs import build_self_signed_certificate, encode_certificate_pem
from c8ylink.infra.tls.csr import build_csr
from c8ylink.infra.tls.keys import encode_private_key_pem, generate_private_key
from c8ylink.infra.tls.names import build_name
from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant

from .conftest import C8Y, Run, add_user, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]
DEADLINE = 60.0


def _tfa_user(admin: AdminClient) -> tuple[str, str, str]:
    user, password = add_user(admin)
    secret = admin.request("POST", f"/__local__/users/{user}/tfa", {"mode": "enable"})["secret"]
    return user, password, secret


def _session(c8y: C8y, tenant: BackgroundTenant, *args: str) -> str:
    name = unique("s")
    run = c8y("sessions", "create", "--host", tenant.info.https_url, "--name", name, "--mode", "dev", *args)
    assert run.code == 0, run.stderr
    return name


# -- two-factor ---------------------------------------------------------------------------------------------
def test_tfa_code_flag_and_wrong_or_expired_codes(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    user, password, secret = _tfa_user(admin)
    name = _session(c8y, tenant, "--username", user, "--password", password)
    missing = c8y("sessions", "login", "--session", name)
    assert missing.code == 1
    assert (
        "a two-factor code is required: pass --tfaCode CODE or set C8Y_CREDENTIAL_TOTP_SECRET"
        in missing.stderr
    )
    wrong = c8y("sessions", "login", "--session", name, "--tfaCode", "000000")
    assert wrong.code == 1 and "the two-factor code is wrong or expired" in wrong.stderr
    expired = pyotp.TOTP(secret).at(time.time() - 300)
    old = c8y("sessions", "login", "--session", name, "--tfaCode", expired)
    assert old.code == 1 and "wrong or expired" in old.stderr
    ok = c8y("sessions", "login", "--session", name, "--tfaCode", pyotp.TOTP(secret).now())
    assert ok.code == 0, ok.stderr
    assert decode_jwt_claims(ok.env_vars()["C8Y_TOKEN"])["tfa"] is True


def test_basic_login_type_with_tfa_switches_to_oauth_internal(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    user, password, secret = _tfa_user(admin)
    name = _session(c8y, tenant, "--username", user, "--password", password)
    run = c8y(
        "sessions", "login", "--session", name, "--loginType", "BASIC", "--tfaCode", pyotp.TOTP(secret).now()
    )
    assert run.code == 0, run.stderr
    assert "Two-factor authentication is required: logging in with OAUTH2_INTERNAL" in run.stderr
    assert run.env_vars()["C8Y_SETTINGS_LOGIN_TYPE"] == "OAUTH2_INTERNAL"


def test_totp_setup_without_a_terminal_says_to_use_one(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    user, password = add_user(admin)
    admin.request("POST", f"/__local__/users/{user}/tfa", {"mode": "require"})
    name = _session(c8y, tenant, "--username", user, "--password", password)
    run = c8y("sessions", "login", "--session", name)
    assert run.code == 1
    assert (
        "two-factor authentication must be set up" in run.stderr
        and "run set-session on a terminal" in run.stderr
    )


# -- from the environment --------------------------------------------------------------------------
def test_from_env_reads_every_session_variable(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    user, password, secret = _tfa_user(admin)
    for host_variable, user_variable in (
        ("C8Y_HOST", "C8Y_USER"),
        ("C8Y_URL", "C8Y_USERNAME"),
        ("C8Y_BASEURL", "C8Y_USER"),
    ):
        env = {
            host_variable: tenant.info.https_url,
            user_variable: user,
            "C8Y_PASSWORD": password,
            "C8Y_TENANT": "t100",
            "C8Y_MODE": "qual",
            "C8Y_SETTINGS_LOGIN_TYPE": "OAUTH2_INTERNAL",
            "C8Y_CREDENTIAL_TOTP_SECRET": secret,
        }
        run = c8y("sessions", "login", "--from-env", env=env)
        assert run.code == 0, run.stderr
        exported = run.env_vars()
        assert exported["C8Y_SESSION"] == "env://127.0.0.1"
        assert (exported["C8Y_MODE"], exported["C8Y_TENANT"], exported["C8Y_USER"]) == ("qual", "t100", user)
        assert exported["C8Y_SETTINGS_LOGIN_TYPE"] == "OAUTH2_INTERNAL"
        assert "    source: env://127.0.0.1" in run.stderr


def test_from_env_in_ci_needs_no_passphrase(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, home: Path
) -> None:
    """The user doc's CI recipe: no session file, no .key, no terminal and no C8Y_PASSPHRASE."""
    user, password = add_user(admin)
    env = {
        "C8Y_HOST": tenant.info.https_url,
        "C8Y_USER": user,
        "C8Y_PASSWORD": password,
        "C8Y_PASSPHRASE": None,
    }
    run = c8y("sessions", "login", "--from-env", env=env)
    assert run.code == 0, run.stderr
    assert not (home / ".cumulocity" / ".key").exists()  # nothing was encrypted: there is no file
    listed = c8y("devices", "list", env={**run.env_vars(), "C8Y_PASSPHRASE": None})
    assert listed.code == 0, listed.stderr


def test_c8y_token_skips_the_login(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient) -> None:
    user, password = add_user(admin)
    first = c8y(
        "sessions",
        "login",
        "--from-env",
        env={"C8Y_HOST": tenant.info.https_url, "C8Y_USER": user, "C8Y_PASSWORD": password},
    )
    token = first.env_vars()["C8Y_TOKEN"]
    issued_before = tenant.call(lambda: tenant.service.state.journal.version)
    run = c8y("sessions", "login", "--from-env", env={"C8Y_HOST": tenant.info.https_url, "C8Y_TOKEN": token})
    assert run.code == 0, run.stderr
    assert run.env_vars()["C8Y_TOKEN"] == token and run.env_vars()["C8Y_USER"] == user
    assert tenant.call(lambda: tenant.service.state.journal.version) == issued_before  # no new login


def test_from_env_without_host(c8y: C8y) -> None:
    run = c8y("sessions", "login", "--from-env", env={"C8Y_USER": "x"})
    assert run.code == 101 and "invalid session. host is empty: set C8Y_HOST" in run.stderr


# -- SSO device flow (RFC 8628) --------------------------------------------------------------------
@pytest.fixture
def sso_user(admin: AdminClient) -> Iterator[tuple[str, str]]:
    name, password = unique("sso"), "sso-pass-1"
    admin.request("POST", "/__local__/sso/users", {"username": name, "password": password})
    admin.request("PUT", "/__local__/sso/settings", {"deviceInterval": 1, "deviceCodeSeconds": 600})
    yield name, password
    admin.request(
        "PUT",
        "/__local__/sso/settings",
        {"deviceInterval": 5, "deviceCodeSeconds": 600, "slowDownOnce": False},
    )


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([C8Y, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _read_until(stream: IO[str], marker: str) -> tuple[str, str]:
    """Lines of ``stream`` up to the first containing ``marker``: (that line, all lines so far)."""
    seen = []
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return line, "".join(seen)
    raise AssertionError(f"{marker!r} never appeared in: {''.join(seen)}")


def _device_decision(tenant: BackgroundTenant, user_code: str, action: str, user: tuple[str, str]) -> int:
    import httpx2

    form = {"user_code": user_code, "username": user[0], "password": user[1], "action": action}
    with httpx2.Client(
        verify=__import__("ssl").create_default_context(cafile=str(tenant.info.ca_file))
    ) as http:
        return http.post(f"{tenant.info.https_url}/sso/device", data=form).status_code


@pytest.mark.parametrize(
    ("action", "slow_down"),
    [("approve", False), ("deny", False), ("approve", True)],
    ids=["approve", "deny", "slow-down"],
)
def test_device_flow(
    c8y: C8y,
    tenant: BackgroundTenant,
    admin: AdminClient,
    base_env: dict[str, str],
    sso_user: tuple[str, str],
    action: str,
    slow_down: bool,
) -> None:
    name = _session(c8y, tenant, "--loginType", "DEVICE")
    if slow_down:
        admin.request("PUT", "/__local__/sso/settings", {"slowDownOnce": True})
    process = _start(["sessions", "login", "--session", name], base_env)
    try:
        assert process.stderr is not None
        line, _ = _read_until(process.stderr, "First copy your one-time code:")
        user_code = line.rsplit(" ", 1)[-1].strip()
        if slow_down:
            _read_until(process.stderr, "asks to poll less often (slow_down): every 6 s")
        assert _device_decision(tenant, user_code, action, sso_user) == 200
        out, err = process.communicate(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    if action == "deny":
        assert process.returncode == 1
        assert "device login was denied at the identity provider (access_denied)" in err
        return
    assert process.returncode == 0, err
    assert "✓ Session is using DEVICE" in err
    assert f"export C8Y_USER='{sso_user[0]}'" in out


def test_device_flow_expired_token(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sso_user: tuple[str, str]
) -> None:
    admin.request("PUT", "/__local__/sso/settings", {"deviceCodeSeconds": 0})
    name = _session(c8y, tenant, "--loginType", "DEVICE")
    run = c8y("sessions", "login", "--session", name)
    assert run.code == 1
    assert "device login expired before it was approved (expired_token)" in run.stderr


def test_device_flow_without_sso_user_approval_is_refused_on_the_page(
    tenant: BackgroundTenant, sso_user: tuple[str, str]
) -> None:
    assert _device_decision(tenant, "NOPE-CODE", "approve", sso_user) == 400


# -- CERTIFICATE (mutual TLS) ----------------------------------------------------------------------
def _device_certificate(tenant: BackgroundTenant, admin_api: AdminClient, tmp_path: Path, *, trusted: bool):
    device = unique("device")
    now = tenant.call(tenant.service.state.now)
    key = generate_private_key()
    if trusted:
        ca = create_certificate_authority(build_name(unique("ca"), organization="Test"), now=now)
        cert = issue_certificate(ca, build_csr(key, build_name(device)), now=now)
        body = {
            "name": device,
            "certInPemFormat": encode_certificate_pem(ca.certificate).decode(),
            "autoRegistrationEnabled": True,
            "status": "ENABLED",
        }
        admin_api.request("POST", "/tenant/tenants/t100/trusted-certificates", body)
    else:
        cert = build_self_signed_certificate(key, build_name(device), now=now)
    cert_file, key_file = tmp_path / f"{device}.pem", tmp_path / f"{device}.key"
    cert_file.write_bytes(encode_certificate_pem(cert))
    key_file.write_bytes(encode_private_key_pem(key))
    return device, cert_file, key_file


def _certificate_env(tenant: BackgroundTenant, cert: Path, key: Path) -> dict[str, str]:
    return {
        "C8Y_HOST": tenant.info.https_url,
        "C8Y_CERTIFICATE": str(cert),
        "C8Y_CERTIFICATE_KEY": str(key),
        "C8Y_SETTINGS_LOGIN_CERTIFICATEURL": tenant.info.mtls_url,
    }


def test_certificate_login(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path) -> None:
    device, cert, key = _device_certificate(tenant, admin, tmp_path, trusted=True)
    run = c8y("sessions", "login", "--from-env", env=_certificate_env(tenant, cert, key))
    assert run.code == 0, run.stderr
    exported = run.env_vars()
    assert exported["C8Y_SETTINGS_LOGIN_TYPE"] == "CERTIFICATE"  # chosen because a certificate is given
    assert decode_jwt_claims(exported["C8Y_TOKEN"])["sub"] == f"device_{device}"


def test_certificate_not_trusted_by_the_tenant(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    _, cert, key = _device_certificate(tenant, admin, tmp_path, trusted=False)
    run = c8y("sessions", "login", "--from-env", env=_certificate_env(tenant, cert, key))
    assert run.code != 0
    assert "the tenant refused the client certificate" in run.stderr and "Traceback" not in run.stderr


def test_server_certificate_not_trusted(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient) -> None:
    user, password = add_user(admin)
    env = {
        "C8Y_HOST": tenant.info.https_url,
        "C8Y_USER": user,
        "C8Y_PASSWORD": password,
        "SSL_CERT_FILE": None,
    }
    run = c8y("sessions", "login", "--from-env", env=env)
    assert run.code != 0
    assert "the certificate of 127.0.0.1" in run.stderr and "is not trusted" in run.stderr
    assert run.stderr.count("\n") == 1 and "or skip the check with --insecure" in run.stderr
    insecure = c8y("sessions", "login", "--from-env", "--insecure", env=env)
    assert insecure.code == 0, insecure.stderr
