"""The pure login steps (go-c8y-cli.md §4)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from c8ylink.core.errors import AuthError, SessionError
from c8ylink.operator.auth import flows
from c8ylink.operator.auth.flows import DevicePoll


def test_login_option_weights_and_requested_type_first() -> None:
    options = [{"type": "BASIC"}, {"type": "OAUTH2_INTERNAL"}, {"type": "OAUTH2"}]
    assert [o["type"] for o in flows.sort_login_options(options, "")] == [
        "OAUTH2",
        "OAUTH2_INTERNAL",
        "BASIC",
    ]
    assert flows.sort_login_options(options, "BASIC")[0]["type"] == "BASIC"


def test_default_login_type() -> None:
    options = [{"type": "BASIC"}, {"type": "OAUTH2_INTERNAL"}, {"type": "OAUTH2"}]
    assert flows.default_login_type(options, has_password=True) == "OAUTH2_INTERNAL"
    assert flows.default_login_type(options, has_password=False) == "DEVICE"
    assert flows.default_login_type([{"type": "BASIC"}], has_password=False) == "BASIC"


def test_login_type_parsing_and_certificate_default() -> None:
    assert flows.choose_login_type(None, "basic", "DEVICE") == "BASIC"
    assert flows.choose_login_type("", "auto", has_certificate=True) == "CERTIFICATE"
    with pytest.raises(SessionError, match="invalid login type 'KERBEROS'"):
        flows.parse_login_type("KERBEROS")


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Invalid credentials! : TFA TOTP setup required", flows.TFA_SETUP),
        ("Invalid credentials! : TFA TOTP code required.", flows.TFA_CODE),
        ("Invalid credentials! : User has been logged out", flows.LOGGED_OUT),
        ("Invalid credentials! : Bad credentials", flows.BAD_CREDENTIALS),
        ("Tenant has no access from outside the platform", flows.NO_OUTSIDE_ACCESS),
        ("something else", flows.OTHER),
    ],
)
def test_unauthorized_messages(message: str, kind: str) -> None:
    assert flows.classify_unauthorized(message) == kind


def test_token_reuse_rules() -> None:
    now = 1_000_000.0
    long_token = {"iat": now - 100, "exp": now + 14 * 86400}
    assert flows.token_reuse(long_token, now=now, valid_for=8 * 3600, clear=False).reuse
    assert not flows.token_reuse(long_token, now=now, valid_for=8 * 3600, clear=True).reuse
    expiring = {"iat": now - 14 * 86400, "exp": now + 3600}
    decision = flows.token_reuse(expiring, now=now, valid_for=8 * 3600, clear=False)
    assert not decision.reuse and "will expire soon" in decision.reason
    assert (
        flows.token_reuse({"exp": now - 1}, now=now, valid_for=0, clear=False).reason == "Token has expired"
    )
    short = {"iat": now - 600, "exp": now + 3000}  # a 1 h SSO/device token, 50 min left
    assert flows.token_reuse(short, now=now, valid_for=8 * 3600, clear=False).reuse
    assert not flows.token_reuse({}, now=now, valid_for=0, clear=False).reuse


def test_pkce_is_s256_of_the_verifier() -> None:
    pkce = flows.build_pkce(bytes(range(32)))
    assert len(pkce.verifier) == 43
    digest = hashlib.sha256(pkce.verifier.encode()).digest()
    assert pkce.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("text", "url", "port"),
    [
        ("", "http://localhost:5001/callback", 5001),
        ("http://127.0.0.1:8080/callback", "http://127.0.0.1:8080/callback", 8080),
        ("localhost:8008/mycb", "http://localhost:8008/mycb", 8008),
        ("127.0.0.1:9000", "http://127.0.0.1:9000/callback", 9000),
    ],
)
def test_callback_address_forms(text: str, url: str, port: int) -> None:
    address = flows.parse_callback_url(text)
    assert (address.url, address.port) == (url, port)


def test_bad_callback_addresses() -> None:
    with pytest.raises(SessionError, match="must be an http:// address"):
        flows.parse_callback_url("https://localhost:5001/cb")
    with pytest.raises(SessionError, match="give host:port"):
        flows.parse_callback_url("http://localhost/cb")


def test_authorize_url_gets_our_redirect_and_state() -> None:
    url = flows.authorize_url_with(
        "https://idp/authorize?client_id=c8y&redirect_uri=https%3A%2F%2Ftenant%2F&scope=openid",
        redirect_uri="http://localhost:5001/callback",
        state="s1",
    )
    params = flows.query_params(url)
    assert params == {
        "client_id": "c8y",
        "redirect_uri": "http://localhost:5001/callback",
        "scope": "openid",
        "state": "s1",
    }


def test_callback_errors_and_state_mismatch() -> None:
    assert flows.parse_callback({"code": "abc", "state": "s"}, "s") == "abc"
    with pytest.raises(AuthError, match="SSO error: user cancelled"):
        flows.parse_callback({"error": "access_denied", "error_description": "user cancelled"}, "s")
    with pytest.raises(AuthError, match="state does not match"):
        flows.parse_callback({"code": "abc", "state": "other"}, "s")
    with pytest.raises(AuthError, match="no authorization code"):
        flows.parse_callback({"state": "s"}, "s")


def test_device_poll_transitions() -> None:
    poll = DevicePoll(interval=5)
    assert poll.next(400, {"error": "authorization_pending"}) == poll
    assert poll.next(400, {"error": "slow_down"}).interval == 10
    assert poll.next(200, {"access_token": "jwt"}).token == "jwt"
    with pytest.raises(AuthError, match="denied"):
        poll.next(400, {"error": "access_denied"})
    with pytest.raises(AuthError, match="expired_token"):
        poll.next(400, {"error": "expired_token"})
    with pytest.raises(AuthError, match="invalid_grant"):
        poll.next(400, {"error": "invalid_grant"})


def test_device_authorization_needs_a_code_and_uri() -> None:
    parsed = flows.parse_device_authorization(
        {
            "device_code": "d",
            "user_code": "ABCD-EFGH",
            "verification_url": "https://idp/device",
            "interval": 1,
        }
    )
    assert (parsed.verification_uri, parsed.interval, parsed.expires_in) == ("https://idp/device", 1.0, 600.0)
    with pytest.raises(AuthError, match="device flow not supported"):
        flows.parse_device_authorization({"user_code": "x"})
