"""The aiohttp application serving the Cumulocity REST API of one tenant."""

from __future__ import annotations

import weakref
from typing import Any

from aiohttp import web

from c8ylink.tenant.rest import (
    admin,
    certificates,
    data,
    identity,
    inventory,
    login,
    operations,
    registration,
    sso,
)
from c8ylink.tenant.rest.auth import install_auth
from c8ylink.tenant.rest.keys import SERVICE, SETTINGS, RestSettings
from c8ylink.tenant.rest.middlewares import CONNECTIONS, request_pipeline
from c8ylink.tenant.service import TenantService

ROUTE_TABLES = (
    login.routes,
    inventory.routes,
    identity.routes,
    data.routes,
    operations.routes,
    registration.routes,
    certificates.routes,
    admin.routes,
    sso.routes,
)


def build_app(
    service: TenantService, settings: RestSettings | None = None, info: dict[str, Any] | None = None
) -> web.Application:
    """Routes, the request pipeline (faults, errors, auth, commit) and the shared service."""
    chosen = settings or RestSettings()
    app = web.Application(
        middlewares=[request_pipeline],
        client_max_size=chosen.max_body_bytes,
    )
    app[SERVICE] = service
    app[SETTINGS] = chosen
    app[admin.TENANT_INFO] = info if info is not None else {}
    app[CONNECTIONS] = weakref.WeakSet()
    app[inventory.RENDERED] = {}
    install_auth(app)
    routes = [route for table in ROUTE_TABLES for route in table if isinstance(route, web.RouteDef)]
    for route in routes:
        app.router.add_route(route.method, route.path, route.handler, **route.kwargs)
    # Cumulocity ignores a trailing slash (c8y_api posts to /alarm/alarms/); registered last so
    # that the usual paths resolve without trying these
    for route in routes:
        app.router.add_route(route.method, route.path + "/", route.handler, **route.kwargs)
    return app
