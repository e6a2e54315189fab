"""What a request carries to prove who it is (go-c8y-cli.md §4.1), as plain data.

* Basic ``base64("<tenant>/<user>:<password>")`` when ``useTenantPrefix`` and a tenant is known (a
  ``tenant/user`` username is split), else ``base64("<user>:<password>")``;
* Bearer ``<token>``, plus the login cookies and their ``X-XSRF-TOKEN`` when a cookie login captured them;
* none (login type NONE, e.g. the thin-edge.io local proxy).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from c8ylink.core.jwt import JwtError, decode_jwt_claims

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple  # start-up: no dataclasses, no typing

BASIC, BEARER, NONE = "basic", "bearer", "none"


def split_tenant_user(username: str, tenant: str) -> tuple[str, str]:
    """``("t1", "alice")`` from ``t1/alice``; the given tenant otherwise."""
    prefix, separator, name = username.partition("/")
    return (prefix, name) if separator and prefix and name else (tenant, username)


def basic_value(username: str, password: str, *, tenant: str = "", use_prefix: bool = True) -> str:
    tenant_part, user = split_tenant_user(username, tenant)
    principal = f"{tenant_part}/{user}" if use_prefix and tenant_part else user
    return "Basic " + base64.b64encode(f"{principal}:{password}".encode()).decode("ascii")


class Credentials(NamedTuple):
    """A record (``core.records``); ``repr`` leaves the secrets out."""

    kind: str = NONE
    username: str = ""
    tenant: str = ""
    password: str = ""
    token: str = ""
    use_tenant_prefix: bool = True
    cookies: Mapping[str, str] = {}  # never changed in place

    def __repr__(self) -> str:
        return (
            f"Credentials(kind={self.kind!r}, username={self.username!r}, tenant={self.tenant!r}, "
            f"use_tenant_prefix={self.use_tenant_prefix!r})"
        )

    @property
    def authorization(self) -> str:
        """The exact ``Authorization`` header value ("" for NONE)."""
        if self.kind == BEARER and self.token:
            return f"Bearer {self.token}"
        if self.kind == BASIC and self.username:
            return basic_value(
                self.username, self.password, tenant=self.tenant, use_prefix=self.use_tenant_prefix
            )
        return ""

    def headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.authorization:
            headers["Authorization"] = self.authorization
        xsrf = self.cookies.get("XSRF-TOKEN")
        if self.kind == BEARER and xsrf:
            headers["X-XSRF-TOKEN"] = xsrf
        return headers

    @property
    def auth_type(self) -> str:
        """``Bearer``/``Basic``/``None`` as the banner shows it."""
        return {BEARER: "Bearer", BASIC: "Basic"}.get(self.kind, "None")


def token_claims(token: str) -> dict[str, Any]:
    """Claims of a JWT without checking it ({} when it is not one)."""
    if not token:
        return {}
    try:
        return decode_jwt_claims(token)
    except JwtError:
        return {}


def token_expiry(token: str) -> float | None:
    exp = token_claims(token).get("exp")
    return float(exp) if isinstance(exp, int | float) else None


def masked(value: str) -> str:
    return "" if not value else "*" * 8
