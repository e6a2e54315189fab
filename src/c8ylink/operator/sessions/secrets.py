"""The ``{encrypted}`` secret format of go-c8y-cli session files (go-c8y-cli.md §3.1, §3.2).

A value is encrypted iff it starts with ``{encrypted}``; the rest is lowercase hex of
``nonce(12) || ciphertext || tag(16) || salt(32)``; the AES-256-GCM key is
``scrypt(passphrase, salt, N=16384, r=8, p=1, 32 bytes)``. Salt and nonce are new for each encryption
(``random_bytes`` is a parameter so tests can fix them). No file I/O here.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Callable

from c8ylink.core.errors import ProtocolError, SessionError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.infra.tls.aead import open_sealed, seal

PREFIX = "{encrypted}"
KEY_TEXT = "Cumulocity CLI Tool"  # what the .key file holds, encrypted with the passphrase
_NONCE, _SALT, _TAG = 12, 32, 16
RandomBytes = Callable[[int], bytes]


class DecryptionError(SessionError):
    """A secret that does not open with the passphrase (exit code 108)."""

    exit_code = int(C8yExit.DECRYPTION)


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def derive_key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(passphrase.encode(), salt=salt, n=16384, r=8, p=1, dklen=32)


def encrypt_text(plaintext: str, passphrase: str, random_bytes: RandomBytes) -> str:
    """``{encrypted}<hex>``; an already encrypted value is returned unchanged."""
    if is_encrypted(plaintext):
        return plaintext
    check_passphrase_value(passphrase)
    salt, nonce = random_bytes(_SALT), random_bytes(_NONCE)
    sealed = seal(derive_key(passphrase, salt), nonce, plaintext.encode())
    return PREFIX + (nonce + sealed + salt).hex()


def decrypt_text(value: str, passphrase: str) -> str:
    """The plaintext of ``{encrypted}<hex>``; a plain value is returned unchanged."""
    if not is_encrypted(value):
        return value
    try:
        raw = binascii.unhexlify(value[len(PREFIX) :].strip())
    except (binascii.Error, ValueError):
        raise DecryptionError(
            "decryption failed: the {encrypted} value is not hex (was it edited?)"
        ) from None
    if len(raw) <= _NONCE + _SALT + _TAG - 1:
        raise DecryptionError("decryption failed: the {encrypted} value is too short (was it edited?)")
    nonce, sealed, salt = raw[:_NONCE], raw[_NONCE:-_SALT], raw[-_SALT:]
    try:
        return open_sealed(derive_key(passphrase, salt), nonce, sealed).decode("utf-8")
    except (ProtocolError, UnicodeDecodeError):
        raise DecryptionError("decryption failed: wrong passphrase or a damaged {encrypted} value") from None


def check_passphrase_value(passphrase: str) -> None:
    if not passphrase or passphrase.strip() in ("", "null"):
        raise SessionError("passphrase can not be empty")


def passphrase_matches(key_text: str, passphrase: str) -> bool:
    """Does ``passphrase`` open the ``.key`` reference text?"""
    try:
        return decrypt_text(key_text, passphrase) == KEY_TEXT
    except DecryptionError:
        return False
