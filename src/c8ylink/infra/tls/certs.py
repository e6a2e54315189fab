"""X.509 certificates: self-signed creation (thin-edge rules), PEM chains, fingerprints, summaries."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from c8ylink.core.errors import TlsError
from c8ylink.infra.tls.armor import decode_der_blocks
from c8ylink.infra.tls.keys import PrivateKey
from c8ylink.infra.tls.names import Name, common_name_of, format_name

Certificate = x509.Certificate

CERTIFICATE_LABELS = ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE")
BACKDATE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """What ``tedge cert show`` and the trusted-certificate API print about a certificate."""

    subject: str
    issuer: str
    common_name: str | None
    not_before: datetime
    not_after: datetime
    serial_number: int
    fingerprint: str
    is_ca: bool
    version: int
    signature_algorithm: str
    public_key_algorithm: str


def build_self_signed_certificate(
    key: PrivateKey,
    subject: Name,
    *,
    now: datetime,
    days: int = 365,
    validity: timedelta | None = None,
    is_ca: bool = True,
) -> Certificate:
    """A self-signed certificate valid from ``now - 1 day`` for ``validity`` (default ``days`` days).

    thin-edge marks device certificates ``CA:TRUE`` (Cumulocity refuses to trust them otherwise),
    so ``is_ca`` defaults to true.
    """
    not_before = now - BACKDATE
    lifetime = validity if validity is not None else timedelta(days=days)
    if lifetime <= timedelta(0):
        raise TlsError("the validity of a certificate must be longer than zero")
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + lifetime)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if is_ca:
        builder = builder.add_extension(_ca_key_usage(), critical=True)
    return builder.sign(key, hashes.SHA256())


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def encode_certificate_pem(certificate: Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def encode_certificate_der(certificate: Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def encode_certificate_chain_pem(certificates: list[Certificate]) -> bytes:
    return b"".join(encode_certificate_pem(cert) for cert in certificates)


def decode_certificate_chain(data: bytes | str) -> list[Certificate]:
    """Every certificate in ``data``: PEM blocks, or one certificate as bare base64 or DER."""
    blocks = decode_der_blocks(data, CERTIFICATE_LABELS)
    if not blocks:
        raise TlsError("no certificate found: expected PEM, base64 or DER X.509 data")
    certificates = []
    for der in blocks:
        try:
            certificates.append(x509.load_der_x509_certificate(der))
        except ValueError as exc:
            raise TlsError(f"not a valid X.509 certificate: {exc}") from exc
    return certificates


def decode_certificate(data: bytes | str) -> Certificate:
    """The first certificate in ``data`` (see ``decode_certificate_chain``)."""
    return decode_certificate_chain(data)[0]


def load_certificate_chain(path: os.PathLike[str] | str) -> list[Certificate]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise TlsError(f"cannot read certificate {os.fspath(path)}: {exc.strerror or exc}") from exc
    return decode_certificate_chain(data)


def fingerprint_sha1(certificate: Certificate) -> str:
    """SHA-1 of the DER encoding, 40 lowercase hex digits (Cumulocity's trusted-certificate id)."""
    return hashlib.sha1(encode_certificate_der(certificate), usedforsecurity=False).hexdigest()


def is_ca_certificate(certificate: Certificate) -> bool:
    """Whether the certificate carries ``BasicConstraints CA:TRUE``."""
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    except ValueError as exc:
        raise TlsError(f"malformed certificate extensions: {exc}") from exc
    return constraints.ca


def is_self_signed(certificate: Certificate) -> bool:
    """Issuer equals subject and the certificate's own key verifies its signature."""
    if certificate.issuer != certificate.subject:
        return False
    return signed_by(certificate, certificate)


def signed_by(certificate: Certificate, issuer: Certificate) -> bool:
    """Whether ``issuer``'s name and key match ``certificate``'s issuer name and signature."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def describe_certificate(certificate: Certificate) -> CertificateInfo:
    return CertificateInfo(
        subject=format_name(certificate.subject),
        issuer=format_name(certificate.issuer),
        common_name=common_name_of(certificate.subject),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        serial_number=certificate.serial_number,
        fingerprint=fingerprint_sha1(certificate),
        is_ca=is_ca_certificate(certificate),
        version=certificate.version.value + 1,
        signature_algorithm=_signature_algorithm(certificate),
        public_key_algorithm=_public_key_algorithm(certificate),
    )


def _signature_algorithm(certificate: Certificate) -> str:
    digest = certificate.signature_hash_algorithm
    digest_name = digest.name.upper().replace("-", "") if digest is not None else "NONE"
    key_name = _public_key_algorithm_of_oid(certificate.signature_algorithm_oid.dotted_string)
    return f"{digest_name}with{key_name}"


def _public_key_algorithm_of_oid(dotted: str) -> str:
    # ecdsa-with-* live under 1.2.840.10045.4, RSA signatures under 1.2.840.113549.1.1
    if dotted.startswith("1.2.840.10045.4"):
        return "ECDSA"
    if dotted.startswith("1.2.840.113549.1.1"):
        return "RSA"
    return dotted


def _public_key_algorithm(certificate: Certificate) -> str:
    key = certificate.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC"
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA"
    return type(key).__name__


def subject_alternative_names(certificate: Certificate) -> list[str]:
    """DNS names and IP addresses (as text) of the SAN extension, in order; empty without one."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    names: list[str] = list(extension.get_values_for_type(x509.DNSName))
    names += [str(address) for address in extension.get_values_for_type(x509.IPAddress)]
    return names


def is_valid_at(certificate: Certificate, when: datetime) -> bool:
    return certificate.not_valid_before_utc <= when <= certificate.not_valid_after_utc
