"""PKCS#7 / CMS "certs-only" SignedData: how EST returns issued certificates.

The EST body is the base64 of the DER encoding (``application/pkcs7-mime; smime-type=certs-only``).
``decode_pkcs7_certificates`` accepts that, wrapped base64, raw DER, or a ``-----BEGIN PKCS7-----`` block.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from c8ylink.core.errors import ProtocolError
from c8ylink.infra.tls.armor import decode_der_blocks
from c8ylink.infra.tls.certs import Certificate
from c8ylink.infra.tls.chains import order_chain

PKCS7_LABELS = ("PKCS7", "CMS")


def encode_pkcs7_certificates(certificates: list[Certificate]) -> bytes:
    """DER SignedData holding ``certificates`` and no signers."""
    return pkcs7.serialize_certificates(certificates, serialization.Encoding.DER)


def encode_pkcs7_base64(certificates: list[Certificate], *, line_length: int = 76) -> str:
    """Base64 of the DER SignedData, wrapped at ``line_length`` (0: one line), ending with a newline."""
    text = base64.b64encode(encode_pkcs7_certificates(certificates)).decode("ascii")
    if line_length <= 0:
        return text + "\n"
    return "".join(text[i : i + line_length] + "\n" for i in range(0, len(text), line_length))


def decode_pkcs7_certificates(data: bytes | str) -> list[Certificate]:
    """The certificates of a certs-only SignedData in any accepted shape (``ProtocolError`` otherwise),
    leaf first and each followed by its issuer, whatever order the structure stored them in."""
    blocks = decode_der_blocks(data, PKCS7_LABELS)
    if not blocks:
        raise ProtocolError("not a PKCS#7 structure: expected base64, DER or PEM data")
    try:
        certificates = pkcs7.load_der_pkcs7_certificates(blocks[0])
    except ValueError as exc:
        raise ProtocolError(f"not a valid PKCS#7 certs-only structure: {exc}") from exc
    if not certificates:
        raise ProtocolError("the PKCS#7 structure holds no certificate")
    return order_chain(certificates)
