"""TLS below 1.2 is refused on every TLS port of the tenant (REST, mutual-TLS REST, MQTT over TLS),
while TLS 1.2 works: a client offering only TLS 1.0 or 1.1 (OpenSSL's security level 0, so that it
can offer them at all) gets no handshake."""

from __future__ import annotations

import socket
import ssl
import warnings

import pytest

from c8ylink.tenant.background import BackgroundTenant

pytestmark = pytest.mark.integration


def _port(tenant: BackgroundTenant, endpoint: str) -> int:
    url = {"https": tenant.info.https_url, "mtls": tenant.info.mtls_url}.get(endpoint)
    return int((url or tenant.info.extra["mqtt_tls"]).rsplit(":", 1)[1])


def _handshake(tenant: BackgroundTenant, endpoint: str, version: ssl.TLSVersion) -> str:
    """The version agreed, or raises ``ssl.SSLError``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(str(tenant.info.ca_file))
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSv1 and TLSv1_1 are deprecated names
        context.minimum_version = context.maximum_version = version
    raw = socket.create_connection(("127.0.0.1", _port(tenant, endpoint)), timeout=30)
    with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
        return str(sock.version())


@pytest.mark.parametrize("endpoint", ["https", "mtls", "mqtt_tls"])
@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_tls_below_1_2_is_refused(tenant: BackgroundTenant, endpoint: str, version: str) -> None:
    with pytest.raises(ssl.SSLError):
        _handshake(tenant, endpoint, getattr(ssl.TLSVersion, version))


@pytest.mark.parametrize("endpoint", ["https", "mtls", "mqtt_tls"])
def test_tls_1_2_is_served(tenant: BackgroundTenant, endpoint: str) -> None:
    assert _handshake(tenant, endpoint, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
