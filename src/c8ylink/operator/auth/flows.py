"""Pure login steps (go-c8y-cli.md §4): values in, decisions out; the drivers do the I/O.

* ``LOGIN_TYPES``, ``choose_login_type``: which flow a session uses;
* ``sort_login_options``: the tenant's ``loginOptions`` by preference;
* ``classify_unauthorized``: what a 401 message asks for (TFA code, TFA setup, new password, ...);
* ``token_reuse``: keep or drop a stored token at activation (§4.9);
* ``build_pkce``, ``authorize_url_with``, ``parse_callback_url``, ``parse_callback``: the browser flow;
* ``DevicePoll``: the RFC 8628 polling rules, including ``slow_down`` (+5 s).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from c8ylink.core.errors import AuthError, SessionError
from c8ylink.operator.login_types import (
    BASIC,
    BROWSER,
    CERTIFICATE,
    DEVICE,
    LOGIN_TYPES,
    NONE,
    OAUTH2,
    OAUTH2_INTERNAL,
    PASSWORD_TYPES,
    choose_login_type,
    parse_login_type,
)

__all__ = [
    "BASIC", "BROWSER", "CERTIFICATE", "DEVICE", "LOGIN_TYPES", "NONE", "OAUTH2", "OAUTH2_INTERNAL",
    "PASSWORD_TYPES", "choose_login_type", "parse_login_type",
]  # fmt: skip

_WEIGHTS = {OAUTH2: 10, OAUTH2_INTERNAL: 20, BASIC: 30, NONE: 40}


def sort_login_options(options: Sequence[Mapping[str, Any]], requested: str) -> list[Mapping[str, Any]]:
    def weight(option: Mapping[str, Any]) -> int:
        kind = str(option.get("type", "")).upper()
        return -999 if requested and kind == requested else _WEIGHTS.get(kind, 100)

    return sorted(options, key=weight)


def find_option(options: Sequence[Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    return next((o for o in options if str(o.get("type", "")).upper() == kind), None)


def default_login_type(options: Sequence[Mapping[str, Any]], *, has_password: bool) -> str:
    """Tenant default when the session names none: password users get OAI-Secure (else Basic); users
    without a password get SSO (the device flow) when the tenant offers it."""
    kinds = {str(o.get("type", "")).upper() for o in options}
    if has_password or OAUTH2 not in kinds:
        return OAUTH2_INTERNAL if OAUTH2_INTERNAL in kinds else BASIC
    return DEVICE


# -- 401 answers ----------------------------------------------------------------------------------------
TFA_SETUP, TFA_CODE, LOGGED_OUT, BAD_CREDENTIALS, NO_OUTSIDE_ACCESS, OTHER = (
    "tfa-setup",
    "tfa-code",
    "logged-out",
    "bad-credentials",
    "no-outside-access",
    "other",
)


def classify_unauthorized(message: str) -> str:
    text = message.lower()
    if "totp setup required" in text:
        return TFA_SETUP
    if "totp code required" in text or ("tfa" in text and "code" in text):
        return TFA_CODE
    if "logged out" in text:
        return LOGGED_OUT
    if "no access from outside" in text:
        return NO_OUTSIDE_ACCESS
    if "bad credentials" in text or "invalid credentials" in text:
        return BAD_CREDENTIALS
    return OTHER


def check_tfa_code(code: str) -> str:
    compact = code.replace(" ", "")
    if len(compact) < 6 or not compact.isdigit():
        raise AuthError("a two-factor code has at least 6 digits")
    return compact


# -- token reuse (§4.9) ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TokenDecision:
    reuse: bool
    reason: str  # why it was dropped ("" when reused); the warning to print


def token_reuse(claims: Mapping[str, Any], *, now: float, valid_for: float, clear: bool) -> TokenDecision:
    if clear:
        return TokenDecision(False, "")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float):
        return TokenDecision(False, "Ignoring the stored token: it has no expiry")
    if exp <= now:
        return TokenDecision(False, "Token has expired")
    lifetime = exp - iat if isinstance(iat, int | float) else None
    if lifetime is not None and lifetime < valid_for:
        # short-lived tokens (SSO, certificate): reuse while at least a tenth of their life is left
        if exp - now > lifetime / 10:
            return TokenDecision(True, "")
        return TokenDecision(False, "Ignoring existing token as it will expire soon")
    if exp - valid_for < now:
        return TokenDecision(
            False, f"Ignoring existing token as it will expire soon. minimumValidFor={int(valid_for)}s"
        )
    return TokenDecision(True, "")


# -- browser flow (authorization code + PKCE) -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Pkce:
    verifier: str
    challenge: str
    method: str = "S256"


def build_pkce(random32: bytes) -> Pkce:
    verifier = base64.urlsafe_b64encode(random32).rstrip(b"=").decode()
    digest = hashlib.sha256(verifier.encode()).digest()
    return Pkce(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


@dataclass(frozen=True, slots=True)
class CallbackAddress:
    url: str
    host: str
    port: int
    path: str


def parse_callback_url(text: str) -> CallbackAddress:
    """``http://host:port/path``, ``host:port/path`` (http assumed) or ``host:port`` (``/callback``)."""
    value = text.strip()
    if not value:
        value = "http://localhost:5001/callback"
    if "://" not in value:
        value = "http://" + value
    parts = urlsplit(value)
    if parts.scheme != "http":
        raise SessionError(
            f"invalid browser callback {text!r}: it must be an http:// address on this machine"
        )
    try:
        port = parts.port
    except ValueError:
        raise SessionError(f"invalid browser callback {text!r}: bad port") from None
    if not parts.hostname or port is None:
        raise SessionError(f"invalid browser callback {text!r}: give host:port, e.g. localhost:5001")
    path = parts.path or "/callback"
    return CallbackAddress(f"http://{parts.netloc}{path}", parts.hostname, port, path)


