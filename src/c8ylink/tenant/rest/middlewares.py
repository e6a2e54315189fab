"""Cross-cutting request handling in one middleware (each aiohttp middleware layer costs time):

remember the connection -> injected faults -> 406 for an Accept without JSON
    -> Cumulocity error JSON for every failure
    -> authentication (unless the handler is public) -> handler
    -> a request that changed something: wait for the group commit of its loop turn (persist + notify)
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import Awaitable, Callable

from aiohttp import web

from c8ylink.tenant.rest.auth import BOOTSTRAP_PATHS, authenticate
from c8ylink.tenant.rest.keys import PRINCIPAL, SERVICE
from c8ylink.tenant.rest.media import error_response, refuses_json
from c8ylink.tenant.state.errors import TenantApiError, forbidden

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ADMIN_PREFIX = "/__local__"
Connections = weakref.WeakSet[asyncio.BaseTransport]
CONNECTIONS: web.AppKey[Connections] = web.AppKey("c8ylink.connections", weakref.WeakSet)

_HTTP_ERRORS = {
    404: ("general/notFound", "Resource not found"),
    405: ("general/methodNotAllowed", "Method not allowed"),
    413: ("general/requestEntityTooLarge", "The request body is too large"),
}


@web.middleware
async def request_pipeline(request: web.Request, handler: Handler) -> web.StreamResponse:
    app = request.app
    if "//" in request.path and isinstance(request.match_info.http_exception, web.HTTPNotFound):
        request, handler = await _merge_slashes(request, handler)
    if request.transport is not None:
        app[CONNECTIONS].add(request.transport)
    service = app[SERVICE]
    if not request.path.startswith(ADMIN_PREFIX):
        rule = service.faults.take(request.method, request.path)
        if rule is not None:
            return error_response(rule.status, "general/injectedFault", rule.message)
    accept = request.headers.get("Accept", "")
    if refuses_json(request.path, accept):
        return error_response(406, "general/notAcceptable", f"Cannot answer {accept!r}: the resource is JSON")
    try:
        if not getattr(request.match_info.handler, "c8y_public", False):
            principal = authenticate(request)
            if principal.is_bootstrap and request.path not in BOOTSTRAP_PATHS:
                raise forbidden()
            request[PRINCIPAL] = principal
        journal = service.state.journal
        version = journal.version
        try:
            return await handler(request)
        finally:  # answered once stored (a read waits for nothing, even when the disk takes nothing)
            if journal.version != version:
                await service.commits.commit()
    except TenantApiError as exc:
        return error_response(exc.status, exc.error, exc.message)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        error, message = _HTTP_ERRORS.get(exc.status, ("general/badRequest", exc.reason))
        if exc.status == 404:
            message = f"{message}: {request.method} {request.path}"
        return error_response(exc.status, error, message)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("internal error on %s %s", request.method, request.path)
        return error_response(500, "general/internalError", "Internal server error")


async def _merge_slashes(request: web.Request, handler: Handler) -> tuple[web.Request, Handler]:
    """Cumulocity tolerates empty path segments (``c8y_api`` asks for ``/alarm/alarms//5``): route the
    request again with them merged; the original 404 stands if that finds nothing either."""
    merged = re.sub("/{2,}", "/", request.rel_url.raw_path)
    query = request.rel_url.raw_query_string
    clone = request.clone(rel_url=merged + (f"?{query}" if query else ""))
    match_info = await request.app.router.resolve(clone)
    if match_info.http_exception is not None:
        return request, handler
    match_info.add_app(request.app)
    match_info.freeze()
    clone._match_info = match_info  # aiohttp sets it the same way after routing
    return clone, match_info.handler


def abort_connections(app: web.Application) -> None:
    """Drop the connections still open: a TLS close waits for the peer's close_notify, which idle
    keep-alive clients never send, and the sockets must be gone when the event loop ends."""
    connections: Connections = app[CONNECTIONS]
    for transport in list(connections):
        if isinstance(transport, asyncio.Transport):
            transport.abort()
    connections.clear()
