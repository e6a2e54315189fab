"""One contract, every transport: the HTTP client over plain HTTP, over HTTPS (a trustme CA), through a
real proxy (tinyproxy on loopback: absolute-form requests for http, CONNECT tunnels for https, with
proxy credentials), and the in-memory transport where the wire does not matter.

The server side is one small app (``answer``) that the real servers and the in-memory handler share,
so each case states the contract once: statuses are values, bodies (JSON, form, multipart, streamed)
arrive whole, cookies/auth/headers go both ways, redirects follow the rules, downloads stream to a
file, and failures (refused, TLS, timeouts, a refusing proxy) are ``NetworkError``/``TlsError``.
"""

from __future__ import annotations

import hashlib
import io
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Generator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

import pytest
import trustme
from tests.support.tinyproxy import PROXY_PASSWORD, PROXY_USER, run_tinyproxy
from tests.support.tinyproxy import free_port as _free_port

from c8ylink.core.errors import ApiError, NetworkError, ProtocolError, TlsError
from c8ylink.infra.net.http import FileField, HttpClient
from c8ylink.infra.net.transport import MemoryTransport, Reply, Request, Transport

pytestmark = pytest.mark.integration

BIG = bytes(range(256)) * 4096  # 1 MiB, sent chunked

SLOW = 2.0  # seconds /slow waits; the clients in the timeout cases wait 0.3 s


# -- the app every server runs ------------------------------------------------------------------------
def answer(
    method: str, target: str, headers: dict[str, str], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    parts = urlsplit(target)
    path, query = parts.path, parse_qs(parts.query)
    if path.startswith("/status/"):
        status = int(path.rsplit("/", 1)[1])
        return (
            status,
            [("Content-Type", "application/json")],
            json.dumps({"error": f"status {status}"}).encode(),
        )
    if path.startswith("/redirect/"):
        status = int(path.rsplit("/", 1)[1])
        return status, [("Location", query["to"][0]), ("Content-Length", "0")], b""
    if path == "/loop":
        return 302, [("Location", "/loop")], b""
    if path == "/big":
        return 200, [("Content-Type", "application/octet-stream")], BIG
    if path == "/slow":
        time.sleep(SLOW)
    echo = {
        "method": method,
        "path": target if target.startswith("/") else urlsplit(target).path,
        "headers": headers,
        "length": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "body": body.decode("latin-1") if len(body) < 4096 else "",
    }
    cookies = [("Set-Cookie", "session=abc; Path=/; HttpOnly"), ("Set-Cookie", "XSRF-TOKEN=x1; Path=/")]
    return 200, [("Content-Type", "application/json"), *cookies], json.dumps(echo).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        body = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, fields, content = answer(self.command, self.path, headers, body)
        self.send_response(status)
        chunked = self.path.startswith("/big")
        for name, value in fields:
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif not any(name == "Content-Length" for name, _ in fields):
            self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if chunked:
            for start in range(0, len(content), 50_000):
                piece = content[start : start + 50_000]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(content)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            data = b""
            while size := int(self.rfile.readline().split(b";")[0], 16):
                data += self.rfile.read(size)
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b""):
                pass
            return data
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    context: ssl.SSLContext | None = None

    def finish_request(self, request: socket.socket, client_address: Any) -> None:  # type: ignore[override]
        if self.context is None:
            super().finish_request(request, client_address)
            return
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except OSError:
            request.close()
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            tls.close()


def _serve(context: ssl.SSLContext | None) -> Generator[str, None, None]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.context = context
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if context else "http"
    try:
        yield f"{scheme}://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture(scope="module")
def servers(ca: trustme.CA) -> Iterator[dict[str, tuple[str, str]]]:
    """Two origins per scheme (the second for cross-host redirects)."""
    plain, plain2 = _serve(None), _serve(None)
    secure, secure2 = _serve(_server_context(ca)), _serve(_server_context(ca))
    urls = {"http": (next(plain), next(plain2)), "https": (next(secure), next(secure2))}
    yield urls
    for server in (plain, plain2, secure, secure2):
        server.close()


