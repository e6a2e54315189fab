"""How the device authenticates its own REST requests to Cumulocity (e.g. EST ``simplereenroll``).

As upstream, such requests go through the mapper's local HTTP proxy (``c8y.proxy.client.*``, by
default ``http://127.0.0.1:8001/c8y/...``), which adds ``Authorization: Bearer <JWT>`` (the JWT comes
over MQTT, ``s/uat`` -> ``s/dat``). Beyond upstream, which needs ``tedge-mapper-c8y`` running, when
nothing listens there the device gets the JWT itself from the tenant's mutual-TLS endpoint
``POST https://<c8y.mtls>/devicecontrol/deviceAccessToken``, presenting its certificate, and calls
``c8y.http`` directly.

The one seam is ``device_rest_route(...) -> DeviceRestRoute``: where to send a device request and
which ``Authorization`` header to add (``None`` when the proxy adds it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from c8ylink.core.errors import C8yLinkError, ProtocolError
from c8ylink.core.settings.hosts import HostPort
from c8ylink.device.c8y.http import https_url, open_c8y_client
from c8ylink.device.c8y.upload import c8y_error_message, status_text

if TYPE_CHECKING:
    from c8ylink.infra.net.http import HttpClient

ACCESS_TOKEN_PATH = "/devicecontrol/deviceAccessToken"


class DeviceTokenSource(Protocol):
    def fetch_device_token(self) -> str:
        """A JWT that authenticates this device to the tenant."""
        ...


@dataclass(frozen=True, slots=True)
class MutualTlsTokenSource:
    """``deviceAccessToken`` over mutual TLS with the device certificate and key."""

    endpoint: HostPort
    trust: list[str]
    cert_path: str
    key_path: str
    chain_header: str | None = None  # X-Ssl-Cert-Chain, when the file holds intermediates

    def fetch_device_token(self) -> str:
        headers = {"Accept": "application/json"}
        if self.chain_header:
            headers["X-Ssl-Cert-Chain"] = self.chain_header
        with open_c8y_client(self.trust, cert_file=self.cert_path, key_file=self.key_path) as client:
            response = client.request("POST", https_url(self.endpoint, ACCESS_TOKEN_PATH), headers=headers)
        if not response.ok:
            message = c8y_error_message(response)
            detail = status_text(response.status) + (f": {message}" if message else "")
            raise C8yLinkError(
                f"The tenant refused a device token for the certificate {self.cert_path} "
                f"({detail} for url ({response.url}))"
            )
        document = response.json()
        token = document.get("accessToken") if isinstance(document, dict) else None
        if not isinstance(token, str) or not token:
            raise ProtocolError(f"POST {response.url}: the answer holds no accessToken")
        return token


@dataclass
class DeviceRestRoute:
    """Where device requests go, the ``Authorization`` they carry, and the client that sends them."""

    base_url: str
    authorization: str | None = field(repr=False)
    client: HttpClient

    def close(self) -> None:
        self.client.close()


def device_rest_route(
    http: HostPort, trust: list[str], tokens: DeviceTokenSource, *, proxy_url: str | None = None
) -> DeviceRestRoute:
    """Through the mapper's proxy at ``proxy_url`` when it listens; else to ``c8y.http`` with a token."""
    if proxy_url is not None and _listening(proxy_url):
        return DeviceRestRoute(proxy_url, None, open_c8y_client(trust))
    token = tokens.fetch_device_token()
    return DeviceRestRoute(https_url(http), f"Bearer {token}", open_c8y_client(trust))


def _listening(url: str, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at the host and port of ``url``."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def encode_chain_header(pem_blocks: list[str]) -> str:
    """``X-Ssl-Cert-Chain``: the PEM blocks on one line, newlines turned into spaces."""
    return " ".join(" ".join(block.strip().splitlines()) for block in pem_blocks)
