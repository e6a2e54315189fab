"""The proxy's upstream client (infra.net.http_forward) against small asyncio servers on loopback: kept-
alive connections reused, one the server closed meanwhile replaced, bodies of any framing passed on."""

from __future__ import annotations

import asyncio

import pytest

from c8ylink.core.errors import NetworkError
from c8ylink.infra.net.http_forward import HttpForwarder

pytestmark = pytest.mark.integration


class Server:
    """A server that answers every request with ``answer``; ``close_after``: then closes silently."""

    def __init__(self, answer: bytes, *, close_after: bool) -> None:
        self.answer, self.close_after = answer, close_after
        self.heads: list[bytes] = []
        self.handlers: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> HttpForwarder:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.forwarder = HttpForwarder(f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}")
        return self.forwarder

    async def __aexit__(self, *_: object) -> None:
        await self.forwarder.close()
        self.server.close()
        await self.server.wait_closed()
        await asyncio.gather(*self.handlers)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.append(task)
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            self.heads.append(head)
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
            await reader.readexactly(length)
            writer.write(self.answer)
            await writer.drain()
            if self.close_after:
                break
        writer.close()
        await writer.wait_closed()


async def fetch(forwarder: HttpForwarder, body: bytes = b"") -> tuple[int, bytes]:
    async with forwarder.forward("POST" if body else "GET", "/x", [("X-Test", "1")], body) as answer:
        return answer.status, b"".join([chunk async for chunk in answer.body()])


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


async def test_kept_alive_connections_are_reused() -> None:
    server = Server(OK, close_after=False)
    async with server as forwarder:
        assert [await fetch(forwarder), await fetch(forwarder, b"data")] == [(200, b"ok"), (200, b"ok")]
    assert len(server.heads) == 2 and len(server.handlers) == 1  # one connection
    assert b"Accept: */*" in server.heads[0] and b"Content-Length: 4" in server.heads[1]


async def test_a_connection_the_server_closed_is_replaced() -> None:
    server = Server(OK, close_after=True)
    async with server as forwarder:
        for _ in range(3):
            assert await fetch(forwarder, b"again") == (200, b"ok")
    assert len(server.heads) == 3


async def test_chunked_and_until_close_bodies_are_passed_on() -> None:
    chunked = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    async with Server(chunked, close_after=False) as forwarder:
        status, body = await fetch(forwarder)
        assert (status, body) == (201, b"abcde")
    async with Server(b"HTTP/1.0 200 OK\r\n\r\nto the end", close_after=True) as forwarder:
        assert await fetch(forwarder) == (200, b"to the end")


async def test_an_unreachable_upstream_is_a_network_error() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    with pytest.raises(NetworkError, match=f"Fail to connect to 127.0.0.1:{port}"):
        await fetch(HttpForwarder(f"http://127.0.0.1:{port}"))
