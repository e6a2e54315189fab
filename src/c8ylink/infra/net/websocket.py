"""A synchronous WebSocket client on one ``http_connection.Connection`` (so TLS, ``--insecure`` and
proxies are the HTTP client's): ``HttpClient.open_websocket(url)`` sends the upgrade request and, on
``101 Switching Protocols`` with the right ``Sec-WebSocket-Accept``, hands the socket to ``WebSocket``.

    with client.open_websocket("/notification2/consumer/", params={"token": token}) as socket:
        text = socket.receive(timeout=5.0)     # None when nothing arrived in time
        socket.send_text("ack-id")

Pings are answered while receiving; a close frame, a dropped connection or bytes that are not
WebSocket end it with ``WebSocketClosed`` (a ``NetworkError``). An upgrade the server refuses is
``UpgradeRefused`` carrying the server's answer, for the caller to turn into its own error.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Callable
from types import TracebackType

from c8ylink.core.errors import NetworkError
from c8ylink.infra.net.http1 import header
from c8ylink.infra.net.http_connection import RECEIVE, Connection
from c8ylink.infra.net.response import HttpResponse
from c8ylink.infra.net.websocket_frames import (
    BINARY,
    CLOSE,
    PING,
    PONG,
    TEXT,
    FrameError,
    FrameParser,
    MessageAssembler,
    build_accept,
    build_key,
    decode_close,
    encode_close,
    encode_frame,
)


class WebSocketClosed(NetworkError):
    """The connection ended: the server closed it, it dropped, or it carried something else."""


class UpgradeRefused(NetworkError):
    """The server answered the upgrade request with something other than 101."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(f"{response.url}: the server refused the websocket ({response.status})")
        self.response = response


def upgrade_headers(key: str) -> dict[str, str]:
    return {
        "connection": "Upgrade",
        "upgrade": "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": key,
    }


def open_on(
    connection: Connection,
    target: str,
    headers: dict[str, str],
    url: str,
    *,
    random: Callable[[int], bytes] = os.urandom,
) -> WebSocket:
    """Send the upgrade request for ``target`` over ``connection``; the socket once switched."""
    from c8ylink.infra.net.http_request import build_response

    key = build_key(random(16))
    sent = {name.lower(): value for name, value in headers.items()} | upgrade_headers(key)
    status, answer = connection.start("GET", target, sent, None)
    if status != 101:
        body = b"".join(connection.body_chunks())
        connection.close()
        raise UpgradeRefused(build_response("GET", url, status, answer, body))
    if header(answer, "sec-websocket-accept") != build_accept(key):
        connection.close()
        raise NetworkError(f"{url}: the server's websocket handshake does not match the request")
    raw, pending = connection.detach()
    return WebSocket(raw, pending, url=url, random=random)


class WebSocket:
    """One open WebSocket (client side); not thread-safe."""

    def __init__(
        self,
        sock: socket.socket,
        pending: bytes = b"",
        *,
        url: str = "",
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._socket: socket.socket | None = sock
        self.url = url
        self._random = random
        self._parser = FrameParser()
        self._assembler = MessageAssembler()
        self._messages: list[tuple[int, bytes]] = []
        if pending:
            self._take(pending)

    def _take(self, data: bytes) -> None:
        try:
            frames = self._parser.feed(data)
            for frame in frames:
                message = self._assembler.add(frame)
                if message is not None:
                    self._messages.append(message)
        except FrameError as exc:
            self._abort()
            raise WebSocketClosed(f"{self.url}: not a websocket frame: {exc}") from exc

    def _send(self, opcode: int, payload: bytes) -> None:
        sock = self._socket
        if sock is None:
            raise WebSocketClosed(f"{self.url}: the websocket is closed")
        try:
            sock.sendall(encode_frame(opcode, payload, mask=self._random(4)))
        except (OSError, ssl.SSLError) as exc:
            self._abort()
            raise WebSocketClosed(f"{self.url}: the connection dropped ({exc})") from exc

    def send_text(self, text: str) -> None:
        self._send(TEXT, text.encode("utf-8"))

    def receive(self, timeout: float) -> str | None:
        """The next text message (binary ones as UTF-8 text), or None when ``timeout`` seconds passed."""
        while True:
            while self._messages:
                opcode, payload = self._messages.pop(0)
                if opcode in (TEXT, BINARY):
                    return payload.decode("utf-8", errors="replace")
                if opcode == PING:
                    self._send(PONG, payload)
                elif opcode == CLOSE:
                    code, reason = decode_close(payload)
                    self.close()
                    raise WebSocketClosed(
                        f"{self.url}: the server closed the websocket ({code} {reason})".rstrip()
                    )
            if not self._receive_some(timeout):
                return None

    def _receive_some(self, timeout: float) -> bool:
        sock = self._socket
        if sock is None:
            raise WebSocketClosed(f"{self.url}: the websocket is closed")
        try:
            sock.settimeout(max(timeout, 0.001))
            data = sock.recv(RECEIVE)
        except TimeoutError:
            return False
        except (OSError, ssl.SSLError) as exc:
            self._abort()
            raise WebSocketClosed(f"{self.url}: the connection dropped ({exc})") from exc
        if not data:
            self._abort()
            raise WebSocketClosed(f"{self.url}: the connection dropped")
        self._take(data)
        return True

    def close(self, code: int = 1000) -> None:
        """Say goodbye (best effort) and close the socket."""
        if self._socket is None:
            return
        try:
            self._socket.settimeout(1.0)
            self._socket.sendall(encode_frame(CLOSE, encode_close(code), mask=self._random(4)))
        except (OSError, ssl.SSLError):
            pass
        self._abort()

    def _abort(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._socket = None

    @property
    def closed(self) -> bool:
        return self._socket is None

    def __enter__(self) -> WebSocket:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
