"""The REST listener: one aiohttp application on two ports.

* HTTPS (``https_port``): server certificate only.
* mutual TLS (``mtls_port``): the same API, and the client certificate is requested (optional) and
  verified against the tenant's trusted certificates; ``/devicecontrol/deviceAccessToken`` reads it.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from typing import Any

from aiohttp import web

from c8ylink.infra.tls.contexts import ClientAuth
from c8ylink.tenant.rest.app import build_app
from c8ylink.tenant.rest.keys import RestSettings
from c8ylink.tenant.rest.middlewares import abort_connections
from c8ylink.tenant.server import ListenerContext, bind_socket, url_host


class RestListener:
    name = "rest"

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._app: web.Application | None = None

    async def start(self, context: ListenerContext) -> dict[str, Any]:
        config = context.config
        settings = RestSettings(
            strict_basic=config.strict_basic, max_body_bytes=config.max_body_bytes, lockout=config.lockout
        )
        app = self._app = build_app(context.service, settings, context.info)
        # keepalive_timeout: aiohttp closes a connection whose request head has not arrived by then
        # (an idle or a slow client), from the end of the TLS handshake or of the previous request
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, keepalive_timeout=config.request_head_timeout
        )
        await self._runner.setup()
        https_socket = bind_socket(config.host, config.https_port, "--https-port")
        mtls_socket = bind_socket(config.host, config.mtls_port, "--mtls-port")
        deadline = config.handshake_timeout
        https = DeadlineSite(self._runner, https_socket, context.tls.server_context(), deadline)
        mtls_context = context.client_trust.server_context(context.tls, ClientAuth.OPTIONAL)
        mtls = DeadlineSite(self._runner, mtls_socket, mtls_context, deadline)
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
        if self._app is not None:
            abort_connections(self._app)
            self._app = None


class DeadlineSite(web.SockSite):
    """A TLS site whose handshakes must end within ``handshake_timeout`` seconds: a client that never
    sends its ClientHello, or sends it a byte at a time, is dropped (aiohttp's ``SockSite`` leaves
    asyncio's 60 s default)."""

    def __init__(
        self,
        runner: web.AppRunner,
        sock: socket.socket,
        ssl_context: ssl.SSLContext,
        handshake_timeout: float,
    ) -> None:
        super().__init__(runner, sock, ssl_context=ssl_context)
        self._handshake_timeout = handshake_timeout

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            server,
            sock=self._sock,
            ssl=self._ssl_context,
            backlog=self._backlog,
            ssl_handshake_timeout=self._handshake_timeout,
        )
