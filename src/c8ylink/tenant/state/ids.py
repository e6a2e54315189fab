"""Identifiers and secrets as parameters: object ids come from an ``IdGenerator``, random material
(passwords, salts, TOTP secrets, token ids) from a ``SecretSource``; tests pass deterministic ones."""

from __future__ import annotations

import secrets
import string
from typing import Protocol


class IdGenerator(Protocol):
    def next_id(self) -> str:
        """A new decimal id, greater than every id handed out before."""
        ...


class SequentialIds:
    """Monotonically increasing decimal ids shared by every kind of object (as in Cumulocity)."""

    def __init__(self, last: int = 0) -> None:
        self.last = last

    def next_id(self) -> str:
        self.last += 1
        return str(self.last)

    def observe(self, existing_id: str) -> None:
        """Never hand out ``existing_id`` (or anything below it) again."""
        if existing_id.isdigit():
            self.last = max(self.last, int(existing_id))


class SecretSource(Protocol):
    def token_bytes(self, size: int) -> bytes: ...

    def password(self, length: int) -> str:
        """A random password of letters and digits."""
        ...


class SystemSecrets:
    """The operating system's cryptographic randomness."""

    _ALPHABET = string.ascii_letters + string.digits

    def token_bytes(self, size: int) -> bytes:
        return secrets.token_bytes(size)

    def password(self, length: int) -> str:
        return "".join(secrets.choice(self._ALPHABET) for _ in range(length))
