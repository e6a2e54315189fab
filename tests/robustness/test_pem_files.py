"""Bad PEM files where the device certificate or key belongs: truncated, empty, garbage, DER, a key
where the certificate belongs (and the other way round), a CSR, several certificates, non-UTF-8, a
directory. ``tedge cert show`` and ``create-csr`` fail with ``Error: ...`` naming the file (exit 1;
``needs-renewal`` documents 2 for "cannot be checked"), no traceback, files unchanged. (A DER file is
read as a certificate on purpose.)
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tests.robustness.conftest import assert_clean_error, run_script, snapshot

from c8ylink.device.cli.main import main as tedge_main

_KEY = ec.generate_private_key(ec.SECP256R1())
_NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "robust-device")])
_NOW = datetime.datetime.now(datetime.UTC)
_CERT = (
    x509.CertificateBuilder()
    .subject_name(_NAME)
    .issuer_name(_NAME)
    .public_key(_KEY.public_key())
    .serial_number(1)
    .not_valid_before(_NOW - datetime.timedelta(days=1))
    .not_valid_after(_NOW + datetime.timedelta(days=30))
    .sign(_KEY, hashes.SHA256())
)
CERT_PEM = _CERT.public_bytes(serialization.Encoding.PEM)
KEY_PEM = _KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
)
CSR_PEM = (
    x509.CertificateSigningRequestBuilder().subject_name(_NAME).sign(_KEY, hashes.SHA256())
).public_bytes(serialization.Encoding.PEM)

BAD_CERTS: dict[str, bytes] = {
    "empty": b"",
    "blank lines": b"\n\n\n",
    "garbage": b"not a certificate at all\n",
    "truncated half": CERT_PEM[: len(CERT_PEM) // 2],
    "truncated end line": CERT_PEM[:-30],
    "header only": b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
    "bad base64": b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
    "valid base64 not DER": b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    "a key": KEY_PEM,
    "a CSR": CSR_PEM,
    "mismatched markers": CERT_PEM.replace(b"END CERTIFICATE", b"END PRIVATE KEY"),
    "non-UTF-8": b"\xff\xfe\x00garbage",
    "NUL bytes": b"\x00" * 64,
    "huge": b"A" * 2_000_000,
}


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "etc-tedge"
    (directory / "device-certs").mkdir(parents=True)
    (directory / "tedge.toml").write_text('[device]\nid = "robust-device"\n')
    return directory


def _tedge(config_dir: Path, *args: str) -> tuple[int, str]:
    result = run_script("tedge", tedge_main, ["--config-dir", str(config_dir), *args])
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    ("command", "exit_code"),
    [(("cert", "show"), 1), (("cert", "needs-renewal"), 2)],  # needs-renewal: 2 = cannot be checked
    ids=["show", "needs-renewal"],
)
@pytest.mark.parametrize("content", BAD_CERTS.values(), ids=BAD_CERTS.keys())
def test_a_bad_certificate_file_is_one_clear_error(
    config_dir: Path, content: bytes, command: tuple[str, str], exit_code: int
) -> None:
    (config_dir / "device-certs" / "tedge-certificate.pem").write_bytes(content)
    (config_dir / "device-certs" / "tedge-private-key.pem").write_bytes(KEY_PEM)
    before = snapshot(config_dir)
    code, stderr = _tedge(config_dir, *command)
    assert code == exit_code, stderr
    assert_clean_error(stderr)
    assert snapshot(config_dir) == before


BAD_KEYS: dict[str, bytes] = {
    "empty": b"",
    "garbage": b"garbage\n",
    "truncated": KEY_PEM[: len(KEY_PEM) // 2],
    "a certificate": CERT_PEM,
    "a CSR": CSR_PEM,
    "bad base64": b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
    "encrypted key": _KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret-passphrase"),
    ),
    "non-UTF-8": b"\xff\xfe\x00",
}


@pytest.mark.parametrize("content", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_a_bad_key_file_is_one_clear_error(config_dir: Path, content: bytes) -> None:
    (config_dir / "device-certs" / "tedge-private-key.pem").write_bytes(content)
    before = snapshot(config_dir)
    code, stderr = _tedge(config_dir, "cert", "create-csr")
    assert code == 1, stderr
    assert_clean_error(stderr)
    assert snapshot(config_dir) == before


def test_a_directory_where_the_certificate_belongs(config_dir: Path) -> None:
    (config_dir / "device-certs" / "tedge-certificate.pem").mkdir()
    code, stderr = _tedge(config_dir, "cert", "show")
    assert code == 1, stderr
    assert_clean_error(stderr)
