"""Users (passwords, TOTP with ±1 step) and the tokens the tenant issues."""

from __future__ import annotations

import pyotp
import pytest

from c8ylink.core.clock import FixedClock
from c8ylink.core.jwt import decode_jwt_claims, encode_jwt
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.users import ADMIN


def test_passwords_are_hashed_and_checked(state: TenantState) -> None:
    user = state.users.add("t100", "alice", roles=[ADMIN], password="s3cret!", now=state.now())
    assert user.password_hash is not None and "s3cret!" not in user.password_hash
    assert "s3cret" not in repr(user)
    assert state.users.check_password(user, "s3cret!")
    assert not state.users.check_password(user, "wrong")
    with pytest.raises(TenantApiError) as caught:
        state.users.add("t100", "alice", roles=[ADMIN], password="x", now=state.now())
    assert caught.value.status == 409


def test_totp_accepts_the_current_and_neighbouring_steps_only(state: TenantState, clock: FixedClock) -> None:
    user, secret = state.users.enable_totp(
        state.users.add("t100", "bob", roles=[ADMIN], password="pw1234", now=state.now())
    )
    totp = pyotp.TOTP(secret)
    now = clock.now()
    assert state.users.totp_matches(user, totp.at(now), now=now)
    assert state.users.totp_matches(user, totp.at(now.timestamp() - 30), now=now)
    assert state.users.totp_matches(user, totp.at(now.timestamp() + 30), now=now)
    assert not state.users.totp_matches(user, totp.at(now.timestamp() - 90), now=now)
    assert not state.users.totp_matches(user, "12345", now=now)


def test_a_new_secret_or_password_invalidates_cached_credentials(state: TenantState) -> None:
    user = state.users.add("t100", "carol", roles=[ADMIN], password="pw1234", now=state.now())
    changed = state.users.set_password(user, "pw5678", now=state.now())
    assert changed.version > user.version


def test_user_tokens_carry_the_cumulocity_claims(state: TenantState, clock: FixedClock) -> None:
    issued = state.tokens.issue_user_token("admin", tfa=False, now=clock.now())
    claims = decode_jwt_claims(issued.token)
    assert claims["iss"] == claims["aud"] == "localhost"
    assert claims["sub"] == "admin" and claims["ten"] == "t100"
    assert claims["exp"] - claims["iat"] == 1_209_600
    assert claims["xsrfToken"] == issued.xsrf_token
    assert {"tci", "jti", "nbf", "tfa"} <= set(claims)
    assert state.tokens.verify(issued.token, now=clock.now())["sub"] == "admin"


def test_device_tokens_live_an_hour(state: TenantState, clock: FixedClock) -> None:
    token = state.tokens.issue_device_token("device_d1", now=clock.now()).token
    claims = decode_jwt_claims(token)
    assert claims["tci"] == "device_token_config" and claims["jti"] is None
    assert claims["exp"] - claims["iat"] == 3600
    clock.advance(3601)
    with pytest.raises(TenantApiError, match="expired") as caught:
        state.tokens.verify(token, now=clock.now())
    assert caught.value.status == 401


def test_forged_and_revoked_tokens_are_401(state: TenantState, clock: FixedClock) -> None:
    issued = state.tokens.issue_user_token("admin", tfa=False, now=clock.now())
    forged = encode_jwt(decode_jwt_claims(issued.token), b"not-the-tenant-key")
    with pytest.raises(TenantApiError, match="signature"):
        state.tokens.verify(forged, now=clock.now())
    state.tokens.revoke(issued.token, now=clock.now())
    with pytest.raises(TenantApiError, match="logged out"):
        state.tokens.verify(issued.token, now=clock.now())
