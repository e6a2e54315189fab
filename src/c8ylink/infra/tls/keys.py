"""Private keys: new keys are ECDSA P-256 (thin-edge's choice), stored as PKCS#8 PEM.

Existing RSA or EC keys are accepted when loaded (a device may bring its own key).
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from c8ylink.core.errors import TlsError

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    """A new ECDSA key on the P-256 curve."""
    return ec.generate_private_key(ec.SECP256R1())


def encode_private_key_pem(key: PrivateKey) -> bytes:
    """``-----BEGIN PRIVATE KEY-----`` (PKCS#8, unencrypted)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def decode_private_key_pem(data: bytes | str) -> PrivateKey:
    """Load an unencrypted PEM private key (PKCS#8, or the traditional EC/RSA formats)."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        key = serialization.load_pem_private_key(raw, password=None)
    except (ValueError, TypeError) as exc:
        raise TlsError(f"not a valid PEM private key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise TlsError(f"unsupported private key type: {type(key).__name__}")
    return key


def load_private_key(path: os.PathLike[str] | str) -> PrivateKey:
    """Read and decode a PEM private key file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise TlsError(f"cannot read private key {os.fspath(path)}: {exc.strerror or exc}") from exc
    return decode_private_key_pem(data)


def public_keys_match(key: PrivateKey, public_key: object) -> bool:
    """Whether ``public_key`` (e.g. ``certificate.public_key()``) belongs to ``key``."""
    mine = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if not isinstance(public_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        return False
    theirs = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return mine == theirs
