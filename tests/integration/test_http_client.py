"""The HTTP adapter against a real HTTPS server on loopback: TLS trust, errors translated, statuses kept."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from c8ylink.core.errors import ApiError, NetworkError, TlsError
from c8ylink.infra.net.http import HttpClient

pytestmark = pytest.mark.integration


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 404 if self.path.startswith("/missing") else 200
        body = (
            b'{"error":"inventory/Not Found","message":"No managedObject"}' if status == 404 else b'{"ok":1}'
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _TlsServer(ThreadingHTTPServer):
    """Handshakes per connection, so a refused handshake closes its socket instead of leaking it."""

    context: ssl.SSLContext

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


def _trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def test_trusted_server_answers_json(ca: trustme.CA, server: str) -> None:
    with HttpClient(server, ssl_context=_trusting(ca)) as client:
        response = client.request("GET", "/inventory")
    assert response.status == 200
    assert response.json() == {"ok": 1}


def test_error_status_is_a_value_until_raised(ca: trustme.CA, server: str) -> None:
    with HttpClient(server, ssl_context=_trusting(ca)) as client:
        response = client.request("GET", "/missing")
    assert response.status == 404
    with pytest.raises(ApiError) as info:
        response.raise_for_status()
    assert info.value.status == 404
    assert info.value.body["error"] == "inventory/Not Found"


def test_unknown_ca_is_a_tls_error_with_its_kind(server: str) -> None:
    with HttpClient(server) as client, pytest.raises(TlsError) as info:
        client.request("GET", "/")
    assert info.value.kind == "unknown-ca"
    assert "not trusted" in str(info.value)


def test_insecure_skips_verification(server: str) -> None:
    with HttpClient(server, verify=False) as client:
        assert client.request("GET", "/").ok


def test_refused_connection_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with HttpClient(f"https://127.0.0.1:{port}") as client, pytest.raises(NetworkError) as info:
        client.request("GET", "/")
    assert str(info.value).startswith(f"Fail to connect to 127.0.0.1:{port}: ")
