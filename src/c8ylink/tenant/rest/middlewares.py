"""Cross-cutting request handling: Cumulocity error JSON for every failure, injected faults, and a
commit (persist + notify) after every request that reached a handler."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from c8ylink.tenant.rest.keys import SERVICE
from c8ylink.tenant.rest.media import error_response
from c8ylink.tenant.state.errors import TenantApiError

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ADMIN_PREFIX = "/__local__"

_HTTP_ERRORS = {
    404: ("general/notFound", "Resource not found"),
    405: ("general/methodNotAllowed", "Method not allowed"),
    413: ("general/requestEntityTooLarge", "The request body is too large"),
}


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except TenantApiError as exc:
        return error_response(exc.status, exc.error, exc.message)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        error, message = _HTTP_ERRORS.get(exc.status, ("general/badRequest", exc.reason))
        if exc.status == 404:
            message = f"{message}: {request.method} {request.path}"
        return error_response(exc.status, error, message)
    except Exception:
        log.exception("internal error on %s %s", request.method, request.path)
        return error_response(500, "general/internalError", "Internal server error")


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(ADMIN_PREFIX):
        rule = request.app[SERVICE].faults.take(request.method, request.path)
        if rule is not None:
            return error_response(rule.status, "general/injectedFault", rule.message)
    return await handler(request)


@web.middleware
async def commit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    finally:
        request.app[SERVICE].commit()
