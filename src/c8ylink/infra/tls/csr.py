"""PKCS#10 certificate signing requests.

``decode_csr`` accepts every shape clients send to EST: PEM (``CERTIFICATE REQUEST`` or the older
``NEW CERTIFICATE REQUEST`` label), the PEM body without armour (base64 with newlines, as thin-edge
sends it), single-line base64 (go-c8y) and raw DER.
"""

from __future__ import annotations

import base64

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from c8ylink.core.errors import TlsError
from c8ylink.infra.tls.armor import decode_der_blocks
from c8ylink.infra.tls.keys import PrivateKey
from c8ylink.infra.tls.names import Name, common_name_of

CertificateRequest = x509.CertificateSigningRequest

CSR_LABELS = ("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")


def build_csr(key: PrivateKey, subject: Name) -> CertificateRequest:
    """A request for ``subject`` signed with ``key`` (SHA-256)."""
    return x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())


def encode_csr_pem(csr: CertificateRequest) -> bytes:
    """``-----BEGIN CERTIFICATE REQUEST-----`` PEM."""
    return csr.public_bytes(serialization.Encoding.PEM)


def encode_csr_der(csr: CertificateRequest) -> bytes:
    return csr.public_bytes(serialization.Encoding.DER)


def encode_csr_base64(csr: CertificateRequest) -> str:
    """Single-line base64 of the DER request (the EST ``application/pkcs10`` body)."""
    return base64.b64encode(encode_csr_der(csr)).decode("ascii")


def decode_csr(data: bytes | str) -> CertificateRequest:
    """Parse a request in any accepted shape and check its self-signature."""
    blocks = decode_der_blocks(data, CSR_LABELS)
    if not blocks:
        raise TlsError("not a certificate signing request: expected PEM, base64 or DER PKCS#10 data")
    try:
        csr = x509.load_der_x509_csr(blocks[0])
    except ValueError as exc:
        raise TlsError(f"not a valid PKCS#10 certificate signing request: {exc}") from exc
    try:
        valid = csr.is_signature_valid
    except Exception as exc:  # unsupported key or signature algorithms surface here
        raise TlsError(f"cannot check the request signature: {exc}") from exc
    if not valid:
        raise TlsError("the certificate signing request has an invalid signature")
    return csr


def csr_common_name(csr: CertificateRequest) -> str | None:
    return common_name_of(csr.subject)


def csr_requests_ca(csr: CertificateRequest) -> bool:
    """Whether the request asks for ``BasicConstraints CA:TRUE`` (never granted to devices)."""
    for extension in _extensions(csr):
        if isinstance(extension.value, x509.BasicConstraints) and extension.value.ca:
            return True
    return False


def _extensions(csr: CertificateRequest) -> list[x509.Extension[x509.ExtensionType]]:
    try:
        return list(csr.extensions)
    except ValueError as exc:
        raise TlsError(f"the certificate signing request has malformed extensions: {exc}") from exc
