"""Where the local Cumulocity HTTP proxy of ``tedge-mapper c8y`` listens and how clients reach it (pure).

The proxy (``device.mapper.proxy``) serves ``<scheme>://<c8y.proxy.client.host>:<c8y.proxy.client.port>
/c8y/<path>`` and forwards to ``https://<c8y.http>/<path>`` with the device's credentials (tedge.md
§6.8). Other components build their URLs with ``c8y_proxy_url``:

    c8y_proxy_url(settings)            -> "http://127.0.0.1:8001/c8y"
    c8y_proxy_url(settings, "second")  -> "http://127.0.0.1:8002/c8y"  (c8y.profiles.second.proxy.*)
    f"{c8y_proxy_url(settings)}/.well-known/est/simplereenroll"   # e.g. tedge cert renew --ca c8y

HTTPS is used when ``c8y.proxy.cert_path`` is set (the proxy then serves TLS with that certificate).
"""

from __future__ import annotations

from dataclasses import dataclass

from c8ylink.core.settings.resolve import Settings
from c8ylink.device.mqtt.local_broker import optional_setting

PROXY_PATH = "/c8y"


@dataclass(frozen=True, slots=True)
class ProxyBinding:
    """What the proxy server needs: where to listen, and its optional TLS material."""

    address: str
    port: int
    cert_path: str | None = None
    key_path: str | None = None
    ca_path: str | None = None  # set: clients must present a certificate issued by these CAs

    @property
    def uses_tls(self) -> bool:
        return self.cert_path is not None


def c8y_proxy_url(settings: Settings, profile: str | None = None) -> str:
    """The base URL of the proxy for ``profile``: requests go to ``<this>/<Cumulocity path>``."""
    scheme = "https" if optional_setting(settings, "c8y.proxy.cert_path", profile) else "http"
    host = str(settings.value("c8y.proxy.client.host", profile))
    port = int(settings.value("c8y.proxy.client.port", profile))
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}{PROXY_PATH}"


def proxy_binding(settings: Settings, profile: str | None = None) -> ProxyBinding:
    return ProxyBinding(
        address=str(settings.value("c8y.proxy.bind.address", profile)),
        port=int(settings.value("c8y.proxy.bind.port", profile)),
        cert_path=optional_setting(settings, "c8y.proxy.cert_path", profile),
        key_path=optional_setting(settings, "c8y.proxy.key_path", profile),
        ca_path=optional_setting(settings, "c8y.proxy.ca_path", profile),
    )
