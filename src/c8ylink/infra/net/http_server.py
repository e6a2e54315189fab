"""The minimum of HTTP/1.1 a small stdlib server needs (asyncio streams): read a request, write an answer.

    request = await read_request(reader, writer, max_body=...)   # HttpRequestError -> answer 400/413/431
    head = await read_head(reader, writer)                       # or: the head, then the body streamed
    async for chunk in body_chunks(reader, head, max_body=...): ...
    await write_head(writer, 200, "OK", headers, content_length=12)
    await write_body(writer, chunks, chunked=False)

Bodies: ``Content-Length`` or ``Transfer-Encoding: chunked``; ``Expect: 100-continue`` is answered
before the body is read (curl sends it for larger uploads). Every answer closes the connection.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

MAX_HEAD = 64 * 1024
REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content",
    400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
    413: "Content Too Large", 431: "Request Header Fields Too Large", 503: "Service Unavailable",
    500: "Internal Server Error", 502: "Bad Gateway",
}  # fmt: skip


class HttpRequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, max_body: int
) -> HttpRequest:
    """The head and the whole body (for small bodies; ``body_chunks`` streams)."""
    request = await read_head(reader, writer)
    body = b"".join([chunk async for chunk in body_chunks(reader, request, max_body=max_body)])
    return HttpRequest(request.method, request.target, request.headers, body)


async def read_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> HttpRequest:
    """The request line and headers (``body`` empty); ``Expect: 100-continue`` is answered."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise HttpRequestError(431, "request head too large") from None
    except asyncio.IncompleteReadError:
        raise HttpRequestError(400, "incomplete request") from None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpRequestError(400, f"malformed request line {lines[0][:80]!r}")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpRequestError(400, f"malformed header line {line[:80]!r}")
        headers.append((name, value.strip()))
    request = HttpRequest(parts[0].upper(), parts[1], headers, b"")
    if (request.header("expect") or "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
    return request


async def body_chunks(
    reader: asyncio.StreamReader, request: HttpRequest, *, max_body: int, chunk_size: int = 64 * 1024
) -> AsyncIterator[bytes]:
    """The request body piece by piece (``Content-Length`` or chunked); ``HttpRequestError`` 413 as soon
    as it is known to exceed ``max_body``, 400 when it is malformed or cut short."""
    try:
        if "chunked" in (request.header("transfer-encoding") or "").lower():
            async for chunk in _chunked(reader, max_body):
                yield chunk
            return
        length_text = request.header("content-length")
        if length_text is None:
            return
        if not length_text.isdigit():
            raise HttpRequestError(400, "invalid Content-Length")
        remaining = int(length_text)
        if remaining > max_body:
            raise HttpRequestError(413, f"request body over {max_body} bytes")
        while remaining:
            chunk = await reader.readexactly(min(remaining, chunk_size))
            remaining -= len(chunk)
            yield chunk
    except asyncio.IncompleteReadError:
        raise HttpRequestError(400, "incomplete request body") from None


async def _chunked(reader: asyncio.StreamReader, max_body: int) -> AsyncIterator[bytes]:
    total = 0
    while True:
        size_line = (await reader.readuntil(b"\r\n")).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise HttpRequestError(400, "invalid chunk size") from None
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return
        total += size
        if total > max_body:
            raise HttpRequestError(413, f"request body over {max_body} bytes")
        while size:
            piece = await reader.readexactly(min(size, 64 * 1024))
            size -= len(piece)
            yield piece
        await reader.readexactly(2)


async def write_head(
    writer: asyncio.StreamWriter,
    status: int,
    reason: str,
    headers: Sequence[tuple[str, str]],
    *,
    content_length: int | None,
) -> None:
    lines = [f"HTTP/1.1 {status} {reason or REASONS.get(status, '')}".rstrip()]
    lines += [f"{name}: {value}" for name, value in headers]
    if content_length is not None:
        lines.append(f"Content-Length: {content_length}")
    else:
        lines.append("Transfer-Encoding: chunked")
    lines.append("Connection: close")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    await writer.drain()


async def write_body(writer: asyncio.StreamWriter, chunks: AsyncIterator[bytes], *, chunked: bool) -> None:
    async for chunk in chunks:
        if not chunk:
            continue
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        await writer.drain()
    if chunked:
        writer.write(b"0\r\n\r\n")
        await writer.drain()


async def write_error(writer: asyncio.StreamWriter, status: int, error: str, message: str) -> None:
    """A Cumulocity-style JSON error answer."""
    body = json.dumps({"error": error, "message": message}).encode()
    await write_head(writer, status, REASONS.get(status, ""), [("Content-Type", "application/json")],
                     content_length=len(body))  # fmt: skip
    writer.write(body)
    await writer.drain()
