"""An HTTP(S) client on the standard library (sockets, ``ssl`` and ``infra.net.http1``), for the commands
every pipeline stage starts anew (``c8y devices list | c8y devices update ...``): importing it costs a
fraction of httpx2 (measured in ``bench/rest_client.py``), and one keep-alive connection per client is
all a CLI needs.

Same contract as ``infra.net.http.HttpClient``: ``request(...) -> HttpResponse`` (error statuses are
values), TLS from an ``ssl.SSLContext``, transport failures as ``NetworkError`` (``Fail to connect to
<host>: <reason>``) and handshake failures as ``TlsError``. A keep-alive connection the server closed
in the meantime is reopened once. One client per thread (a connection carries one request at a
time).
"""

from __future__ import annotations

import json as jsonlib
import os
import ssl
from collections.abc import Mapping
from types import TracebackType
from urllib.parse import urlencode, urlsplit

from c8ylink.core.errors import NetworkError
from c8ylink.infra.net.http1 import Connection, ResponseError, StaleConnection
from c8ylink.infra.net.response import FileField, HttpResponse
from c8ylink.infra.net.tls_errors import tls_error_from_ssl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

USER_AGENT = "c8ylink"


class StdlibHttpClient:
    def __init__(
        self,
        base_url: str = "",
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._base = urlsplit(base_url) if base_url else None
        self._context = ssl_context
        self._timeout = timeout
        self._headers = dict(headers or {})
        self._connections: dict[tuple[str, str, int], Connection] = {}

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | str | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, FileField] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        basic_auth: tuple[str, str] | None = None,
    ) -> HttpResponse:
        scheme, host, port, target = self._split(url)
        if params:
            target += ("&" if "?" in target else "?") + urlencode(params)
        sent = {"User-Agent": USER_AGENT, **self._headers, **(headers or {})}
        body = _encode_body(sent, json=json, content=content, data=data, files=files)
        if cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        if basic_auth is not None:
            import base64

            token = base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode("ascii")
            sent["Authorization"] = f"Basic {token}"
        peer = f"{host}:{port}"
        full_url = f"{scheme}://{peer}{target}"
        status, answer_headers, content, set_cookies = self._send(
            scheme, host, port, method.upper(), target, body, sent, peer
        )
        return HttpResponse(
            status=status,
            url=full_url,
            method=method.upper(),
            headers=answer_headers,
            content=content,
            cookies=_cookies(set_cookies),
        )

    def _split(self, url: str) -> tuple[str, str, int, str]:
        parts = urlsplit(url)
        if not parts.scheme:
            if self._base is None:
                raise NetworkError(f"cannot send to {url!r}: no base URL")
            parts = self._base._replace(path=self._base.path.rstrip("/") + parts.path, query=parts.query)
        scheme = parts.scheme.lower()
        port = parts.port or (443 if scheme == "https" else 80)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return scheme, parts.hostname or "", port, target

    def _send(  # noqa: PLR0917 (one call site; the parts of one request)
        self,
        scheme: str,
        host: str,
        port: int,
        method: str,
        target: str,
        body: bytes | None,
        headers: dict[str, str],
        peer: str,
    ) -> tuple[int, dict[str, str], bytes, list[str]]:
        key = (scheme, host, port)
        for attempt in (1, 2):
            connection = self._connections.get(key) or self._connect(scheme, host, port)
            self._connections[key] = connection
            try:
                status, answer, content = connection.request(method, target, headers, body)
            except StaleConnection as exc:
                if attempt == 2:
                    raise NetworkError(f"Fail to connect to {peer}: {exc}") from exc
                continue  # the server closed the idle connection: once more on a new one
            except ssl.SSLError as exc:
                connection.close()
                raise tls_error_from_ssl(exc, peer) from exc
            except TimeoutError as exc:
                connection.close()
                raise NetworkError(f"Fail to connect to {peer}: request timed out") from exc
            except (OSError, ResponseError) as exc:
                connection.close()
                raise NetworkError(f"Fail to connect to {peer}: {_reason(exc)}") from exc
            merged = {name.lower(): value for name, value in answer}
            cookies = [value for name, value in answer if name.lower() == "set-cookie"]
            return status, merged, content, cookies
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self, scheme: str, host: str, port: int) -> Connection:
        context = (self._context or ssl.create_default_context()) if scheme == "https" else None
        return Connection(host, port, context=context, timeout=self._timeout)

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def __enter__(self) -> StdlibHttpClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _encode_body(
    headers: dict[str, str],
    *,
    json: Any,
    content: bytes | str | None,
    data: Mapping[str, str] | None,
    files: Mapping[str, FileField] | None,
) -> bytes | None:
    if files is not None:
        boundary = "c8ylink" + os.urandom(12).hex()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        return encode_multipart(boundary, data or {}, files)
    if json is not None:
        headers.setdefault("Content-Type", "application/json")
        return jsonlib.dumps(json, separators=(",", ":")).encode()
    if data is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return urlencode(data).encode()
    if content is not None:
        return content.encode() if isinstance(content, str) else content
    return None


def encode_multipart(boundary: str, fields: Mapping[str, str], files: Mapping[str, FileField]) -> bytes:
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, kind) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


def _cookies(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        pair = line.split(";", 1)[0]
        name, equals, value = pair.partition("=")
        if equals and name.strip():
            found[name.strip()] = value.strip()
    return found


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__
