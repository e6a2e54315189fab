"""The tenant's identity provider as pure state: codes with PKCE, device grants (RFC 7636, RFC 8628)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.ids import SystemSecrets
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.sso import CLIENT_ID, OAuthError, SsoProvider

NOW = datetime(2026, 1, 1, tzinfo=UTC)
REDIRECT = "http://127.0.0.1:5001/callback"
VERIFIER = "a" * 43
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def sso() -> SsoProvider:
    provider = SsoProvider(Journal(), SystemSecrets())
    provider.add_user("carol", "carol-pass1")
    return provider


def _code(sso: SsoProvider, challenge: str = CHALLENGE, method: str = "S256") -> str:
    user = sso.check("carol", "carol-pass1")
    assert user is not None
    return sso.authorize(
        user, client_id=CLIENT_ID, redirect_uri=REDIRECT, challenge=challenge, method=method, now=NOW
    )


def test_users_are_checked_and_persisted() -> None:
    journal = Journal()
    sso = SsoProvider(journal, SystemSecrets())
    sso.add_user("carol", "carol-pass1", ["admin"])
    assert sso.check("carol", "carol-pass1") is not None and sso.check("carol", "nope") is None
    [change] = journal.take()
    assert change.kind == "ssoUser" and "carol-pass1" not in str(change.value)
    restored = SsoProvider(Journal(), SystemSecrets())
    assert change.value is not None
    restored.restore([change.value])
    assert restored.check("carol", "carol-pass1") is not None
    with pytest.raises(TenantApiError, match="already exists"):
        sso.add_user("carol", "another-1")
    with pytest.raises(TenantApiError, match="at least 6"):
        sso.add_user("dave", "x")


def test_a_code_is_redeemed_once_with_the_right_verifier_and_redirect(sso: SsoProvider) -> None:
    code = _code(sso)
    user = sso.redeem_code(code, redirect_uri=REDIRECT, verifier=VERIFIER, now=NOW, client_id=CLIENT_ID)
    assert user.username == "carol"
    with pytest.raises(OAuthError, match="unknown, used or expired"):
        sso.redeem_code(code, redirect_uri=REDIRECT, verifier=VERIFIER, now=NOW)


@pytest.mark.parametrize(
    ("redirect", "verifier", "later", "message"),
    [
        ("http://127.0.0.1:9999/callback", VERIFIER, 0, "redirect_uri does not match"),
        (REDIRECT, "b" * 43, 0, "code_verifier does not match"),
        (REDIRECT, VERIFIER, 121, "unknown, used or expired"),
    ],
    ids=["other-redirect", "wrong-verifier", "expired"],
)
def test_bad_code_redemptions(
    sso: SsoProvider, redirect: str, verifier: str, later: int, message: str
) -> None:
    code = _code(sso)
    with pytest.raises(OAuthError, match=message) as caught:
        sso.redeem_code(code, redirect_uri=redirect, verifier=verifier, now=NOW + timedelta(seconds=later))
    assert caught.value.error == "invalid_grant"


def test_plain_pkce_and_unknown_methods(sso: SsoProvider) -> None:
    code = _code(sso, challenge="plain-verifier-value", method="plain")
    assert sso.redeem_code(code, redirect_uri=REDIRECT, verifier="plain-verifier-value", now=NOW)
    with pytest.raises(OAuthError, match="S256 or plain"):
        _code(sso, method="MD5")


def test_device_grant_pending_approved_and_single_use(sso: SsoProvider) -> None:
    grant = sso.start_device(client_id=CLIENT_ID, scope="openid", now=NOW)
    assert len(grant.user_code) == 9 and grant.user_code[4] == "-"
    with pytest.raises(OAuthError) as pending:
        sso.poll(grant.device_code, client_id=CLIENT_ID, now=NOW)
    assert pending.value.error == "authorization_pending"
    sso.decide(grant.user_code.lower(), user=sso.check("carol", "carol-pass1"), approve=True, now=NOW)
    later = NOW + timedelta(seconds=grant.interval)
    assert sso.poll(grant.device_code, client_id=CLIENT_ID, now=later).username == "carol"
    with pytest.raises(OAuthError, match="unknown device_code"):
        sso.poll(grant.device_code, client_id=CLIENT_ID, now=later)


def test_device_grant_slow_down_denied_expired(sso: SsoProvider) -> None:
    grant = sso.start_device(client_id=CLIENT_ID, scope="", now=NOW)
    with pytest.raises(OAuthError):
        sso.poll(grant.device_code, client_id=CLIENT_ID, now=NOW)
    with pytest.raises(OAuthError) as slow:
        sso.poll(grant.device_code, client_id=CLIENT_ID, now=NOW + timedelta(seconds=1))
    assert slow.value.error == "slow_down"
    sso.decide(grant.user_code, user=None, approve=False, now=NOW)
    with pytest.raises(OAuthError) as denied:
        sso.poll(grant.device_code, client_id=CLIENT_ID, now=NOW + timedelta(seconds=60))
    assert denied.value.error == "access_denied"
    expiring = sso.start_device(client_id=CLIENT_ID, scope="", now=NOW)
    with pytest.raises(OAuthError) as expired:
        sso.poll(expiring.device_code, client_id=CLIENT_ID, now=NOW + timedelta(seconds=601))
    assert expired.value.error == "expired_token"
    with pytest.raises(OAuthError) as unknown_client:
        sso.start_device(client_id="someone-else", scope="", now=NOW)
    assert (unknown_client.value.error, unknown_client.value.status) == ("invalid_client", 401)
