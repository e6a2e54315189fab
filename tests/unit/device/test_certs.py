"""device.certs.actions on real files: what `tedge cert create | create-csr | renew | remove` write
(tedge.md §2.1-2.5)."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from c8ylink.core.errors import C8yLinkError, FileAccessError, TlsError
from c8ylink.device.certs.actions import (
    create_certificate,
    create_csr,
    remove_certificate,
    renew_self_signed,
    view_certificate,
)
from c8ylink.device.certs.config import CertConfig, CertPaths
from c8ylink.device.certs.files import load_device_key, load_device_key_if_exists
from c8ylink.device.certs.status import Validity
from c8ylink.infra.tls.ca import create_certificate_authority, issue_certificate
from c8ylink.infra.tls.certs import encode_certificate_pem, is_self_signed
from c8ylink.infra.tls.csr import build_csr
from c8ylink.infra.tls.keys import encode_private_key_pem, generate_private_key
from c8ylink.infra.tls.names import build_name, format_name

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> CertConfig:
    certs = tmp_path / "device-certs"
    return CertConfig(
        cloud=None,
        profile=None,
        paths=CertPaths(str(certs / "cert.pem"), str(certs / "key.pem"), str(certs / "dev.csr")),
        device_id=None,
        organization="Thin Edge",
        organization_unit="Device",
        requested_validity=timedelta(days=365),
        minimum_validity=timedelta(days=30),
        owner=("nobody-such-user", "nobody-such-group"),
    )


def _mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _certificate(path: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def test_create_writes_a_thin_edge_certificate_and_key(config: CertConfig) -> None:
    path = create_certificate(config, "my-device", now=NOW)
    cert = _certificate(path)
    assert format_name(cert.subject) == "CN=my-device, O=Thin Edge, OU=Device"
    assert cert.issuer == cert.subject and is_self_signed(cert)
    assert cert.not_valid_before_utc == NOW - timedelta(days=1)
    assert cert.not_valid_after_utc == NOW - timedelta(days=1) + timedelta(days=365)
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.value.ca is True and constraints.value.path_length is None
    key_pem = Path(config.paths.key_path).read_bytes()
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    key = load_device_key(config.paths.key_path)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    assert (_mode(config.paths.key_path), _mode(path)) == (0o400, 0o444)
    assert [p.name for p in Path(path).parent.iterdir() if p.name.startswith(".")] == []  # no temp files


def test_validity_comes_from_the_config(config: CertConfig) -> None:
    from dataclasses import replace

    short = replace(config, requested_validity=timedelta(days=7, hours=12))
    cert = _certificate(create_certificate(short, "d", now=NOW))
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == timedelta(days=7, hours=12)


def test_an_existing_certificate_is_never_overwritten(config: CertConfig) -> None:
    create_certificate(config, "first", now=NOW)
    before = Path(config.paths.cert_path).read_bytes(), Path(config.paths.key_path).read_bytes()
    with pytest.raises(FileAccessError, match="A certificate already exists and would be overwritten"):
        create_certificate(config, "second", now=NOW)
    assert (Path(config.paths.cert_path).read_bytes(), Path(config.paths.key_path).read_bytes()) == before


def test_an_existing_key_is_reused_not_overwritten(config: CertConfig) -> None:
    key = generate_private_key()
    Path(config.paths.key_path).parent.mkdir(parents=True)
    Path(config.paths.key_path).write_bytes(encode_private_key_pem(key))
    before = Path(config.paths.key_path).read_bytes()
    cert = _certificate(create_certificate(config, "d", now=NOW))
    assert Path(config.paths.key_path).read_bytes() == before
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()


def test_a_corrupt_key_is_reported_with_its_file(config: CertConfig) -> None:
    Path(config.paths.key_path).parent.mkdir(parents=True)
    Path(config.paths.key_path).write_text(
        "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(TlsError, match=f"{config.paths.key_path} does not hold a valid private key"):
        create_certificate(config, "d", now=NOW)
    assert not Path(config.paths.cert_path).exists()


def test_an_invalid_device_id_writes_nothing(config: CertConfig) -> None:
    with pytest.raises(C8yLinkError, match="DeviceID Error"):
        create_certificate(config, "bad id", now=NOW)
    assert not Path(config.paths.cert_path).parent.exists()


def test_csr_reuses_the_key_and_has_the_subject(config: CertConfig, tmp_path: Path) -> None:
    create_certificate(config, "d1", now=NOW)
    out = tmp_path / "out.csr"
    csr = create_csr(config, "d1", output_path=str(out))
    loaded = x509.load_pem_x509_csr(out.read_bytes())
    assert format_name(loaded.subject) == "CN=d1, O=Thin Edge, OU=Device" and loaded.is_signature_valid
    assert (
        csr.public_key().public_numbers()
        == load_device_key(config.paths.key_path).public_key().public_numbers()
    )
    assert _mode(str(out)) == 0o444
    create_csr(config, "d1")  # the default path, overwritten on purpose
    create_csr(config, "d1")
    assert _mode(config.paths.csr_path) == 0o444


def test_csr_without_key_creates_one(config: CertConfig) -> None:
    assert load_device_key_if_exists(config.paths.key_path) is None
    create_csr(config, "fresh")
    assert _mode(config.paths.key_path) == 0o400


def test_renew_self_signed_keeps_cn_and_key_and_writes_dot_new(config: CertConfig) -> None:
    create_certificate(config, "d", now=NOW)
    current = Path(config.paths.cert_path).read_bytes()
    new_path = renew_self_signed(config, now=NOW + timedelta(days=300))
    assert new_path == config.paths.cert_path + ".new"
    assert Path(config.paths.cert_path).read_bytes() == current
    old, new = _certificate(config.paths.cert_path), _certificate(new_path)
    assert (
        new.subject == old.subject and new.public_key().public_numbers() == old.public_key().public_numbers()
    )
    assert new.not_valid_before_utc == NOW + timedelta(days=299) and is_self_signed(new)
    assert _mode(new_path) == 0o444


def test_renew_without_key(config: CertConfig) -> None:
    create_certificate(config, "d", now=NOW)
    os.remove(config.paths.key_path)
    with pytest.raises(FileAccessError, match="No private key has been attached to that device"):
        renew_self_signed(config, now=NOW)


def test_renew_of_a_ca_signed_certificate_is_refused(config: CertConfig) -> None:
    ca = create_certificate_authority(build_name("ca"), now=NOW)
    key = generate_private_key()
    cert = issue_certificate(ca, build_csr(key, build_name("d")), now=NOW)
    Path(config.paths.cert_path).parent.mkdir(parents=True)
    Path(config.paths.cert_path).write_bytes(encode_certificate_pem(cert))
    Path(config.paths.key_path).write_bytes(encode_private_key_pem(key))
    with pytest.raises(C8yLinkError, match="is not self-signed"):
        renew_self_signed(config, now=NOW)


def test_renew_with_a_key_of_another_certificate(config: CertConfig) -> None:
    create_certificate(config, "d", now=NOW)
    os.chmod(config.paths.key_path, 0o600)
    Path(config.paths.key_path).write_bytes(encode_private_key_pem(generate_private_key()))
    with pytest.raises(TlsError, match="does not match the certificate"):
        renew_self_signed(config, now=NOW)


def test_view_and_remove(config: CertConfig) -> None:
    path = create_certificate(config, "d", now=NOW)
    assert view_certificate(path, config, now=NOW).status.validity is Validity.VALID
    assert (
        view_certificate(path, config, now=NOW + timedelta(days=340)).status.validity is Validity.EXPIRES_SOON
    )
    renew_self_signed(config, now=NOW)
    assert remove_certificate(config) is True
    assert not any(Path(p).exists() for p in (path, path + ".new", config.paths.key_path))
    assert remove_certificate(config) is False
