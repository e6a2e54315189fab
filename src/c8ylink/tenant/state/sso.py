"""The tenant's own identity provider for SSO (login type ``OAUTH2``): users, authorization codes with
PKCE (RFC 7636) and device grants (RFC 8628). Pure: time and randomness are parameters.

* ``authorize(...)`` checks a user's password at the login page and issues a short-lived code bound to
  the client, the redirect URI and the PKCE challenge; ``redeem_code(...)`` checks all three once.
* ``start_device(...)`` opens a device grant (``device_code`` for the client, ``user_code`` for the
  person); ``approve``/``deny`` are the verification page's buttons; ``poll(...)`` answers the client
  with a username or an RFC 8628 error: ``authorization_pending``, ``slow_down`` (polled faster than
  the interval: the interval grows by 5 s), ``access_denied``, ``expired_token``.

SSO users are separate from the tenant's own users (``userManagementSource: REMOTE``); the tenant
creates a password-less user for one on first login. Only SSO users are persisted (kind ``ssoUser``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from c8ylink.tenant.state.errors import conflict, not_found, validation_error
from c8ylink.tenant.state.ids import SecretSource
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.users import ADMIN, USER, hash_password, password_matches

KIND = "ssoUser"
CLIENT_ID = "c8ylink-cli"
CODE_SECONDS = 120
DEVICE_SECONDS = 600
DEVICE_INTERVAL = 5
SLOW_DOWN_STEP = 5
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels: no words, no 0/O confusion


class OAuthError(Exception):
    """An RFC 6749 / 8628 error: ``error`` code, ``description``, HTTP ``status``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True, slots=True)
class SsoUser:
    username: str
    password_hash: str = field(repr=False)
    roles: frozenset[str] = frozenset({USER})

    def to_record(self) -> dict[str, Any]:
        return {"username": self.username, "passwordHash": self.password_hash, "roles": sorted(self.roles)}


@dataclass(frozen=True, slots=True)
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str
    method: str
    username: str
    expires: datetime


@dataclass(frozen=True, slots=True)
class DeviceGrant:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires: datetime
    interval: int
    last_poll: datetime | None = None
    status: str = "pending"  # pending | approved | denied
    username: str = ""


