"""``C8yClient`` against the local tenant: credentials on every request, renewal before expiry, a revoked
token reported as such, HTTP errors with go-c8y-cli's exit codes, TLS trust via SSL_CERT_FILE."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from c8ylink.core.errors import ApiError, AuthError, TlsError
from c8ylink.infra.prompts import NoPrompter
from c8ylink.operator.active import open_client, write_gate
from c8ylink.operator.auth.login import LoginRequest, run_login
from c8ylink.operator.client import C8yClient, ClientConfig, TlsOptions
from c8ylink.operator.credentials import BASIC, Credentials
from c8ylink.operator.environment import Surroundings
from c8ylink.operator.gate import CommandIntent
from c8ylink.operator.sessions.model import Session
from c8ylink.operator.sessions.store import load_session, save_session
from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import TenantConfig

pytestmark = pytest.mark.integration
TWO_WEEKS = 14 * 86400


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundTenant]:
    config = TenantConfig.on_free_ports(tmp_path_factory.mktemp("tenant"))
    with BackgroundTenant(config) as running:
        yield running


def _tls(tenant: BackgroundTenant) -> TlsOptions:
    return TlsOptions.from_env({"SSL_CERT_FILE": str(tenant.info.ca_file)})


def _token_login(tenant: BackgroundTenant) -> Credentials:
    request = LoginRequest(
        host=tenant.info.https_url,
        username="admin",
        password=tenant.info.admin.password,
        tenant="t100",
        login_type="OAUTH2_INTERNAL",
    )
    return run_login(request, tls=_tls(tenant), prompter=NoPrompter()).credentials


def test_requests_carry_the_session_credentials(tenant: BackgroundTenant) -> None:
    basic = Credentials(BASIC, "admin", "t100", tenant.info.admin.password)
    with C8yClient(ClientConfig(tenant.info.https_url, basic, _tls(tenant))) as client:
        assert client.get_json("/tenant/currentTenant")["name"] == "t100"
        with pytest.raises(ApiError) as caught:
            client.get_json("/inventory/managedObjects/999999")
    assert caught.value.status == 404 and caught.value.exit_code == 4


def test_token_is_renewed_before_it_expires(tenant: BackgroundTenant) -> None:
    credentials = _token_login(tenant)
    renewed: list[Credentials] = []

    def renew(config: ClientConfig) -> Credentials:
        return _token_login(tenant)

    soon = time.time() + TWO_WEEKS - 60  # the clock the client sees: the token expires in a minute
    config = ClientConfig(tenant.info.https_url, credentials, _tls(tenant), renew_before=300)
    with C8yClient(config, renew=renew, on_renewed=renewed.append, now=lambda: soon) as client:
        assert client.get_json("/user/currentUser")["userName"] == "admin"
    assert len(renewed) == 1 and renewed[0].token != credentials.token


def test_expired_token_without_renewal_says_to_run_set_session(tenant: BackgroundTenant) -> None:
    credentials = _token_login(tenant)
    later = time.time() + TWO_WEEKS + 60
    client = C8yClient(ClientConfig(tenant.info.https_url, credentials, _tls(tenant)), now=lambda: later)
    with client, pytest.raises(AuthError, match=r"expired at .* cannot be renewed without a password"):
        client.get_json("/tenant/currentTenant")


def test_revoked_token_is_reported_clearly(tenant: BackgroundTenant) -> None:
    credentials = _token_login(tenant)
    tenant.call(lambda: tenant.service.state.tokens.revoke(credentials.token, now=tenant.service.state.now()))
    client = C8yClient(ClientConfig(tenant.info.https_url, credentials, _tls(tenant)))
    with client, pytest.raises(AuthError, match=r"no longer accepts the session token \(.*logged out\)"):
        client.get_json("/tenant/currentTenant")


def test_untrusted_tenant_certificate(tenant: BackgroundTenant) -> None:
    basic = Credentials(BASIC, "admin", "t100", tenant.info.admin.password)
    client = C8yClient(ClientConfig(tenant.info.https_url, basic, TlsOptions()))
    with client, pytest.raises(TlsError) as caught:
        client.get_json("/tenant/currentTenant")
    assert caught.value.kind == "unknown-ca"


def test_file_session_renewal_is_stored_back(tenant: BackgroundTenant, tmp_path: Path) -> None:
    """What a REST command (issue 8) gets from ``open_client``: renewal through the session's password."""
    home = tmp_path / "home"
    path = home / ".cumulocity" / "s.json"
    old = _token_login(tenant)
    save_session(
        Session(
            host=tenant.info.https_url,
            tenant="t100",
            username="admin",
            password=tenant.info.admin.password,
            token=old.token,
            path=str(path),
        ),
        path,
    )
    env = {
        "SSL_CERT_FILE": str(tenant.info.ca_file),
        "C8Y_SETTINGS_ENCRYPTION_ENABLED": "false",
        "C8Y_SETTINGS_SESSION_TOKENRENEWBEFORE": f"{TWO_WEEKS}s",
    }
    where = Surroundings(env=env, cwd=tmp_path, user_home=home)
    session = load_session(path)
    with open_client(session, where) as client:
        assert client.get_json("/tenant/currentTenant")["name"] == "t100"
        assert client.credentials.token != old.token
    assert load_session(path).token == client.credentials.token


def test_write_gate_for_a_prod_session(tenant: BackgroundTenant, tmp_path: Path) -> None:
    where = Surroundings(env={}, cwd=tmp_path, user_home=tmp_path)
    session = Session(host=tenant.info.https_url, settings={"session": {"mode": "prod"}})
    with pytest.raises(Exception, match="create mode is disabled"):
        write_gate(session, where).check(CommandIntent("c8y inventory create", "POST"))
    write_gate(session, where, session_mode_flag="dev", force=True).check(
        CommandIntent("c8y inventory create", "POST")
    )
    write_gate(session, Surroundings(env={"CI": "true"}, cwd=tmp_path, user_home=tmp_path)).check(
        CommandIntent("c8y inventory delete", "DELETE")
    )


def test_ssl_cert_dir_is_trusted_too(tenant: BackgroundTenant, tmp_path: Path) -> None:
    """``SSL_CERT_DIR`` (a ``:`` list of directories of PEM files) adds to the system store, as in Go."""
    trusted = tmp_path / "certs"
    trusted.mkdir()
    (trusted / "local-tenant.pem").write_bytes(tenant.info.ca_file.read_bytes())
    tls = TlsOptions.from_env({"SSL_CERT_DIR": f"/nonexistent:{trusted}"})
    basic = Credentials(BASIC, "admin", "t100", tenant.info.admin.password)
    with C8yClient(ClientConfig(tenant.info.https_url, basic, tls)) as client:
        assert client.get_json("/tenant/currentTenant")["name"] == "t100"
