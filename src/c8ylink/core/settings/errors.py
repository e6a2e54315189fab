"""Errors of the settings engine; all are ``ConfigError`` or ``UsageError`` (see ``core.errors``)."""

from __future__ import annotations

from c8ylink.core.errors import ConfigError, ConfigNotSetError, UsageError

__all__ = [
    "ConfigNotSetError",
    "DerivationSourceMissing",
    "DerivedValueMissingError",
    "KeyParseError",
    "ProfileError",
    "ValueParseError",
]


class KeyParseError(UsageError):
    """A key name that names no key (or a read-only key given to a write); a command-line mistake.

    ``argument`` is the command-line text, ``message`` the reason (``Unknown tedge config key: 'x'``).
    """

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


class ProfileError(ConfigError):
    """An invalid profile name, an unknown profile, or two profiles selected at once."""


class ValueParseError(ConfigError):
    """A value that its key's type does not accept; ``hint`` says how to fix it, when we know."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{message}\n{hint}" if hint else message)
        self.reason = message
        self.hint = hint


class DerivedValueMissingError(ConfigError):
    """A derived value (``device.id`` from the certificate) whose source does not exist and no fallback.

    ``key`` is the key that was read; the message explains how to provide the value.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"Config value {key}, cannot be read: {message}")
        self.key = key
        self.detail = message


class DerivationSourceMissing(ConfigError):
    """Raised by a deriver when what it derives from does not exist (e.g. no certificate file yet)."""
