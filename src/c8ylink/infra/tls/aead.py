"""AES-256-GCM (authenticated encryption) for secrets at rest; the key comes from the caller.

seal(key, nonce, plaintext) -> ciphertext || tag
open_sealed(key, nonce, sealed) -> plaintext, or ProtocolError("decryption failed")
"""

from __future__ import annotations

from c8ylink.core.errors import ProtocolError


def seal(key: bytes, nonce: bytes, plaintext: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key).encrypt(nonce, plaintext, None)


def open_sealed(key: bytes, nonce: bytes, sealed: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(nonce, sealed, None)
    except (InvalidTag, ValueError) as exc:
        raise ProtocolError("decryption failed") from exc
