"""The local Cumulocity HTTP proxy hosted by ``tedge-mapper c8y`` (tedge.md §3.5, §6.8).

``<scheme>://<c8y.proxy.bind.address>:<port>/c8y/<path>`` is forwarded, any method, to
``https://<c8y.http>/<path>`` (query kept, body passed on, answer streamed back) with the device's
credentials added:

- certificate auth: ``Authorization: Bearer <JWT>``, the JWT obtained over MQTT (``token``) and
  fetched again once when Cumulocity answers 401;
- basic auth: ``Authorization: Basic`` with the credentials of ``c8y.credentials_path``.

A caller that sends its own ``Authorization`` keeps it. Cumulocity's server certificate is checked
against ``c8y.root_cert_path``. When Cumulocity cannot be reached (or no JWT arrives) the answer is
``502`` with a JSON ``{"error", "message"}``; paths outside ``/c8y`` get ``404``. The server is the
standard library's asyncio streams, and so is the upstream side (``infra.net.http_forward``).
"""

from __future__ import annotations

import asyncio
import base64
import errno
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from c8ylink.core.errors import C8yLinkError, ConfigError
from c8ylink.core.settings.resolve import Settings
from c8ylink.device.c8y.proxy import PROXY_PATH, ProxyBinding
from c8ylink.device.mapper.token import JwtTokenSource
from c8ylink.infra.files import load_toml_data
from c8ylink.infra.net.http_forward import ForwardedResponse, HttpForwarder, SpooledBody, StreamBody
from c8ylink.infra.net.http_server import (
    HttpRequest,
    HttpRequestError,
    body_chunks,
    read_head,
    write_body,
    write_error,
    write_head,
)

if TYPE_CHECKING:
    import ssl

    from c8ylink.device.mapper.service import MapperService

log = logging.getLogger("c8ylink.mapper.proxy")

