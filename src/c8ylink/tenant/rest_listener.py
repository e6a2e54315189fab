"""The REST listener: one aiohttp application on two ports.

* HTTPS (``https_port``): server certificate only.
* mutual TLS (``mtls_port``): the same API, and the client certificate is requested (optional) and
  verified against the tenant's trusted certificates; ``/devicecontrol/deviceAccessToken`` reads it.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from c8ylink.infra.tls.contexts import ClientAuth
from c8ylink.tenant.rest.app import build_app
from c8ylink.tenant.rest.keys import RestSettings
from c8ylink.tenant.server import ListenerContext, bind_socket, url_host


class RestListener:
    name = "rest"

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._transports: weakref.WeakSet[asyncio.BaseTransport] = weakref.WeakSet()

    @web.middleware
    async def _track(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.transport is not None:
            self._transports.add(request.transport)
        return await handler(request)

    async def start(self, context: ListenerContext) -> dict[str, Any]:
        config = context.config
        settings = RestSettings(strict_basic=config.strict_basic, max_body_bytes=config.max_body_bytes)
        app = build_app(context.service, settings, context.info)
        app.middlewares.insert(0, self._track)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        https_socket = bind_socket(config.host, config.https_port)
        mtls_socket = bind_socket(config.host, config.mtls_port)
        https = web.SockSite(self._runner, https_socket, ssl_context=context.tls.server_context())
        mtls_context = context.client_trust.server_context(context.tls, ClientAuth.OPTIONAL)
        mtls = web.SockSite(self._runner, mtls_socket, ssl_context=mtls_context)
        await https.start()
        await mtls.start()
        host = url_host(config.host)
        return {
            "https_url": f"https://{host}:{https_socket.getsockname()[1]}",
            "mtls_url": f"https://{host}:{mtls_socket.getsockname()[1]}",
        }

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        # a TLS close waits for the peer's close_notify, which idle keep-alive clients never send;
        # abort so the sockets are gone when the event loop ends
        for transport in list(self._transports):
            transport.abort()  # type: ignore[attr-defined]
        self._transports.clear()
