"""The REST listener: one aiohttp application on two ports.

* HTTPS (``https_port``): server certificate only.
* mutual TLS (``mtls_port``): the same API, and the client certificate is requested (optional) and
  verified against the tenant's trusted certificates; ``/devicecontrol/deviceAccessToken`` reads it.
"""

from __future__ import annotations

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
        settings = RestSettings(strict_basic=config.strict_basic, max_body_bytes=config.max_body_bytes)
        app = self._app = build_app(context.service, settings, context.info)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        https_socket = bind_socket(config.host, config.https_port, "--https-port")
        mtls_socket = bind_socket(config.host, config.mtls_port, "--mtls-port")
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
        if self._app is not None:
            abort_connections(self._app)
            self._app = None