MAX_REQUEST_BODY = 100 * 1024 * 1024
IN_MEMORY_BODY = 1024 * 1024
Body = bytes | SpooledBody
NO_BODY_STATUSES = (204, 304)


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where the proxy forwards to and how it authenticates."""

    base_url: str  # https://<c8y.http>
    root_cert_path: str  # c8y.root_cert_path: a CA file or directory
    auth: str  # "certificate" or "basic"
    credentials_path: str = ""
    timeout: float = 60.0

    def ssl_context(self) -> ssl.SSLContext:
        from c8ylink.infra.tls.contexts import build_client_context

        if os.path.isdir(self.root_cert_path):
            return build_client_context(ca_dir=self.root_cert_path)
        return build_client_context(ca_file=self.root_cert_path)

    def basic_authorization(self) -> str:
        """``Basic <base64>`` from the credentials file (``[c8y] username/password``)."""
        data = load_toml_data(self.credentials_path) or {}
        section = data.get("c8y", {})
        username, password = section.get("username"), section.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise ConfigError(f"{self.credentials_path} has no [c8y] username and password")
        return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def build_upstream(settings: Settings, profile: str | None) -> Upstream:
    """The upstream of ``profile`` (an HTTP CONNECT proxy, ``proxy.*``, is not supported yet)."""
    http = settings.value("c8y.http", profile)
    auth = str(settings.value("c8y.auth_method", profile))
    credentials = str(settings.value("c8y.credentials_path", profile))
    if auth == "auto":
        auth = "basic" if os.path.exists(credentials) else "certificate"
    return Upstream(
        base_url=f"https://{http.host}:{http.port}",
        root_cert_path=str(settings.value("c8y.root_cert_path", profile)),
        auth=auth,
        credentials_path=credentials,
    )


class ProxyService:
    def __init__(self, binding: ProxyBinding, upstream: Upstream, mapper: MapperService) -> None:
        self.binding = binding
        self.upstream = upstream
        self.tokens = JwtTokenSource(mapper.publish, mapper.config.topic_prefix, mapper.runtime.clock)
        mapper.raw_handlers[self.tokens.response_topic] = self.tokens.on_dat
        self._forwarder: HttpForwarder | None = None
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Listen; a port that cannot be bound is logged and the mapper runs on without the proxy."""
        context = None
        try:
            if self.binding.uses_tls:
                context = self._server_context()
            self._server = await asyncio.start_server(self._handle, self.binding.address, self.binding.port,
                                                      ssl=context)  # fmt: skip
        except (OSError, C8yLinkError) as exc:
            log.error("The Cumulocity proxy cannot listen on %s:%d: %s", self.binding.address,
                      self.binding.port, _listen_error(exc))  # fmt: skip
            return
        scheme = "https" if context is not None else "http"
        log.info("Cumulocity proxy on %s://%s:%d%s", scheme, self.binding.address, self.port, PROXY_PATH)

    def _server_context(self) -> ssl.SSLContext:
        from c8ylink.infra.tls.contexts import ClientAuth, build_server_context

        binding = self.binding
        assert binding.cert_path is not None
        client_auth = ClientAuth.REQUIRED if binding.ca_path else ClientAuth.NONE
        return build_server_context(binding.cert_path, binding.key_path or binding.cert_path,
                                    client_auth=client_auth, client_ca_file=binding.ca_path)  # fmt: skip

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._forwarder is not None:
            await self._forwarder.close()

    def _upstream(self) -> HttpForwarder:
        if self._forwarder is None:
            context = self.upstream.ssl_context()
            self._forwarder = HttpForwarder(self.upstream.base_url, ssl_context=context,
                                            timeout=self.upstream.timeout)  # fmt: skip
        return self._forwarder

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await read_head(reader, writer)
            body = await _receive_body(reader, head)
            try:
                await self._answer(head, body, writer)
            finally:
                if isinstance(body, SpooledBody):
                    body.file.close()
        except HttpRequestError as exc:
            await write_error(writer, exc.status, "proxy/badRequest", exc.message)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away
        except Exception:  # one bad request must not stop the proxy
            log.exception("Internal error of the Cumulocity proxy")
        finally:
            writer.close()

    async def _answer(self, request: HttpRequest, body: Body, writer: asyncio.StreamWriter) -> None:
        path, sep, rest = request.target.partition("?")
        if path != PROXY_PATH and not path.startswith(PROXY_PATH + "/"):
            await write_error(
                writer, 404, "proxy/notFound", f"Only {PROXY_PATH}/... is forwarded to Cumulocity"
            )
            return
        target = (path[len(PROXY_PATH) :] or "/") + sep + rest
        try:
            await self._forward(request, body, target, writer)
        except C8yLinkError as exc:
            log.warning("%s %s: %s", request.method, request.target, exc)
            await write_error(writer, 502, "proxy/upstreamError", f"Cannot reach Cumulocity: {exc}")

    async def _forward(
        self, request: HttpRequest, body: Body, target: str, writer: asyncio.StreamWriter
    ) -> None:
        async with self.request(request.method, target, request.headers, body) as answer:
            no_body = request.method == "HEAD" or answer.status in NO_BODY_STATUSES
            length = answer.content_length if answer.content_length is not None or not no_body else 0
            await write_head(writer, answer.status, answer.reason, answer.headers, content_length=length)
            if not no_body:
                await write_body(writer, answer.body(), chunked=length is None)

    @asynccontextmanager
    async def request(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: Body | StreamBody
    ) -> AsyncIterator[ForwardedResponse]:
        """``method`` ``https://<c8y.http><target>`` with the device's credentials (unless ``headers``
        carry some): what the proxy forwards, and the mapper's own transfers (without the local hop).
        A 401 fetches a new JWT and sends the request again, when its body can be sent again."""
        caller_auth = any(name.lower() == "authorization" for name, _ in headers)
        for attempt in (1, 2):
            sent, token = await self._credentials(headers, caller_auth)
            async with self._upstream().forward(method, target, sent, body) as answer:
                retry = attempt == 1 and not isinstance(body, StreamBody)
                if answer.status == 401 and token is not None and retry:
                    self.tokens.invalidate(token)
                    continue
                yield answer
                return

    async def _credentials(
        self, request_headers: Sequence[tuple[str, str]], caller_auth: bool
    ) -> tuple[list[tuple[str, str]], str | None]:
        headers = list(request_headers)
        if caller_auth:
            return headers, None
        if self.upstream.auth == "basic":
            return [*headers, ("Authorization", self.upstream.basic_authorization())], None
        token = await self.tokens.token()
        return [*headers, ("Authorization", f"Bearer {token}")], token


async def _receive_body(reader: asyncio.StreamReader, request: HttpRequest) -> Body:
    """The request body: bytes up to ``IN_MEMORY_BODY``, beyond that written to a temporary file as it
    comes (a 10 MB upload is never whole in memory; a file can be sent again when a JWT is refreshed)."""
    kept = bytearray()
    spool: BinaryIO | None = None
    size = 0
    try:
        async for chunk in body_chunks(reader, request, max_body=MAX_REQUEST_BODY):
            size += len(chunk)
            if spool is None and size <= IN_MEMORY_BODY:
                kept += chunk
                continue
            if spool is None:
                spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller (or below)
                spool.write(kept)
                kept.clear()
            spool.write(chunk)
    except BaseException:
        if spool is not None:
            spool.close()
        raise
    return bytes(kept) if spool is None else SpooledBody(spool, size)


def _listen_error(exc: Exception) -> str:
    """Why the proxy cannot listen, with the setting to change for the usual two causes."""
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return "address already in use; set another port with `tedge config set c8y.proxy.bind.port <port>`"
    if isinstance(exc, OSError) and exc.errno == errno.EADDRNOTAVAIL:
        return "not an address of this machine; check `tedge config get c8y.proxy.bind.address`"
    return str(exc)