def authorize_url_with(url: str, **params: str) -> str:
    """``url`` with query parameters replaced/added (``redirect_uri``, ``state``, PKCE)."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    query.update({key: value for key, value in params.items() if value})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def query_params(url: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}


def parse_callback(query: Mapping[str, str], expected_state: str) -> str:
    """The authorization code from the callback's query; ``AuthError`` for an error or bad state."""
    if query.get("error"):
        detail = query.get("error_description") or query["error"]
        raise AuthError(f"SSO error: {detail} ({query['error']})")
    if query.get("state", "") != expected_state:
        raise AuthError(
            "SSO error: the callback's state does not match this login (possible CSRF); try again"
        )
    code = query.get("code", "")
    if not code:
        raise AuthError("SSO error: the callback carries no authorization code")
    return code


# -- device flow (RFC 8628) -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DeviceAuthorization:
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    interval: float
    expires_in: float


def parse_device_authorization(document: Mapping[str, Any]) -> DeviceAuthorization:
    uri = document.get("verification_uri") or document.get("verification_url")
    if not document.get("device_code") or not uri:
        raise AuthError(
            "device flow not supported: the identity provider gave no device code/verification URI"
        )
    try:
        interval = float(document.get("interval", 5))
        expires = float(document.get("expires_in", 600))
    except (TypeError, ValueError):
        raise AuthError("device flow: interval and expires_in must be numbers") from None
    return DeviceAuthorization(
        str(document["device_code"]),
        str(document.get("user_code", "")),
        str(uri),
        str(document.get("verification_uri_complete", "")),
        interval,
        expires,
    )


SLOW_DOWN_STEP = 5.0


@dataclass(frozen=True, slots=True)
class DevicePoll:
    """What to do after one token poll: ``token`` set = done; otherwise wait ``interval`` and poll again."""

    interval: float
    token: str = ""

    def next(self, status: int, document: Mapping[str, Any]) -> DevicePoll:
        if 200 <= status < 300 and document.get("access_token"):
            return DevicePoll(self.interval, str(document["access_token"]))
        error = str(document.get("error", ""))
        if error == "authorization_pending":
            return self
        if error == "slow_down":
            return DevicePoll(self.interval + SLOW_DOWN_STEP)
        if error == "access_denied":
            raise AuthError("device login was denied at the identity provider (access_denied)")
        if error == "expired_token":
            raise AuthError("device login expired before it was approved (expired_token): run it again")
        detail = document.get("error_description") or error or f"HTTP {status}"
        raise AuthError(f"device login failed: {detail}")