@pytest.fixture(scope="module")
def tinyproxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real proxy on a free loopback port; its URL with credentials."""
    with run_tinyproxy(tmp_path_factory.mktemp("tinyproxy")) as running:
        yield running.url


# -- the transports -----------------------------------------------------------------------------------
class Setup(NamedTuple):
    name: str
    make: Callable[..., Transport]  # make(base_url, **options)
    base: str
    other: str  # another origin of the same kind
    wire: bool  # a real socket (timeouts, refused connections, TLS)
    scheme: str
    proxy: str = ""


def _memory(base: str, *, follow_redirects: bool = False, **_: Any) -> MemoryTransport:
    def handler(request: Request) -> Reply:
        status, fields, content = answer(request.method, request.path, dict(request.headers), request.content)
        return Reply(status, fields, content)

    return MemoryTransport(handler, base_url=base, follow_redirects=follow_redirects)


TRANSPORTS = ["http", "https", "proxy-http", "proxy-https", "memory"]


@pytest.fixture(params=TRANSPORTS)
def setup(request: pytest.FixtureRequest, servers: dict[str, tuple[str, str]], ca: trustme.CA) -> Setup:
    name = request.param
    if name == "memory":
        return Setup(name, _memory, "http://memory.test", "http://other.test", wire=False, scheme="http")
    scheme = "https" if name.endswith("https") else "http"
    base, other = servers[scheme]
    context = ssl.create_default_context()
    ca.configure_trust(context)
    proxy = request.getfixturevalue("tinyproxy") if name.startswith("proxy") else ""

    def make(base_url: str, **options: Any) -> HttpClient:
        options.setdefault("timeout", 10)
        options.setdefault("proxy", proxy)
        return HttpClient(base_url, ssl_context=context if scheme == "https" else None, **options)

    return Setup(name, make, base, other, wire=True, scheme=scheme, proxy=proxy)


@pytest.fixture
def http(setup: Setup) -> Iterator[Transport]:
    client = setup.make(setup.base)
    yield client
    client.close()


def _echo(response: Any) -> dict[str, Any]:
    assert response.status == 200, response.text
    return dict(response.json())


# -- the contract -------------------------------------------------------------------------------------
def test_error_statuses_are_values(http: Transport, setup: Setup) -> None:
    response = http.request("GET", "/status/404")
    assert response.status == 404 and not response.ok
    assert response.url == setup.base + "/status/404"
    with pytest.raises(ApiError) as info:
        response.raise_for_status()
    assert info.value.status == 404
    assert http.request("GET", "/status/500").status == 500


def test_json_body_params_and_headers(http: Transport) -> None:
    response = http.request(
        "POST",
        "/echo?a=1",
        params={"b": "2 3"},
        json={"name": "dev"},
        headers={"X-Custom": "v", "Accept": "text/plain"},
    )
    echo = _echo(response)
    assert echo["method"] == "POST" and echo["path"] == "/echo?a=1&b=2+3"
    assert echo["headers"]["content-type"] == "application/json"
    assert echo["headers"]["x-custom"] == "v" and echo["headers"]["accept"] == "text/plain"
    assert echo["headers"]["user-agent"] == "c8ylink"
    assert json.loads(echo["body"]) == {"name": "dev"}
    assert int(echo["headers"]["content-length"]) == echo["length"]
    assert response.headers["content-type"] == "application/json"  # names in lower case


def test_form_body(http: Transport) -> None:
    echo = _echo(http.request("POST", "/token", data={"grant_type": "device", "scope": "a b"}))
    assert echo["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(echo["body"]) == {"grant_type": ["device"], "scope": ["a b"]}


def test_multipart_with_bytes_and_a_streamed_file(http: Transport) -> None:
    stream = io.BytesIO(b"x" * 100_000)
    files: dict[str, FileField] = {
        "file": ("d.csv", b"ID\tNAME\n1\tx\n", "text/csv"),
        "blob": ("b.bin", stream, "application/octet-stream"),
    }
    echo = _echo(http.request("POST", "/upload", data={"object": '{"name":"a"}'}, files=files))
    kind = echo["headers"]["content-type"]
    assert kind.startswith("multipart/form-data; boundary=")
    boundary = kind.split("boundary=")[1]
    expected = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="object"\r\n\r\n{{"name":"a"}}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\nID\tNAME\n1\tx\n\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="blob"; filename="b.bin"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n{'x' * 100_000}\r\n--{boundary}--\r\n"
    ).encode()
    assert echo["sha256"] == hashlib.sha256(expected).hexdigest()
    assert int(echo["headers"]["content-length"]) == len(expected)


def test_streamed_uploads_from_a_file_and_an_iterator(http: Transport, tmp_path: Path) -> None:
    source = tmp_path / "firmware.bin"
    source.write_bytes(BIG)
    with source.open("rb") as stream:
        echo = _echo(http.request("PUT", "/upload", content=stream))
    assert (echo["length"], echo["sha256"]) == (len(BIG), hashlib.sha256(BIG).hexdigest())
    assert echo["headers"]["content-length"] == str(len(BIG))
    pieces = (BIG[start : start + 70_000] for start in range(0, len(BIG), 70_000))
    echo = _echo(http.request("POST", "/upload", content=pieces))  # length unknown: chunked
    assert (echo["length"], echo["sha256"]) == (len(BIG), hashlib.sha256(BIG).hexdigest())


def test_cookies_both_ways_and_basic_auth(http: Transport, setup: Setup) -> None:
    response = http.request("GET", "/echo", cookies={"a": "1", "b": "2"}, basic_auth=("t1/user", "pa:ss"))
    echo = _echo(response)
    assert echo["headers"]["cookie"] == "a=1; b=2"
    assert echo["headers"]["authorization"] == "Basic dDEvdXNlcjpwYTpzcw=="
    if setup.name == "proxy-http":  # tinyproxy forwards only the first of repeated header fields
        assert response.cookies == {"session": "abc"}
    else:
        assert response.cookies == {"session": "abc", "XSRF-TOKEN": "x1"}


def test_redirects_are_answers_unless_followed(http: Transport, setup: Setup) -> None:
    response = http.request("GET", "/redirect/302?to=/echo")
    assert response.status == 302 and response.headers["location"] == "/echo"
    followed = http.request("GET", "/redirect/302?to=/echo%3Fafter", follow_redirects=True)
    assert _echo(followed)["path"] == "/echo?after" and followed.url == setup.base + "/echo?after"


@pytest.mark.parametrize(
    ("status", "method", "kept"),
    [
        (301, "POST", False),
        (302, "POST", False),
        (303, "PUT", False),
        (307, "POST", True),
        (308, "PUT", True),
    ],
)
def test_redirect_methods_and_bodies(setup: Setup, status: int, method: str, kept: bool) -> None:
    client = setup.make(setup.base, follow_redirects=True)
    try:
        echo = _echo(client.request(method, f"/redirect/{status}?to=/echo", json={"k": 1}))
    finally:
        client.close()
    assert echo["method"] == (method if kept else "GET")
    assert echo["body"] == ('{"k":1}' if kept else "")
    assert ("content-type" in echo["headers"]) is kept


def test_redirect_to_another_host_drops_credentials(http: Transport, setup: Setup) -> None:
    away = f"/redirect/302?to={setup.other}/echo"
    headers = {"Authorization": "Bearer secret", "X-Kept": "1"}
    echo = _echo(http.request("GET", away, headers=headers, cookies={"s": "1"}, follow_redirects=True))
    assert "authorization" not in echo["headers"] and "cookie" not in echo["headers"]
    assert echo["headers"]["x-kept"] == "1"
    same = _echo(http.request("GET", "/redirect/307?to=/echo", headers=headers, follow_redirects=True))
    assert same["headers"]["authorization"] == "Bearer secret"


def test_redirect_loops_end(http: Transport) -> None:
    with pytest.raises(ProtocolError, match="more than 10 redirects"):
        http.request("GET", "/loop", follow_redirects=True)


def test_download_streams_into_a_file(http: Transport, tmp_path: Path) -> None:
    target = tmp_path / "sub" / "package.deb"
    target.parent.mkdir()
    assert http.download("/big", str(target)) == len(BIG)
    assert target.read_bytes() == BIG
    assert http.download("/redirect/302?to=/big", str(tmp_path / "again"), follow_redirects=True) == len(BIG)
    with pytest.raises(ApiError) as info:
        http.download("/status/404", str(tmp_path / "missing"))
    assert info.value.status == 404
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again", "sub"]  # nothing half-written left
    assert [p.name for p in target.parent.iterdir()] == ["package.deb"]


def test_keep_alive_carries_many_requests(http: Transport) -> None:
    for n in range(20):
        assert _echo(http.request("GET", f"/echo?n={n}"))["path"] == f"/echo?n={n}"


# -- failures on the wire -----------------------------------------------------------------------------
def _wire(setup: Setup) -> None:
    if not setup.wire:
        pytest.skip("no wire: the in-memory transport neither connects nor times out")


def test_refused_connection_is_a_network_error(setup: Setup) -> None:
    _wire(setup)
    port = _free_port()
    client = setup.make(f"{setup.scheme}://127.0.0.1:{port}")
    try:
        if setup.name.startswith("proxy"):
            if setup.scheme == "http":  # the proxy answers for the origin it cannot reach
                assert client.request("GET", "/").status >= 500
                return
            with pytest.raises(NetworkError) as info:
                client.request("GET", "/")
            assert str(info.value).startswith(
                f"Fail to connect to 127.0.0.1:{port}: the proxy refused the tunnel"
            )
        else:
            with pytest.raises(NetworkError) as info:
                client.request("GET", "/")
            assert str(info.value) == f"Fail to connect to 127.0.0.1:{port}: [Errno 111] Connection refused"
    finally:
        client.close()


def test_untrusted_server_is_a_tls_error(setup: Setup) -> None:
    _wire(setup)
    if setup.scheme != "https":
        pytest.skip("plain HTTP has no TLS")
    untrusted = HttpClient(setup.base, proxy=setup.proxy)
    insecure = HttpClient(setup.base, proxy=setup.proxy, verify=False)
    try:
        with pytest.raises(TlsError) as info:
            untrusted.request("GET", "/echo")
        assert info.value.kind == "unknown-ca"
        assert insecure.request("GET", "/echo").ok
    finally:
        untrusted.close()
        insecure.close()


def test_timeouts_are_network_errors(setup: Setup) -> None:
    _wire(setup)
    client = setup.make(setup.base, timeout=0.3)
    try:
        with pytest.raises(NetworkError) as info:
            client.request("GET", "/slow")
        assert str(info.value).endswith(": request timed out")
    finally:
        client.close()


# -- proxies ------------------------------------------------------------------------------------------
def test_wrong_proxy_credentials_are_refused_and_never_shown(
    tinyproxy: str, servers: dict[str, tuple[str, str]]
) -> None:
    wrong = tinyproxy.replace(PROXY_PASSWORD, "wr0ng-pa55")
    with HttpClient(servers["http"][0], proxy=wrong) as client:
        # the proxy's answer, as a value (tinyproxy says 401 to absolute-form requests)
        assert client.request("GET", "/echo").status in (401, 407)
    with HttpClient(servers["https"][0], proxy=wrong) as client, pytest.raises(NetworkError) as info:
        client.request("GET", "/echo")
    assert "the proxy refused the tunnel (401 Unauthorized)" in str(info.value)  # tinyproxy's 407
    assert "wr0ng-pa55" not in str(info.value)
    assert PROXY_USER not in str(info.value)


class _FakeProxy:
    """Records the first request line sent to it and answers with ``reply``."""

    def __init__(self, reply: bytes) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.reply = reply
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        connection, _ = self.listener.accept()
        with connection, connection.makefile("rb") as reader:
            head = []
            while (line := reader.readline()) not in (b"\r\n", b""):
                head.append(line.decode().strip())
            self.lines = head
            connection.sendall(self.reply)

    def close(self) -> None:
        self.thread.join(timeout=10)
        self.listener.close()


def test_proxies_from_the_environment() -> None:
    """A remote host goes through HTTPS_PROXY/HTTP_PROXY (never resolved here: the fake proxy answers)."""
    fake = _FakeProxy(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
    env = {"HTTPS_PROXY": fake.url.replace("http://", "http://u:p@"), "NO_PROXY": "internal.example"}
    with (
        HttpClient("https://c8y.example.com", env=env, timeout=10) as client,
        pytest.raises(NetworkError) as info,
    ):
        client.request("GET", "/tenant/currentTenant")
    fake.close()
    assert fake.lines[0] == "CONNECT c8y.example.com:443 HTTP/1.1"
    assert "Proxy-Authorization: Basic dTpw" in fake.lines
    assert (
        str(info.value)
        == "Fail to connect to c8y.example.com:443: the proxy refused the tunnel (403 Forbidden)"
    )

    fake = _FakeProxy(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    with HttpClient("http://c8y.example.com:8080", env={"http_proxy": fake.url}, timeout=10) as client:
        assert client.request("GET", "/x?y=1").text == "ok"
    fake.close()
    assert fake.lines[0] == "GET http://c8y.example.com:8080/x?y=1 HTTP/1.1"
    assert "Host: c8y.example.com:8080" in fake.lines
