"""The local Cumulocity HTTP proxy of `tedge-mapper c8y` (a process) in front of the local tenant (real
HTTPS, its own CA as c8y.root_cert_path). The device JWT comes over MQTT as from the cloud: a
responder on the local broker answers c8y/s/uat with 71,<token> on c8y/s/dat, standing in for the
bridge until `tedge connect c8y` exists; the token is one the tenant issued and verifies."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from c8ylink.infra.net.mqtt_client import MqttClient

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("aiohttp")
    from c8ylink.tenant.background import BackgroundTenant
    from c8ylink.tenant.server import TenantConfig

    config = TenantConfig.on_free_ports(tmp_path_factory.mktemp("tenant"), mqtt=False)
    with BackgroundTenant(config) as running:
        yield running


def issue_token(tenant: Any) -> str:
    state = tenant.service.state
    return str(tenant.call(lambda: state.tokens.issue_device_token("admin", now=state.now()).token))


class JwtResponder:
    """Answers every c8y/s/uat request with the next of ``tokens`` (the last one repeats)."""

    def __init__(self, broker: Any, tokens: list[str]) -> None:
        self.tokens = tokens
        self.requests = 0
        self.client = MqttClient(broker.options("jwt-responder"))
        self.client.connect()
        self.client.subscribe([("c8y/s/uat", 1)])
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            for _ in self.client.messages():
                token = self.tokens[min(self.requests, len(self.tokens) - 1)]
                self.requests += 1
                self.client.publish("c8y/s/dat", f"71,{token}", qos=1)
        except Exception:  # disconnected at the end of the test
            return

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def proxy_for(
    mosquitto: Any, tenant: Any, device_config: Callable[..., Path], start_mapper: Callable[..., Any]
) -> Iterator[Callable[..., str]]:
    responders: list[JwtResponder] = []

    def start(tokens: list[str] | None = None, **settings: str) -> str:
        if tokens is not None:
            responders.append(JwtResponder(mosquitto, tokens))
        host, port = tenant.info.https_url.removeprefix("https://").split(":")
        base = {"c8y.http": f"{host}:{port}", "c8y.root_cert_path": str(tenant.info.ca_file)}
        config = device_config(mosquitto, **{**base, **settings})
        start_mapper(config, mosquitto)
        return f"http://127.0.0.1:{_proxy_port(config)}/c8y"

    start.responders = responders  # type: ignore[attr-defined]
    yield start
    for responder in responders:
        responder.close()


def _proxy_port(config: Path) -> int:
    import tomllib

    data = tomllib.loads((config / "tedge.toml").read_text())
    return int(data["c8y"]["proxy"]["bind"]["port"])


def test_get_with_the_device_jwt(proxy_for: Callable[..., str], tenant: Any) -> None:
    url = proxy_for([issue_token(tenant)])
    response = httpx2.get(f"{url}/inventory/managedObjects?pageSize=1", timeout=30)
    assert response.status_code == 200, response.text
    assert "managedObjects" in response.json()


def test_post_with_a_body_and_a_chunked_upload(proxy_for: Callable[..., str], tenant: Any) -> None:
    url = proxy_for([issue_token(tenant)])
    created = httpx2.post(f"{url}/inventory/managedObjects", json={"name": "via proxy"}, timeout=30)
    assert created.status_code == 201, created.text
    device = created.json()["id"]

    def chunks() -> Iterator[bytes]:
        yield b'{"source": {"id": "' + device.encode() + b'"}, '
        yield b'"type": "proxied", "text": "sent in chunks", "time": "2026-01-01T00:00:00Z"}'

    event = httpx2.post(f"{url}/event/events", content=chunks(), headers={"Content-Type": "application/json"},
                        timeout=30)  # fmt: skip
    assert event.status_code == 201, event.text
    assert event.json()["text"] == "sent in chunks"


def test_a_post_without_accept_still_gets_the_created_object(
    proxy_for: Callable[..., str], tenant: Any
) -> None:
    """The mapper's own client sends no Accept header: Cumulocity then answers a POST without a body,
    so the proxy asks for any type, as an HTTP client library would."""
    from c8ylink.infra.net.http import HttpClient

    url = proxy_for([issue_token(tenant)])
    with HttpClient(timeout=30) as client:
        for name in ("first", "second"):  # the second over a kept-alive upstream connection
            created = client.request("POST", f"{url}/inventory/managedObjects", json={"name": name})
            assert created.status == 201 and created.json()["name"] == name


def test_a_refused_token_is_fetched_again(proxy_for: Callable[..., str], tenant: Any) -> None:
    responder_tokens = ["not.a-valid.token", issue_token(tenant)]
    url = proxy_for(responder_tokens)
    response = httpx2.get(f"{url}/inventory/managedObjects?pageSize=1", timeout=60)
    assert response.status_code == 200, response.text
    assert proxy_for.responders[-1].requests == 2  # type: ignore[attr-defined]


def test_a_large_upload_is_spooled_and_sent_again_after_a_refused_token(
    proxy_for: Callable[..., str], tenant: Any
) -> None:
    url = proxy_for(["not.a-valid.token", issue_token(tenant)])
    user = (f"{tenant.info.tenant}/admin", tenant.info.admin.password)
    created = httpx2.post(f"{url}/inventory/managedObjects", json={"name": "big"}, auth=user, timeout=30)
    document = {
        "source": {"id": created.json()["id"]},
        "type": "big",
        "text": "t",
        "time": "2026-01-01T00:00:00Z",
    }
    event = httpx2.post(f"{url}/event/events", auth=user, timeout=30, json=document)
    content = bytes(range(256)) * (12 * 1024)  # 3 MiB: over what the proxy keeps in memory
    binary = f"{url}/event/events/{event.json()['id']}/binaries"
    answer = httpx2.post(binary, content=content, headers={"Content-Type": "text/plain"}, timeout=60)
    assert answer.status_code == 201, answer.text
    assert proxy_for.responders[-1].requests == 2  # type: ignore[attr-defined]  # refused once, sent again
    assert httpx2.get(binary, timeout=60).content == content


def test_the_callers_authorization_wins(proxy_for: Callable[..., str], tenant: Any) -> None:
    url = proxy_for([issue_token(tenant)])
    user = f"{tenant.info.tenant}/admin"
    wrong = httpx2.get(f"{url}/inventory/managedObjects", auth=(user, "wrong"), timeout=30)
    assert wrong.status_code == 401
    right = httpx2.get(f"{url}/inventory/managedObjects", auth=(user, tenant.info.admin.password), timeout=30)
    assert right.status_code == 200


def test_basic_auth_mode_uses_the_credentials_file(
    proxy_for: Callable[..., str], tenant: Any, tmp_path: Path
) -> None:
    credentials = tmp_path / "credentials.toml"
    credentials.write_text(
        f'[c8y]\nusername = "{tenant.info.tenant}/admin"\npassword = "{tenant.info.admin.password}"\n'
    )
    url = proxy_for(None, **{"c8y.auth_method": "basic", "c8y.credentials_path": str(credentials)})
    response = httpx2.get(f"{url}/inventory/managedObjects?pageSize=1", timeout=30)
    assert response.status_code == 200, response.text


def test_paths_outside_c8y_are_not_forwarded(proxy_for: Callable[..., str], tenant: Any) -> None:
    url = proxy_for([issue_token(tenant)])
    response = httpx2.get(url.removesuffix("/c8y") + "/inventory/managedObjects", timeout=30)
    assert response.status_code == 404
    assert response.json()["error"] == "proxy/notFound"


def test_unreachable_cumulocity_is_a_502(proxy_for: Callable[..., str], tenant: Any) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = proxy_for([issue_token(tenant)], **{"c8y.http": f"127.0.0.1:{port}"})
    response = httpx2.get(f"{url}/inventory/managedObjects", timeout=30)
    assert response.status_code == 502
    assert response.json()["error"] == "proxy/upstreamError"
    assert f"127.0.0.1:{port}" in response.json()["message"]


def test_an_untrusted_cumulocity_certificate_is_a_502(
    proxy_for: Callable[..., str], tenant: Any, tmp_path: Path
) -> None:
    import trustme

    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    url = proxy_for([issue_token(tenant)], **{"c8y.root_cert_path": str(other_ca)})
    response = httpx2.get(f"{url}/inventory/managedObjects", timeout=30)
    assert response.status_code == 502
    assert "not trusted" in response.json()["message"]


def test_the_proxy_serves_https_with_its_own_certificate(
    proxy_for: Callable[..., str], tenant: Any, tmp_path: Path
) -> None:
    import ssl

    import trustme

    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1")
    cert, key, ca_file = tmp_path / "proxy.pem", tmp_path / "proxy.key", tmp_path / "ca.pem"
    server.cert_chain_pems[0].write_to_path(str(cert))
    server.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))
    url = proxy_for(
        [issue_token(tenant)], **{"c8y.proxy.cert_path": str(cert), "c8y.proxy.key_path": str(key)}
    )
    https_url = url.replace("http://", "https://")
    context = ssl.create_default_context(cafile=str(ca_file))
    response = httpx2.get(f"{https_url}/inventory/managedObjects?pageSize=1", verify=context, timeout=30)
    assert response.status_code == 200, response.text


def test_a_proxy_port_in_use_is_logged_with_what_to_do(
    mosquitto: Any, device_config: Callable[..., Path], start_mapper: Callable[..., Any]
) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        config = device_config(mosquitto, **{"c8y.proxy.bind.port": str(port)})
        mapper = start_mapper(config, mosquitto)  # the mapper runs on without its proxy
        assert (
            f"The Cumulocity proxy cannot listen on 127.0.0.1:{port}: address already in use; "
            "set another port with `tedge config set c8y.proxy.bind.port <port>`"
        ) in mapper.output
