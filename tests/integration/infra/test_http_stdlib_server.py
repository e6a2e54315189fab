"""The standard-library HTTP/1.1 client (``infra.net.http`` over ``http1``) against a real HTTPS
server on loopback: bodies by length, chunked and until close; keep-alive, and a kept-alive connection
the server dropped; multipart; TLS trust and refused connections as our errors."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
import trustme

from c8ylink.core.errors import NetworkError, TlsError
from c8ylink.infra.net.http import HttpClient

pytestmark = pytest.mark.integration


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: ClassVar[set[int]] = set()

    def _answer(self) -> None:
        _Handler.connections.add(id(self.connection))
        length = int(self.headers.get("Content-Length") or 0)
        received = self.rfile.read(length) if length else b""
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b'{"a":', b" 1}"):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path == "/until-close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"all of it")
            self.close_connection = True
            return
        if self.path == "/drop":  # answers, then drops the kept-alive connection
            self.close_connection = True
        body = (
            f'{{"method":"{self.command}","path":"{self.path}",'
            f'"type":"{self.headers.get("Content-Type", "")}",'
            f'"length":{len(received)},"auth":"{self.headers.get("Authorization", "")}"}}'
        ).encode()
        self.send_response(404 if self.path.startswith("/missing") else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", "XSRF-TOKEN=abc; Path=/")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


class _TlsServer(ThreadingHTTPServer):
    context: ssl.SSLContext
    daemon_threads = True

    def finish_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except OSError:
            request.close()
            return
        try:
            super().finish_request(tls, client_address)  # type: ignore[arg-type]
        finally:
            tls.close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server(ca: trustme.CA) -> Iterator[str]:
    httpd = _TlsServer(("127.0.0.1", 0), _Handler)
    httpd.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(httpd.context)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def client(ca: trustme.CA, server: str) -> Iterator[HttpClient]:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with HttpClient(server, ssl_context=context, timeout=10) as http:
        yield http


def test_json_body_status_headers_and_cookies(client: HttpClient, server: str) -> None:
    answer = client.request("POST", "/inventory?x=1", json={"name": "a"}, basic_auth=("t1/u", "p"))
    assert answer.status == 200 and answer.url == server + "/inventory?x=1"
    body = answer.json()
    assert (body["method"], body["path"], body["type"], body["length"]) == (
        "POST",
        "/inventory?x=1",
        "application/json",
        len(b'{"name":"a"}'),
    )
    assert body["auth"] == "Basic dDEvdTpw"
    assert answer.headers["content-type"] == "application/json"
    assert answer.cookies == {"XSRF-TOKEN": "abc"}
    assert client.request("GET", "/missing").status == 404  # a status, not an exception


def test_chunked_and_until_close_bodies(client: HttpClient) -> None:
    assert client.request("GET", "/chunked").json() == {"a": 1}
    assert client.request("GET", "/until-close").content == b"all of it"
    assert client.request("GET", "/after").json()["path"] == "/after"  # a new connection after close


def test_keep_alive_and_a_connection_the_server_dropped(client: HttpClient) -> None:
    _Handler.connections.clear()
    for n in range(5):
        assert client.request("GET", f"/n{n}").ok
    assert len(_Handler.connections) == 1  # one connection for all five
    assert client.request("GET", "/drop").ok
    assert client.request("GET", "/again").json()["path"] == "/again"  # reconnected once, transparently


def test_multipart_upload(client: HttpClient) -> None:
    answer = client.request("POST", "/bulk", files={"file": ("d.csv", b"ID\tNAME\n1\tx\n", "text/csv")})
    body = answer.json()
    assert body["type"].startswith("multipart/form-data; boundary=") and body["length"] > 12


def test_untrusted_server_and_refused_connection(server: str) -> None:
    with (
        HttpClient(server, ssl_context=ssl.create_default_context()) as http,
        pytest.raises(TlsError) as info,
    ):
        http.request("GET", "/")
    assert info.value.kind == "unknown-ca"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with HttpClient(f"https://127.0.0.1:{port}") as http, pytest.raises(NetworkError) as refused:
        http.request("GET", "/")
    assert str(refused.value).startswith(f"Fail to connect to 127.0.0.1:{port}: ")
