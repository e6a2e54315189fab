"""Typed keys for what the application and each request carry."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from c8ylink.tenant.service import TenantService
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.lockout import LockoutPolicy, LoginGuard


@dataclass(frozen=True, slots=True)
class RestSettings:
    """``strict_basic``: refuse Basic credentials without the ``<tenant>/`` prefix; ``lockout``: when
    repeated wrong passwords or TOTP codes lock a login (tests shorten it)."""

    strict_basic: bool = False
    max_body_bytes: int = 1024 * 1024
    max_file_bytes: int = 1024 * 1024 * 1024  # one binary, streamed to disk
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)


SERVICE = web.AppKey("c8ylink.service", TenantService)
SETTINGS = web.AppKey("c8ylink.settings", RestSettings)
GUARD = web.AppKey("c8ylink.login_guard", LoginGuard)
PRINCIPAL = web.RequestKey("c8ylink.principal", Principal)


def service_of(request: web.Request) -> TenantService:
    return request.app[SERVICE]


def principal_of(request: web.Request) -> Principal:
    return request[PRINCIPAL]
