"""Forward one HTTP request upstream and stream the answer back (asyncio, httpx2): the upstream half of
a reverse proxy such as the mapper's local Cumulocity proxy.

    forwarder = HttpForwarder("https://tenant.example.com", ssl_context=context)
    async with forwarder.forward("GET", "/inventory/managedObjects?pageSize=1", headers, b"") as answer:
        answer.status, answer.headers                 # headers without hop-by-hop fields
        async for chunk in answer.body():             # bytes as received (not decoded)
            ...
    await forwarder.close()

httpx2 is imported on the first request, so a proxy that is never used costs no memory. Failures to
reach the upstream become ``NetworkError`` (``TlsError`` for handshakes); HTTP error statuses are
answers like any other.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from c8ylink.core.errors import NetworkError
from c8ylink.infra.net.tls_errors import find_ssl_error, tls_error_from_ssl

# RFC 9110 §7.6.1 connection-specific fields, plus the ones a proxy must set itself
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
     "trailer", "transfer-encoding", "upgrade", "host", "content-length"}
)  # fmt: skip

Headers = Sequence[tuple[str, str]]
SPOOL_CHUNK = 64 * 1024


class SpooledBody:
    """A request body kept in a file (a large upload): sent in pieces, with its length, as often as asked."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self.file = file
        self.size = size

    async def chunks(self) -> AsyncIterator[bytes]:
        self.file.seek(0)
        while chunk := self.file.read(SPOOL_CHUNK):
            yield chunk


@dataclass
class ForwardedResponse:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    content_length: int | None
    _response: Any

    async def body(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.aiter_raw():
            yield chunk


class HttpForwarder:
    def __init__(
        self, base_url: str, *, ssl_context: ssl.SSLContext | None = None, timeout: float = 60.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._ssl_context = ssl_context
        self._timeout = timeout
        self._client: Any = None

    @property
    def peer(self) -> str:
        return urlsplit(self.base_url).netloc

    def _http(self) -> Any:
        if self._client is None:
            import httpx2

            verify: ssl.SSLContext | bool = self._ssl_context if self._ssl_context is not None else True
            self._client = httpx2.AsyncClient(
                verify=verify, timeout=httpx2.Timeout(self._timeout), trust_env=False, follow_redirects=False
            )
            # forward the caller's content negotiation, not httpx2's: the body is passed on undecoded
            self._client.headers.pop("accept-encoding", None)
        return self._client

    @asynccontextmanager
    async def forward(
        self, method: str, target: str, headers: Headers, body: bytes | SpooledBody
    ) -> AsyncIterator[ForwardedResponse]:
        """Send ``method`` ``<base_url><target>``; the answer's body can be read inside the block."""
        import httpx2

        client = self._http()
        sent = [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP]
        content: bytes | AsyncIterator[bytes]
        if isinstance(body, SpooledBody):
            sent.append(("Content-Length", str(body.size)))
            content = body.chunks()
        else:
            content = body
        request = client.build_request(method, self.base_url + target, headers=sent, content=content)
        try:
            response = await client.send(request, stream=True)
        except httpx2.TimeoutException as exc:
            raise NetworkError(f"Fail to connect to {self.peer}: request timed out") from exc
        except httpx2.TransportError as exc:
            ssl_error = find_ssl_error(exc)
            if ssl_error is not None:
                raise tls_error_from_ssl(ssl_error, self.peer) from exc
            raise NetworkError(f"Fail to connect to {self.peer}: {exc or type(exc).__name__}") from exc
        try:
            length = response.headers.get("content-length")
            yield ForwardedResponse(
                response.status_code,
                response.reason_phrase or "",
                [(k, v) for k, v in response.headers.multi_items() if k.lower() not in HOP_BY_HOP],
                int(length) if length and length.isdigit() else None,
                response,
            )
        except httpx2.TransportError as exc:
            raise NetworkError(f"Connection to {self.peer} broken while reading the answer: {exc}") from exc
        finally:
            await response.aclose()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
