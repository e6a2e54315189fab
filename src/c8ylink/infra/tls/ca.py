"""A certificate authority: create one, issue device certificates for CSRs and TLS server certificates."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from c8ylink.core.errors import TlsError
from c8ylink.infra.tls.certs import BACKDATE, Certificate
from c8ylink.infra.tls.csr import CertificateRequest
from c8ylink.infra.tls.keys import PrivateKey, generate_private_key
from c8ylink.infra.tls.names import Name


@dataclass(frozen=True, slots=True)
class CertificateAuthority:
    """A CA certificate and its private key."""

    certificate: Certificate
    key: PrivateKey

    def __repr__(self) -> str:  # never show the key
        return f"CertificateAuthority(subject={self.certificate.subject.rfc4514_string()!r}, key=***)"


def create_certificate_authority(
    subject: Name,
    *,
    now: datetime,
    days: int = 3650,
    key: PrivateKey | None = None,
    issuer: CertificateAuthority | None = None,
    path_length: int | None = None,
) -> CertificateAuthority:
    """A CA (``CA:TRUE``, keyCertSign) valid from ``now - 1 day``: a self-signed root, or an
    intermediate signed by ``issuer``."""
    ca_key = key or generate_private_key()
    not_before = now - BACKDATE
    not_after = not_before + timedelta(days=days)
    public_key = ca_key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(min(not_after, issuer.certificate.not_valid_after_utc) if issuer else not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    certificate = builder.sign(issuer.key if issuer else ca_key, hashes.SHA256())
    return CertificateAuthority(certificate, ca_key)


def issue_certificate(
    ca: CertificateAuthority,
    csr: CertificateRequest,
    *,
    now: datetime,
    days: int = 365,
    subject: Name | None = None,
) -> Certificate:
    """A client-authentication leaf (``CA:FALSE``) for the CSR's key and subject, signed by ``ca``."""
    public_key = csr.public_key()
    builder = _leaf_builder(ca, subject or csr.subject, public_key, now=now, days=days)
    builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return _sign(builder, ca)


def issue_server_certificate(
    ca: CertificateAuthority,
    subject: Name,
    hostnames: Iterable[str],
    *,
    now: datetime,
    days: int = 825,
) -> tuple[PrivateKey, Certificate]:
    """A new key and a server-authentication certificate whose SAN lists ``hostnames``.

    Each hostname that parses as an IP address becomes an IP SAN, every other one a DNS SAN.
    """
    key = generate_private_key()
    names: list[x509.GeneralName] = []
    for hostname in dict.fromkeys(hostnames):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(hostname)))
        except ValueError:
            names.append(x509.DNSName(hostname))
    if not names:
        raise TlsError("a server certificate needs at least one hostname")
    builder = _leaf_builder(ca, subject, key.public_key(), now=now, days=days)
    builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return key, _sign(builder, ca)


def _leaf_builder(
    ca: CertificateAuthority, subject: Name, public_key: object, *, now: datetime, days: int
) -> x509.CertificateBuilder:
    not_before = now - BACKDATE
    ca_public_key = ca.key.public_key()
    try:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca.certificate.subject)
            .public_key(public_key)  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(min(not_before + timedelta(days=days), ca.certificate.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                _key_usage(cert_sign=False, rsa_key=isinstance(public_key, rsa.RSAPublicKey)), critical=True
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)  # type: ignore[arg-type]
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public_key), critical=False)
        )
    except (TypeError, ValueError) as exc:
        raise TlsError(f"cannot issue a certificate for this key: {exc}") from exc


def _sign(builder: x509.CertificateBuilder, ca: CertificateAuthority) -> Certificate:
    try:
        return builder.sign(ca.key, hashes.SHA256())
    except (TypeError, ValueError) as exc:
        raise TlsError(f"cannot sign the certificate: {exc}") from exc


def _key_usage(*, cert_sign: bool, rsa_key: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=rsa_key and not cert_sign,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
