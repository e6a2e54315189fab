"""One HTTP/1.1 connection over a socket: it sends a request (its body streamed) and feeds the answer's
bytes to ``http1.ResponseParser``; the I/O shell around that parser. The socket goes to the origin, or
to an HTTP proxy: through a ``CONNECT`` tunnel for https, directly (absolute-form targets, chosen by the
caller) for http.

Errors are the socket's (``OSError``, ``ssl.SSLError``, ``TimeoutError``), ``ResponseError`` for an
answer that is not HTTP, ``TunnelRefused`` for a proxy that refused the tunnel, and ``StaleConnection``
for a kept-alive connection the server closed before it read the request; ``infra.net.http`` turns
them into ``NetworkError``/``TlsError``.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Generator

from c8ylink.infra.net.http1 import (
    Data,
    End,
    HeaderList,
    Headers,
    ResponseError,
    ResponseParser,
    Status,
    encode_chunk,
    encode_head,
)
from c8ylink.infra.net.http_request import Body
from c8ylink.infra.net.proxies import Proxy

RECEIVE = 65536


class StaleConnection(Exception):
    """A kept-alive connection the server had closed before the request reached it."""


class TunnelRefused(Exception):
    """The proxy answered ``CONNECT`` with something other than 2xx."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}".strip())
        self.status = status


def _title(name: str) -> str:
    return "-".join(word.capitalize() for word in name.split("-"))


class Connection:
    """To ``host:port`` (TLS with ``context``), through ``proxy`` when given."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        context: ssl.SSLContext | None,
        timeout: float,
        proxy: Proxy | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.context = context
        self.timeout = timeout
        self.proxy = proxy
        self._socket: socket.socket | None = None
        self._parser: ResponseParser | None = None
        self._pending: list[bytes] = []
        self.used = False  # has carried a request already (a reset then means "stale")

    # -- opening ----------------------------------------------------------------------------------
    def _open(self) -> None:
        address = (self.proxy.host, self.proxy.port) if self.proxy else (self.host, self.port)
        raw = socket.create_connection(address, timeout=self.timeout)
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.proxy is not None and self.context is not None:
                self._tunnel(raw, self.proxy)
            sock = self.context.wrap_socket(raw, server_hostname=self.host) if self.context else raw
        except BaseException:
            raw.close()
            raise
        self._socket = sock

    def _tunnel(self, raw: socket.socket, proxy: Proxy) -> None:
        authority = self.authority(always_port=True)
        headers: HeaderList = [("Host", authority)]
        if proxy.credentials:
            headers.append(("Proxy-Authorization", proxy.authorization()))
        raw.sendall(encode_head("CONNECT", authority, headers))
        parser = ResponseParser("CONNECT")
        status, reason = 0, ""
        while not parser.done:
            data = raw.recv(RECEIVE)
            for event in parser.feed(data) if data else parser.feed_eof():
                if isinstance(event, Status):
                    status, reason = event.code, event.reason
        if not 200 <= status < 300:
            raise TunnelRefused(status, reason)
        if parser.unused:
            raise ResponseError("the proxy sent data before the tunnel was open")

    def authority(self, *, always_port: bool = False) -> str:
        default = 443 if self.context else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default and not always_port else f"{host}:{self.port}"

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._socket = None
        self._parser = None
        self._pending = []
        self.used = False

    def detach(self) -> tuple[socket.socket, bytes]:
        """After a ``101 Switching Protocols``: the socket and the bytes already read past the answer,
        for the new protocol; the connection is left closed."""
        sock, parser = self._socket, self._parser
        assert sock is not None and parser is not None
        pending = b"".join(self._pending) + parser.unused
        self._socket, self._parser, self._pending, self.used = None, None, [], False
        return sock, pending

    def _dropped(self) -> bool:
        """Whether the idle connection is closed (or holds bytes nobody asked for)."""
        sock = self._socket
        assert sock is not None
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        sock.setblocking(False)
        try:
            sock.recv(1)
        except (BlockingIOError, ssl.SSLWantReadError):
            return False  # only TLS records such as session tickets
        except OSError:
            return True
        finally:
            sock.settimeout(self.timeout)
        return True  # closed (b""), or data before a request

    # -- one exchange -----------------------------------------------------------------------------
    def start(
        self, method: str, target: str, headers: dict[str, str], body: Body | None
    ) -> tuple[int, HeaderList]:
        """Send a request; its answer's status and headers. Read the body with ``body_chunks()`` before
        the next request."""
        if self._socket is not None and self.used and self._dropped():
            self.close()  # the server closed the idle connection: a new one, before the body is spent
        if self._socket is None:
            self._open()
        sock = self._socket
        assert sock is not None
        reused = self.used
        self.used = True
        fields: HeaderList = []
        if "host" not in headers:
            fields.append(("Host", self.authority()))
        if self.proxy is not None and self.context is None and self.proxy.credentials:
            fields.append(("Proxy-Authorization", self.proxy.authorization()))
        chunked = body is not None and body.length is None
        if body is not None and not chunked:
            headers = {**headers, "content-length": str(body.length)}
        elif chunked:
            headers = {name: value for name, value in headers.items() if name != "content-length"}
            headers["transfer-encoding"] = "chunked"
        elif method in ("POST", "PUT", "PATCH"):
            headers = {**headers, "content-length": "0"}
        fields += [(_title(name), value) for name, value in headers.items()]
        parser = ResponseParser(method)
        self._parser = parser
        try:
            sock.sendall(encode_head(method, target, fields))
            if body is not None:
                for chunk in body.chunks():
                    sock.sendall(encode_chunk(chunk) if chunked else chunk)
                if chunked:
                    sock.sendall(encode_chunk(b""))
            status, answer = self._read_head(parser)
        except (BrokenPipeError, ConnectionResetError) as exc:
            self.close()
            if reused:
                raise StaleConnection(str(exc)) from exc
            raise
        except ResponseError as exc:
            self.close()
            if reused and "without an answer" in str(exc):
                raise StaleConnection("the server closed the kept-alive connection") from exc
            raise
        except BaseException:
            self.close()
            raise
        return status, answer

    def _read_head(self, parser: ResponseParser) -> tuple[int, HeaderList]:
        assert self._socket is not None
        status, answer = 0, None
        self._pending = []
        while answer is None:
            data = self._socket.recv(RECEIVE)
            for event in parser.feed(data) if data else parser.feed_eof():
                if isinstance(event, Status):
                    status = event.code
                elif isinstance(event, Headers):
                    answer = event.headers
                elif isinstance(event, Data):
                    self._pending.append(event.data)
        return status, answer

    def body_chunks(self) -> Generator[bytes, None, None]:
        """The rest of the answer's body; the connection is closed after it unless kept alive."""
        parser = self._parser
        assert parser is not None and self._socket is not None
        try:
            pending, self._pending = self._pending, []
            yield from pending
            while not parser.done:
                data = self._socket.recv(RECEIVE)
                for event in parser.feed(data) if data else parser.feed_eof():
                    if isinstance(event, Data):
                        yield event.data
                    elif isinstance(event, End):
                        break
        except BaseException:
            self.close()
            raise
        if not parser.keep_alive or parser.unused:
            self.close()
        self._parser = None
