"""The file transfer service over HTTPS (http.cert_path/key_path), requiring client certificates
(http.ca_path), with tedge's clients presenting http.client.auth.*: real TLS on loopback, throw-away CA."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import trustme

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.settings.resolve import build_settings
from c8ylink.device.agent.file_operations import DeviceOperations, OperationFailed
from c8ylink.device.agent.file_transfer import FileTransferServer
from c8ylink.device.config.settings import TEDGE
from c8ylink.device.local_http import LocalHttp, local_http
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.transfers import Transfers
from c8ylink.infra.net.http import HttpClient

pytestmark = pytest.mark.integration


def pki(tmp_path: Path) -> dict[str, str]:
    ca = trustme.CA()
    paths = {name: str(tmp_path / f"{name}.pem") for name in ("ca", "server", "client")}
    ca.cert_pem.write_to_path(paths["ca"])
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(paths["server"])
    ca.issue_cert("tedge-client").private_key_and_cert_chain_pem.write_to_path(paths["client"])
    return paths


def settings(values: dict[str, Any]) -> LocalHttp:
    loaded = build_settings(TEDGE, file_data=values, file_name="tedge.toml", env={}, config_dir="/etc/tedge")
    return local_http(loaded)


def test_urls_are_https_once_the_service_has_a_certificate() -> None:
    assert settings({}).base_url == "http://127.0.0.1:8000"
    assert settings({}).server_context() is None and settings({}).client_context() is None
    https = settings({"http": {"cert_path": "/c.pem", "key_path": "/k.pem", "client": {"port": 8443}}})
    assert https.base_url == "https://127.0.0.1:8443"


async def test_the_service_requires_and_checks_client_certificates(tmp_path: Path) -> None:
    paths = pki(tmp_path)
    (tmp_path / "app.conf").write_text("config\n")
    (tmp_path / "plugin.toml").write_text(f'files = [{{ path = "{tmp_path}/app.conf", type = "app" }}]\n')
    server = FileTransferServer(tmp_path / "files")
    http = LocalHttp("https://127.0.0.1:0", paths["server"], paths["server"], paths["ca"], paths["client"])
    await server.start("127.0.0.1", 0, ssl=http.server_context())
    try:
        http = LocalHttp(f"https://127.0.0.1:{server.port}", paths["server"], paths["server"], paths["ca"],
                         paths["client"])  # fmt: skip
        url = f"{http.base_url}/te/v1/files/main/config_snapshot/app-1"
        operations = DeviceOperations(tmp_path / "plugin.toml", ssl_context=http.client_context())
        await operations.config_snapshot({"type": "app", "tedgeUrl": url})
        assert (tmp_path / "files/main/config_snapshot/app-1").read_text() == "config\n"
        transfers = Transfers(MapperConfig(device_id="d", file_transfer_url=http.base_url),
                              local_ssl=http.client_context())  # fmt: skip
        await transfers.run({"kind": "delete", "tedgeUrl": url})  # the mapper's client gets in too
        await transfers.close()
        assert not (tmp_path / "files/main/config_snapshot/app-1").exists()
        without = LocalHttp(http.base_url, ca_path=paths["ca"])  # trusts the service, no certificate
        refused = DeviceOperations(tmp_path / "plugin.toml", ssl_context=without.client_context())
        with pytest.raises(OperationFailed, match="Cannot upload"):
            await refused.config_snapshot({"type": "app", "tedgeUrl": url})

        def plain_get() -> None:  # a client that does not trust the service's CA
            with HttpClient(timeout=5) as plain:
                plain.request("GET", url)

        with pytest.raises(C8yLinkError, match="certificate"):
            await asyncio.to_thread(plain_get)
    finally:
        await server.stop()
