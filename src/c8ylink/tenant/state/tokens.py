"""Access tokens the tenant issues: user tokens (OAI-Secure, ``/tenant/oauth[/token]``) and device
tokens (``deviceAccessToken``, later ``s/uat``). HS256 JWTs signed with a per-tenant key.

Claims follow cumulocity-api.md §1.7/§3.1: ``iss``/``aud`` = tenant domain, ``sub`` = username,
``ten`` = tenant id, ``tci``, ``jti``, ``iat``/``nbf``/``exp``, ``tfa``, ``xsrfToken``.
Logging out revokes one token until it would have expired anyway.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from c8ylink.core.jwt import JwtError, encode_jwt, verify_jwt
from c8ylink.tenant.state.errors import LOGGED_OUT, unauthorized
from c8ylink.tenant.state.ids import SecretSource
from c8ylink.tenant.state.journal import Journal

KIND = "revokedToken"
USER_TOKEN_SECONDS = 1_209_600  # two weeks, as observed on Cumulocity
DEVICE_TOKEN_SECONDS = 3_600  # tenant option oauth.internal/device-token.lifespan.seconds default


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    xsrf_token: str
    expires_at: int


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(
        self, journal: Journal, secrets: SecretSource, *, key: bytes, tenant: str, domain: str
    ) -> None:
        self._journal = journal
        self._secrets = secrets
        self._key = key
        self.tenant = tenant
        self.domain = domain
        self._revoked: dict[str, int] = {}

    def _random(self, size: int = 16) -> str:
        return base64.urlsafe_b64encode(self._secrets.token_bytes(size)).decode().rstrip("=")

    def _issue(self, claims: Mapping[str, Any], *, lifetime: int, now: datetime) -> IssuedToken:
        issued_at = int(now.timestamp())
        xsrf = self._random()
        full = {
            "iss": self.domain,
            "aud": self.domain,
            "ten": self.tenant,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + lifetime,
            "xsrfToken": xsrf,
            **claims,
        }
        return IssuedToken(encode_jwt(full, self._key), xsrf, issued_at + lifetime)

    def issue_user_token(self, username: str, *, tfa: bool, now: datetime) -> IssuedToken:
        claims = {"sub": username, "tci": self._random(), "jti": self._random(), "tfa": tfa}
        return self._issue(claims, lifetime=USER_TOKEN_SECONDS, now=now)

    def issue_device_token(
        self, username: str, *, now: datetime, lifetime: int = DEVICE_TOKEN_SECONDS
    ) -> IssuedToken:
        claims = {"sub": username, "tci": "device_token_config", "jti": None, "tfa": False}
        return self._issue(claims, lifetime=lifetime, now=now)

    def _notification_key(self) -> bytes:
        """Notification 2.0 tokens are signed with a key of their own: never valid as access tokens."""
        return hashlib.sha256(self._key + b"/notification2").digest()

    def issue_notification_token(
        self, subscriber: str, subscription: str, *, minutes: int, shared: bool, now: datetime
    ) -> str:
        issued_at = int(now.timestamp())
        claims = {
            "iss": self.domain,
            "ten": self.tenant,
            "sub": subscriber,
            "topic": f"{self.tenant}/relnotif/{subscription}",
            "shared": shared,
            "jti": self._random(),
            "iat": issued_at,
            "exp": issued_at + minutes * 60,
        }
        return encode_jwt(claims, self._notification_key())

    def verify_notification_token(self, token: str, *, now: datetime) -> dict[str, Any]:
        try:
            return verify_jwt(token, self._notification_key(), now=int(now.timestamp()))
        except JwtError as exc:
            raise unauthorized(f"Invalid notification token: {exc}") from exc

    def verify(self, token: str, *, now: datetime) -> dict[str, Any]:
        """The claims of a token we issued that is valid now and not revoked; 401 otherwise."""
        try:
            claims = verify_jwt(token, self._key, now=now.timestamp())
        except JwtError as exc:
            raise unauthorized(f"Invalid credentials! : {exc}") from exc
        if claims.get("ten") != self.tenant or not isinstance(claims.get("sub"), str):
            raise unauthorized()
        if _token_digest(token) in self._revoked:
            raise unauthorized(LOGGED_OUT)
        return claims

    def revoke(self, token: str, *, now: datetime) -> None:
        try:
            claims = verify_jwt(token, self._key, now=now.timestamp())
        except JwtError:
            return
        current = int(now.timestamp())
        for digest, expiry in list(self._revoked.items()):
            if expiry < current:
                del self._revoked[digest]
                self._journal.delete(KIND, digest)
        digest = _token_digest(token)
        self._revoked[digest] = int(claims["exp"])
        self._journal.put(KIND, digest, {"exp": int(claims["exp"])})

    def restore(self, records: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        for digest, record in records:
            self._revoked[digest] = int(record["exp"])