def pkce_matches(verifier: str, challenge: str, method: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        expected = verifier
    return hmac.compare_digest(expected, challenge)


class SsoProvider:
    def __init__(self, journal: Journal, secrets: SecretSource) -> None:
        self._journal = journal
        self._secrets = secrets
        self._users: dict[str, SsoUser] = {}
        self._codes: dict[str, _Code] = {}
        self._devices: dict[str, DeviceGrant] = {}
        self.device_interval = DEVICE_INTERVAL
        self.device_seconds = DEVICE_SECONDS
        self.slow_down_once = False  # the next poll of each pending grant answers slow_down (busy server)

    # -- users --------------------------------------------------------------------------------------
    def users(self) -> list[SsoUser]:
        return [self._users[name] for name in sorted(self._users)]

    def add_user(self, username: str, password: str, roles: Iterable[str] = (USER,)) -> SsoUser:
        if not username or any(char in username for char in "/: "):
            raise validation_error(f"Invalid username '{username}'")
        if len(password) < 6:
            raise validation_error("password must have at least 6 characters")
        role_set = frozenset(roles)
        if not role_set or not role_set <= {ADMIN, USER}:
            raise validation_error("roles must be 'admin' and/or 'user'")
        if username in self._users:
            raise conflict("user", f"SSO user '{username}' already exists")
        user = SsoUser(username, hash_password(password, self._secrets.token_bytes(16)), role_set)
        self._users[username] = user
        self._journal.put(KIND, username, user.to_record())
        return user

    def remove_user(self, username: str) -> None:
        if self._users.pop(username, None) is None:
            raise not_found("user", f"SSO user '{username}' not found")
        self._journal.delete(KIND, username)

    def check(self, username: str, password: str) -> SsoUser | None:
        user = self._users.get(username)
        matches = password_matches(user.password_hash if user is not None else None, password)
        return user if matches else None

    def restore(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            user = SsoUser(record["username"], record["passwordHash"], frozenset(record["roles"]))
            self._users[user.username] = user

    # -- authorization code + PKCE ------------------------------------------------------------------
    def _random(self, size: int = 24) -> str:
        return base64.urlsafe_b64encode(self._secrets.token_bytes(size)).decode().rstrip("=")

    def authorize(
        self, user: SsoUser, *, client_id: str, redirect_uri: str, challenge: str, method: str, now: datetime
    ) -> str:
        """A one-time code for ``user`` (the caller has checked the password and the redirect URI)."""
        if method not in ("S256", "plain", ""):
            raise OAuthError("invalid_request", "code_challenge_method must be S256 or plain")
        code = self._random()
        method = method or ("plain" if challenge else "")
        self._codes[code] = _Code(
            client_id, redirect_uri, challenge, method, user.username, now + timedelta(seconds=CODE_SECONDS)
        )
        return code

    def redeem_code(
        self, code: str, *, redirect_uri: str, verifier: str, now: datetime, client_id: str = ""
    ) -> SsoUser:
        grant = self._codes.pop(code, None)  # single use, whatever happens next
        if grant is None or grant.expires < now:
            raise OAuthError("invalid_grant", "the authorization code is unknown, used or expired")
        if client_id and client_id != grant.client_id:
            raise OAuthError("invalid_grant", "the authorization code was issued to another client")
        if redirect_uri != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
        if grant.challenge and not pkce_matches(verifier, grant.challenge, grant.method):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge (PKCE)")
        user = self._users.get(grant.username)
        if user is None:
            raise OAuthError("invalid_grant", "the user no longer exists")
        return user

    # -- device authorization (RFC 8628) ------------------------------------------------------------
    def _user_code(self) -> str:
        raw = self._secrets.token_bytes(8)
        letters = "".join(_USER_CODE_ALPHABET[b % len(_USER_CODE_ALPHABET)] for b in raw)
        return f"{letters[:4]}-{letters[4:]}"

    def start_device(self, *, client_id: str, scope: str, now: datetime) -> DeviceGrant:
        if client_id != CLIENT_ID:
            raise OAuthError("invalid_client", f"unknown client_id {client_id!r}", 401)
        grant = DeviceGrant(
            self._random(32),
            self._user_code(),
            client_id,
            scope,
            now + timedelta(seconds=self.device_seconds),
            self.device_interval,
        )
        self._devices[grant.device_code] = grant
        return grant

    def grant_for_user_code(self, user_code: str, now: datetime) -> DeviceGrant:
        wanted = user_code.strip().upper().replace(" ", "")
        for grant in self._devices.values():
            if grant.user_code.replace("-", "") == wanted.replace("-", ""):
                if grant.expires < now:
                    raise OAuthError("expired_token", "this code has expired: start the login again")
                if grant.status != "pending":
                    raise OAuthError("invalid_request", "this code was already used")
                return grant
        raise OAuthError("invalid_request", "unknown code: check the code shown by the CLI")

    def decide(self, user_code: str, *, user: SsoUser | None, approve: bool, now: datetime) -> DeviceGrant:
        grant = self.grant_for_user_code(user_code, now)
        decided = (
            replace(grant, status="approved", username=user.username)
            if approve and user
            else replace(grant, status="denied")
        )
        self._devices[grant.device_code] = decided
        return decided

    def poll(self, device_code: str, *, client_id: str, now: datetime) -> SsoUser:
        grant = self._devices.get(device_code)
        if grant is None or grant.client_id != client_id:
            raise OAuthError("invalid_grant", "unknown device_code")
        if grant.expires < now:
            del self._devices[device_code]
            raise OAuthError("expired_token", "the device code has expired")
        if grant.status == "denied":
            del self._devices[device_code]
            raise OAuthError("access_denied", "the user denied the login")
        too_soon = grant.last_poll is not None and (now - grant.last_poll).total_seconds() < grant.interval
        if self.slow_down_once and grant.status == "pending":
            self.slow_down_once, too_soon = False, True
        if too_soon and grant.status == "pending":
            self._devices[device_code] = replace(
                grant, interval=grant.interval + SLOW_DOWN_STEP, last_poll=now
            )
            raise OAuthError("slow_down", f"poll at most every {grant.interval + SLOW_DOWN_STEP} s")
        self._devices[device_code] = replace(grant, last_poll=now)
        if grant.status == "pending":
            raise OAuthError("authorization_pending", "the user has not approved the login yet")
        del self._devices[device_code]
        user = self._users.get(grant.username)
        if user is None:
            raise OAuthError("access_denied", "the user no longer exists")
        return user
