"""CERTIFICATE login: a device token over mutual TLS (go-c8y-cli.md §4.7).

``POST <certificate URL>/devicecontrol/deviceAccessToken`` presenting the PEM client certificate; the
URL is ``settings.login.certificateUrl`` when set (the local tenant's mutual-TLS port), else the host
with port 8443 (Cumulocity's). Intermediate certificates in the certificate file travel in
``X-Ssl-Cert-Chain``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from c8ylink.core.errors import AuthError, NetworkError, TlsError
from c8ylink.infra.net.http import HttpClient
from c8ylink.operator.client import TlsOptions

CERTIFICATE_PORT = 8443
_BEGIN = "-----BEGIN CERTIFICATE-----"


def certificate_base_url(host: str, configured: str) -> str:
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(host)
    return urlunsplit((parts.scheme, f"{parts.hostname}:{CERTIFICATE_PORT}", parts.path, "", ""))


def _chain_header(cert_file: str) -> str:
    try:
        text = Path(cert_file).read_text(encoding="utf-8")
    except OSError as exc:
        raise TlsError(f"cannot read the client certificate {cert_file}: {exc.strerror}") from None
    blocks = [_BEGIN + block for block in text.split(_BEGIN)[1:]]
    if len(blocks) < 2:
        return ""
    return " ".join(" ".join(block.split()) for block in blocks[1:])


def fetch_device_token(host: str, tls: TlsOptions, *, certificate_url: str = "") -> str:
    if not tls.cert_file or not tls.key_file:
        raise AuthError(
            "CERTIFICATE login needs a client certificate and key: set C8Y_CERTIFICATE and "
            "C8Y_CERTIFICATE_KEY (or the session's certificate/certificate_key)"
        )
    base = certificate_base_url(host, certificate_url)
    headers = {"Accept": "application/json"}
    chain = _chain_header(tls.cert_file)
    if chain:
        headers["X-Ssl-Cert-Chain"] = chain
    with HttpClient(
        base, ssl_context=tls.context(with_client_cert=True), timeout=60, proxy=tls.proxy
    ) as http:
        try:
            answer = http.request("POST", "/devicecontrol/deviceAccessToken", headers=headers)
        except TlsError as exc:
            if exc.kind in ("peer-rejected-certificate", "peer-closed"):
                raise TlsError(
                    f"the tenant refused the client certificate {tls.cert_file}: its issuer is not a trusted "
                    "certificate of the tenant (upload the CA, or register the device)",
                    kind=exc.kind,
                ) from exc
            raise
        except NetworkError as exc:
            # TLS 1.3: a refused client certificate shows up as a closed connection after the handshake
            raise TlsError(
                f"{exc} during the mutual-TLS login: the tenant refused the client certificate "
                f"{tls.cert_file} (its issuer is not a trusted certificate of the tenant: upload the CA, "
                "or register the device)",
                kind="peer-rejected-certificate",
            ) from exc
    body = answer.json_or_none()
    if answer.status == 401:
        message = body.get("message", "") if isinstance(body, dict) else answer.text
        raise AuthError(f"certificate login refused: {message}")
    if not answer.ok or not isinstance(body, dict) or not body.get("accessToken"):
        raise AuthError(f"certificate login failed: {answer.status} {answer.text[:200]}")
    return str(body["accessToken"])
