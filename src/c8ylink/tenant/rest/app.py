"""The aiohttp application serving the Cumulocity REST API of one tenant."""

from __future__ import annotations

import re
import weakref
from typing import Any

from aiohttp import web

from c8ylink.tenant.files import FileStore
from c8ylink.tenant.rest import (
    admin,
    applications,
    audit,
    binaries,
    certificates,
    data,
    identity,
    inventory,
    login,
    management,
    notification2,
    operations,
    options,
    realtime,
    registration,
    sso,
    tenants,
    unavailable,
    users,
)
from c8ylink.tenant.rest.auth import install_auth
from c8ylink.tenant.rest.keys import SERVICE, SETTINGS, RestSettings
from c8ylink.tenant.rest.middlewares import ADMIN_PREFIX, CONNECTIONS, request_pipeline
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
    users.routes,
    audit.routes,
    binaries.routes,
    applications.routes,
    options.routes,
    tenants.routes,
    management.routes,
    notification2.routes,
    realtime.routes,
    unavailable.routes,
)


def served_routes() -> list[web.RouteDef]:
    """Every route of every table, literal paths before templated ones (``/count`` before ``/{id}``)."""
    routes = [route for table in ROUTE_TABLES for route in table if isinstance(route, web.RouteDef)]
    return sorted(routes, key=lambda route: route.path.count("{"))


def endpoint_list() -> list[str]:
    """``METHOD /path`` of every Cumulocity endpoint served (not the local control API), sorted:
    docs/local-tenant.md prints this list and a test keeps the two equal."""
    lines = {
        f"{route.method} {_plain(route.path)}"
        for route in served_routes()
        if not route.path.startswith(ADMIN_PREFIX)
    }
    return sorted(lines, key=lambda line: (line.split(" ", 1)[1], line))


def _plain(path: str) -> str:
    """``{kind:childDevices|childAssets}`` -> ``{childDevices|childAssets}``, ``{tail:.*}`` -> ``{tail}``."""
    path = re.sub(r"\{[a-z_]+:([^}]*\|[^}]*)\}", r"{\1}", path)
    return re.sub(r"\{([a-z_]+):[^}]+\}", r"{\1}", path)


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
    if service.data_dir is not None:
        files = app[binaries.FILES] = FileStore(service.data_dir / "files", max_bytes=chosen.max_file_bytes)
        binaries.prune_contents(files, service.state)
    realtime.hub_of(service)
    install_auth(app)
    routes = served_routes()
    for route in routes:
        app.router.add_route(route.method, route.path, route.handler, **route.kwargs)
    # Cumulocity ignores a trailing slash (c8y_api posts to /alarm/alarms/); registered last so
    # that the usual paths resolve without trying these
    for route in routes:
        app.router.add_route(route.method, route.path + "/", route.handler, **route.kwargs)
    return app
