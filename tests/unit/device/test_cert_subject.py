"""device.id from the certificate: the Common Name of a PEM or DER certificate."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from c8ylink.core.errors import TlsError
from c8ylink.core.settings.errors import DerivationSourceMissing
from c8ylink.infra.cert_subject import read_common_name


def self_signed(common_name: str | None) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Thin Edge")]
    if common_name:
        names.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    subject = x509.Name(names)
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def write_certificate(path: Path, common_name: str | None, encoding: serialization.Encoding) -> Path:
    path.write_bytes(self_signed(common_name).public_bytes(encoding))
    return path


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_common_name_of_pem_and_der(tmp_path: Path, encoding: serialization.Encoding) -> None:
    path = write_certificate(tmp_path / "cert", "my-device-01", encoding)
    assert read_common_name(path) == "my-device-01"


def test_missing_file_is_a_missing_source(tmp_path: Path) -> None:
    with pytest.raises(DerivationSourceMissing):
        read_common_name(tmp_path / "absent.pem")


def test_not_a_certificate(tmp_path: Path) -> None:
    path = tmp_path / "cert.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    with pytest.raises(TlsError, match="does not hold a valid PEM certificate: not a valid X"):
        read_common_name(path)


@pytest.mark.parametrize("content", [b"garbage\n", b"", b"-----BEGIN CERTIFICATE-----\nMIIB"])
def test_what_is_no_certificate_at_all_is_said_as_cert_show_says_it(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "cert.pem"
    path.write_bytes(content)
    with pytest.raises(TlsError) as raised:
        read_common_name(path)
    assert str(raised.value) == (
        f"{path} does not hold a valid PEM certificate: no certificate found: expected PEM, base64 or DER "
        "X.509 data"
    )


def test_certificate_without_common_name(tmp_path: Path) -> None:
    path = write_certificate(tmp_path / "cert.pem", None, serialization.Encoding.PEM)
    with pytest.raises(TlsError, match="has no Common Name"):
        read_common_name(path)
