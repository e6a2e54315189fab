"""The synchronous HTTP(S) client of the CLIs and services, on the standard library (sockets, ``ssl``) and
the sans-I/O ``infra.net.http1``: importing it costs a fraction of httpx2, which every stage of a ``c8y``
pipeline would pay (``bench/rest_client.py``).

What callers get: ``HttpClient.request(...) -> HttpResponse`` (a plain value; HTTP error statuses are
*not* exceptions, callers decide with ``raise_for_status``) and ``download(url, path) -> size``. TLS is
an ``ssl.SSLContext`` (build it with ``infra.tls.contexts``) or ``verify=False`` for ``--insecure``.
Proxies come from the environment (``infra.net.proxies``) unless ``proxy`` names one (``""``: none).
Redirects are followed when ``follow_redirects`` says so. What callers never see: socket exceptions —
transport failures become ``NetworkError`` (``Fail to connect to <host>:<port>: <reason>``) and handshake
failures ``TlsError`` with a ``kind`` (``infra.net.tls_errors``).

One keep-alive connection per origin; one the server closed in the meantime is reopened once. One
client per thread (a connection carries one request at a time).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Generator, Mapping
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

from c8ylink.core.errors import ApiError, NetworkError, ProtocolError
from c8ylink.infra.net.http1 import HeaderList
from c8ylink.infra.net.http_connection import Connection, StaleConnection, TunnelRefused
from c8ylink.infra.net.http_request import (
    MAX_REDIRECTS,
    USER_AGENT,
    Body,
    Headers,
    build_response,
    encode_body,
    join_url,
    redirect,
    request_headers,
)
from c8ylink.infra.net.proxies import Proxy, parse_proxy, proxy_from_env
from c8ylink.infra.net.response import FileField, HttpResponse
from c8ylink.infra.net.tls_errors import tls_error_from_ssl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from c8ylink.infra.net.websocket import WebSocket

__all__ = ["USER_AGENT", "FileField", "HttpClient", "HttpResponse"]


class HttpClient:
    """Connections to one or more hosts; use as a context manager."""

    def __init__(
        self,
        base_url: str = "",
        *,
        ssl_context: ssl.SSLContext | None = None,
        verify: bool = True,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
        proxy: str | None = None,
        follow_redirects: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._base = base_url
        self._context = ssl_context
        self._verify = verify
        self._timeout = timeout
        self._headers = dict(headers or {})
        # None: from the environment; "": none
        self._proxy: Proxy | str | None = parse_proxy(proxy) if proxy else proxy
        self._follow = follow_redirects
        self._env = env
        self._connections: dict[tuple[str, str, int], Connection] = {}

    # -- the API ----------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, FileField] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        basic_auth: tuple[str, str] | None = None,
        follow_redirects: bool | None = None,
    ) -> HttpResponse:
        """``content``: bytes, text, a binary file or an iterator of bytes (streamed; give its
        ``Content-Length`` header when known, else it is sent chunked)."""
        full_url = join_url(self._base, url, params)
        sent = request_headers(self._headers, headers, cookies=cookies, basic_auth=basic_auth)
        body = encode_body(sent, json=json, content=content, data=data, files=files)
        method, full_url, status, answer, chunks = self._exchange(
            method.upper(), full_url, sent, body, follow_redirects
        )
        with _Translated(full_url):
            content_bytes = b"".join(chunks)
        return build_response(method, full_url, status, answer, content_bytes)

    def download(
        self,
        url: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool | None = None,
    ) -> int:
        """Stream ``GET url`` into the file ``path`` (written to a temporary file beside it, then moved
        into place); the number of bytes. ``ApiError`` unless 2xx."""
        full_url = join_url(self._base, url)
        sent = request_headers(self._headers, headers)
        _, full_url, status, _answer, chunks = self._exchange("GET", full_url, sent, None, follow_redirects)
        if not 200 <= status < 300:
            with _Translated(full_url):
                text = b"".join(chunks).decode("utf-8", errors="replace")
            raise ApiError(status, full_url, text[:200], method="GET")
        import tempfile

        folder = os.path.dirname(os.path.abspath(path))
        try:
            handle, partial = tempfile.mkstemp(dir=folder, prefix=".download-", suffix=".part")
        except OSError as exc:
            chunks.close()
            raise NetworkError(
                f"Cannot write the download of {url} to {path}: {exc.strerror or exc}"
            ) from exc
        try:
            with os.fdopen(handle, "wb") as target, _Translated(full_url):
                size = _write(chunks, target, f"Cannot write the download of {url} to {path}")
            os.replace(partial, path)
        except OSError as exc:
            raise NetworkError(
                f"Cannot write the download of {url} to {path}: {exc.strerror or exc}"
            ) from exc
        finally:
            chunks.close()
            if os.path.exists(partial):
                os.unlink(partial)
        return size

    def open_websocket(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> WebSocket:
        """A WebSocket to ``url`` (``ws``/``wss`` or ``http``/``https``) on a connection of its own,
        through the same TLS and proxy settings as requests (``infra.net.websocket``)."""
        from c8ylink.infra.net.websocket import open_on

        full_url = join_url(self._base, url, params)
        parts = urlsplit(full_url)
        scheme = {"ws": "http", "wss": "https"}.get(parts.scheme.lower(), parts.scheme.lower())
        if scheme not in ("http", "https"):
            raise NetworkError(f"cannot open a websocket to {url!r}: only ws(s) and http(s) URLs")
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        proxy = self._proxy_for(scheme, host, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if proxy is not None and scheme == "http":
            target = f"http://{parts.netloc.rpartition('@')[2]}{target}"
        sent = request_headers(self._headers, headers)
        http_url = urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
        with _Translated(http_url):
            return open_on(self._connect(scheme, host, port, proxy), target, sent, http_url)

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- requests, redirects, connections ----------------------------------------------------------
    def _exchange(
        self, method: str, url: str, headers: Headers, body: Body | None, follow: bool | None
    ) -> tuple[str, str, int, HeaderList, Generator[bytes, None, None]]:
        """Send, following redirects when asked; the last (method, url, status, headers, body chunks)."""
        follow = self._follow if follow is None else follow
        for _ in range(MAX_REDIRECTS + 1):
            with _Translated(url):
                status, answer, chunks = self._send(method, url, headers, body)
            location = next((value for name, value in answer if name.lower() == "location"), "")
            step = redirect(method, url, status, location, headers) if follow else None
            if step is None or (step[3] and body is not None and not body.replayable):
                return method, url, status, answer, chunks
            with _Translated(url):
                _drain(chunks)
            method, url, headers, keep_body = step
            if keep_body and body is not None:
                body.rewind()
            else:
                body = None
        raise ProtocolError(f"{method} {url}: more than {MAX_REDIRECTS} redirects")

    def _send(
        self, method: str, url: str, headers: Headers, body: Body | None
    ) -> tuple[int, HeaderList, Generator[bytes, None, None]]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise NetworkError(f"cannot send to {url!r}: only http and https URLs are supported")
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        proxy = self._proxy_for(scheme, host, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if proxy is not None and scheme == "http":
            target = f"http://{parts.netloc.rpartition('@')[2]}{target}"  # absolute form
        key = (scheme, host, port)
        for attempt in (1, 2):
            connection = self._connections.get(key) or self._connect(scheme, host, port, proxy)
            self._connections[key] = connection
            try:
                status, answer = connection.start(method, target, headers, body)
            except StaleConnection:
                if attempt == 2 or (body is not None and not body.replayable):
                    raise
                if body is not None:
                    body.rewind()
                continue  # the server closed the idle connection: once more on a new one
            return status, answer, connection.body_chunks()
        raise AssertionError("unreachable")  # pragma: no cover

    def _proxy_for(self, scheme: str, host: str, port: int) -> Proxy | None:
        if isinstance(self._proxy, Proxy):
            return self._proxy
        if self._proxy == "":
            return None
        return proxy_from_env(scheme, host, port, os.environ if self._env is None else self._env)

    def _connect(self, scheme: str, host: str, port: int, proxy: Proxy | None) -> Connection:
        context = None
        if scheme == "https":
            context = self._context or (ssl.create_default_context() if self._verify else _insecure())
        return Connection(host, port, context=context, timeout=self._timeout, proxy=proxy)


class _Translated:
    """``with _Translated(url):`` socket and protocol failures become ``NetworkError``/``TlsError``."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        from c8ylink.infra.net.http1 import ResponseError

        if exc is None or isinstance(exc, NetworkError | ProtocolError | ApiError):
            return
        peer = _peer(self.url)
        if isinstance(exc, ssl.SSLError):
            raise tls_error_from_ssl(exc, peer) from exc
        if isinstance(exc, TimeoutError):
            raise NetworkError(f"Fail to connect to {peer}: request timed out") from exc
        if isinstance(exc, TunnelRefused):
            raise NetworkError(f"Fail to connect to {peer}: the proxy refused the tunnel ({exc})") from exc
        if isinstance(exc, OSError | ResponseError | StaleConnection):
            raise NetworkError(f"Fail to connect to {peer}: {_reason(exc)}") from exc


def _insecure() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _write(chunks: Generator[bytes, None, None], target: Any, failure: str) -> int:
    size = 0
    for chunk in chunks:
        try:
            target.write(chunk)
        except OSError as exc:  # the disk's, not the network's
            raise NetworkError(f"{failure}: {exc.strerror or exc}") from exc
        size += len(chunk)
    return size


def _drain(chunks: Generator[bytes, None, None]) -> None:
    for _ in chunks:
        pass


def _peer(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    host = parts.hostname or url
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__
