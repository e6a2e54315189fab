"""Typed keys for what the application and each request carry."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from c8ylink.tenant.service import TenantService
from c8ylink.tenant.state.access import Principal


@dataclass(frozen=True, slots=True)
class RestSettings:
    """``strict_basic``: refuse Basic credentials without the ``<tenant>/`` prefix."""

    strict_basic: bool = False
    max_body_bytes: int = 1024 * 1024
    max_file_bytes: int = 1024 * 1024 * 1024  # one binary, streamed to disk


SERVICE = web.AppKey("c8ylink.service", TenantService)
SETTINGS = web.AppKey("c8ylink.settings", RestSettings)
PRINCIPAL = web.RequestKey("c8ylink.principal", Principal)


def service_of(request: web.Request) -> TenantService:
    return request.app[SERVICE]


def principal_of(request: web.Request) -> Principal:
    return request[PRINCIPAL]
