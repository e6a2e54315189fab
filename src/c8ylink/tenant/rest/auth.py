"""Who is calling: Basic, Bearer or the OAI-Secure cookie (cumulocity-api.md §3.0, §4.1 rules 1-3, 6).

* Basic ``<tenant>/<user>:<password>``; a bare ``<user>`` only when ``strict_basic`` is off. A user
  with TOTP active must add the ``tfatoken`` header; one who must still enrol may only reach the
  TOTP enrolment endpoints.
* Bearer: a JWT this tenant issued, not expired, not logged out. No XSRF check.
* Cookie ``authorization=<JWT>``: the ``X-XSRF-TOKEN`` header must equal the token's ``xsrfToken``.

Verified Basic credentials are cached in memory (keyed by the header, checked against the user's
credential version) so that scrypt runs once per credential, not once per request.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from c8ylink.tenant.rest.keys import GUARD, SERVICE, SETTINGS, RestSettings
from c8ylink.tenant.service import TenantService
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.errors import (
    BAD_CREDENTIALS,
    TFA_CODE_REQUIRED,
    TFA_SETUP_REQUIRED,
    unauthorized,
)
from c8ylink.tenant.state.lockout import LoginGuard
from c8ylink.tenant.state.tenant import MANAGEMENT_TENANT
from c8ylink.tenant.state.users import User

TOTP_ENROLMENT_PATHS = ("/user/currentUser/totpSecret",)
BOOTSTRAP_PATHS = frozenset({"/devicecontrol/deviceCredentials"})  # all the bootstrap user may reach
DISABLED = "Invalid credentials! : User account is disabled"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_CACHE = web.AppKey("c8ylink.basic_cache", dict)
_CACHE_LIMIT = 4096


def public(handler: Handler) -> Handler:
    """Mark a handler as reachable without credentials (it may check its own)."""
    handler.c8y_public = True  # type: ignore[attr-defined]
    return handler


def decode_basic(value: str) -> tuple[str, str]:
    """``(username, password)`` from the base64 part of a Basic header; 401 if malformed."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise unauthorized() from exc
    username, separator, password = decoded.partition(":")
    if not separator:
        raise unauthorized()
    return username, password


def authenticate(request: web.Request) -> Principal:
    service = request.app[SERVICE]
    header = request.headers.get("Authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            return _basic(request, service, request.app[SETTINGS], header, value)
        if scheme.lower() == "bearer":
            return _token(service, value.strip(), method="bearer")[0]
        raise unauthorized()
    cookie = request.cookies.get("authorization")
    if cookie:
        principal, claims = _token(service, cookie, method="cookie")
        header_token = request.headers.get("X-XSRF-TOKEN")
        if not header_token or header_token != claims.get("xsrfToken"):
            raise unauthorized("Invalid credentials! : XSRF token is missing or does not match")
        return principal
    raise unauthorized()


def _token(service: TenantService, token: str, *, method: str) -> tuple[Principal, dict[str, Any]]:
    state = service.state
    claims = state.tokens.verify(token, now=state.now())
    user = state.users.find(state.tenant_id, claims["sub"])
    if user is None:
        raise unauthorized()
    if not user.enabled:
        raise unauthorized(DISABLED)
    principal = Principal(
        state.tenant_id,
        user.username,
        state.effective_roles(user),
        method,
        token=token,
        tfa=bool(claims.get("tfa")),
    )
    return principal, claims


def split_username(qualified: str, tenant_id: str, *, strict: bool) -> tuple[str, str]:
    """``(tenant, user)`` from ``tenant/user`` (or bare ``user`` when not strict); 401 otherwise."""
    tenant, separator, username = qualified.partition("/")
    if not separator:
        if strict:
            raise unauthorized()
        return tenant_id, qualified
    if tenant not in (tenant_id, MANAGEMENT_TENANT) or not username:
        raise unauthorized()
    return tenant, username


def check_login(request: web.Request, tenant: str, username: str, password: str) -> User | None:
    """The user whose password this is, else ``None`` (the same scrypt work for an unknown user).
    Wrong passwords in a row lock the login for a while (401 naming the wait), unknown users too."""
    state = request.app[SERVICE].state
    guard, key, now = request.app[GUARD], f"password:{tenant}/{username}", state.now().timestamp()
    guard.check(key, now)
    user = state.users.find(tenant, username)
    if not state.users.check_password(user, password):
        guard.failed(key, now)
        return None
    guard.succeeded(key)
    return user


def check_totp(request: web.Request, user: User, code: str) -> bool:
    """Does ``code`` match the user's TOTP secret now? Wrong codes in a row lock the second factor."""
    state = request.app[SERVICE].state
    guard: LoginGuard = request.app[GUARD]
    key, now = f"totp:{user.tenant}/{user.username}", state.now().timestamp()
    guard.check(key, now)
    if state.users.totp_matches(user, code, now=state.now()):
        guard.succeeded(key)
        return True
    guard.failed(key, now, limit=guard.policy.totp_max_failures)
    return False


def check_second_factor(request: web.Request, user: User, code: str | None) -> None:
    if user.tfa_setup_required and not user.tfa_active and not request.path.startswith(TOTP_ENROLMENT_PATHS):
        raise unauthorized(TFA_SETUP_REQUIRED)
    if user.tfa_active and (not code or not check_totp(request, user, code)):
        raise unauthorized(TFA_CODE_REQUIRED)


def _basic(
    request: web.Request, service: TenantService, settings: RestSettings, header: str, value: str
) -> Principal:
    state = service.state
    cache: dict[str, tuple[Principal, int]] = request.app[_CACHE]
    cached = cache.get(header)
    user = state.users.find(cached[0].tenant, cached[0].username) if cached is not None else None
    if cached is not None and user is not None and user.version == cached[1]:
        principal = cached[0]
        key = f"password:{principal.tenant}/{principal.username}"
        request.app[GUARD].check(key, state.now().timestamp())  # a locked login is locked for everyone
    else:
        qualified, password = decode_basic(value)
        tenant, username = split_username(qualified, state.tenant_id, strict=settings.strict_basic)
        user = check_login(request, tenant, username, password)
        if user is None:
            raise unauthorized(BAD_CREDENTIALS)
        if not user.enabled:
            raise unauthorized(DISABLED)
        principal = Principal(user.tenant, user.username, state.effective_roles(user), "basic")
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[header] = (principal, user.version)
    if user.tfa_active or user.tfa_setup_required:
        check_second_factor(request, user, request.headers.get("tfatoken"))
    return principal


def install_auth(app: web.Application) -> None:
    app[_CACHE] = {}
    guard: LoginGuard = app[SERVICE].login_guard
    guard.policy = app[SETTINGS].lockout
    app[GUARD] = guard
