"""HTTP/1.1 over one socket, as small as a CLI needs: a request with a full body, a response read whole
(``Content-Length``, ``chunked``, or until the server closes), keep-alive unless either side says
``close``. No redirects, no ``100-continue``, no proxies.

Why not ``http.client``: it imports the ``email`` package to parse headers, which costs as much again
as the whole request on a small machine, and every stage of a ``c8y`` pipeline is a new process
(``bench/rest_client.py``). Errors are the socket's (``OSError``, ``ssl.SSLError``, ``TimeoutError``)
and ``ResponseError`` for an answer that is not HTTP; ``infra.net.stdlib_http`` translates them.
"""

from __future__ import annotations

import socket
import ssl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

MAX_LINE = 65536
MAX_HEADERS = 200


class ResponseError(Exception):
    """The peer's answer is not HTTP/1.x (or ended too early)."""


class StaleConnection(Exception):
    """A kept-alive connection the server had closed before the request reached it."""


class Connection:
    def __init__(self, host: str, port: int, *, context: ssl.SSLContext | None, timeout: float) -> None:
        self.host = host
        self.port = port
        self.context = context
        self.timeout = timeout
        self._socket: socket.socket | None = None
        self._reader: BinaryIO | None = None
        self.used = False  # has carried a request already (a reset then means "stale")

    def _open(self) -> None:
        raw = socket.create_connection((self.host, self.port), timeout=self.timeout)
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock = self.context.wrap_socket(raw, server_hostname=self.host) if self.context else raw
        except BaseException:
            raw.close()
            raise
        self._socket = sock
        self._reader = sock.makefile("rb")

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        if self._socket is not None:
            self._socket.close()
        self._socket = self._reader = None
        self.used = False

    def request(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send one request and read its answer: (status, headers in order, body)."""
        if self._socket is None:
            self._open()
        assert self._socket is not None and self._reader is not None
        reused = self.used
        self.used = True
        head = [f"{method} {target} HTTP/1.1", f"Host: {self._host_header()}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body or b'')}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b"")
        try:
            self._socket.sendall(data)
            status_line = self._reader.readline(MAX_LINE)
        except (BrokenPipeError, ConnectionResetError) as exc:
            self.close()
            if reused:
                raise StaleConnection(str(exc)) from exc
            raise
        if not status_line:
            self.close()
            if reused:
                raise StaleConnection("the server closed the kept-alive connection")
            raise ResponseError("the server closed the connection without an answer")
        status, answer = self._read_head(status_line)
        content = self._read_body(method, status, answer)
        if _header(answer, "connection").lower() == "close":
            self.close()
        return status, answer, content

    def _host_header(self) -> str:
        default = 443 if self.context else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"

    def _read_head(self, status_line: bytes) -> tuple[int, list[tuple[str, str]]]:
        assert self._reader is not None
        parts = status_line.decode("latin-1").split(None, 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            self.close()
            raise ResponseError(f"not an HTTP answer: {status_line[:60]!r}")
        headers: list[tuple[str, str]] = []
        while True:
            line = self._reader.readline(MAX_LINE)
            if line in (b"\r\n", b"\n"):
                break
            if not line or len(headers) > MAX_HEADERS:
                self.close()
                raise ResponseError("the answer's headers ended early")
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip(), value.strip()))
        return int(parts[1]), headers

    def _read_body(self, method: str, status: int, headers: list[tuple[str, str]]) -> bytes:
        assert self._reader is not None
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return b""
        if "chunked" in _header(headers, "transfer-encoding").lower():
            return self._read_chunked()
        length = _header(headers, "content-length")
        if length.isdigit():
            content = self._reader.read(int(length))
            if len(content) < int(length):
                self.close()
                raise ResponseError("the answer ended before its Content-Length")
            return content
        content = self._reader.read()  # until the server closes
        self.close()
        return content

    def _read_chunked(self) -> bytes:
        assert self._reader is not None
        chunks: list[bytes] = []
        while True:
            size_line = self._reader.readline(MAX_LINE).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                self.close()
                raise ResponseError(f"bad chunk size {size_line[:20]!r}") from None
            if size == 0:
                while self._reader.readline(MAX_LINE) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunk = self._reader.read(size)
            if len(chunk) < size:
                self.close()
                raise ResponseError("the answer ended inside a chunk")
            chunks.append(chunk)
            self._reader.readline(MAX_LINE)


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")
