"""The login types of a session (go-c8y-cli.md §4.2, §4.8) and which one a session uses.

Kept apart from ``operator.auth.flows`` (the login steps) because every command needs it and the
login machinery only the ones that log in.
"""

from __future__ import annotations

from c8ylink.core.errors import SessionError

BASIC, OAUTH2_INTERNAL, OAUTH2, DEVICE, BROWSER, CERTIFICATE, NONE = (
    "BASIC",
    "OAUTH2_INTERNAL",
    "OAUTH2",
    "DEVICE",
    "BROWSER",
    "CERTIFICATE",
    "NONE",
)
LOGIN_TYPES = (BASIC, OAUTH2_INTERNAL, OAUTH2, BROWSER, DEVICE, CERTIFICATE, NONE)
PASSWORD_TYPES = frozenset({BASIC, OAUTH2_INTERNAL, ""})


def parse_login_type(text: str | None) -> str:
    """An upper-case login type; ``""`` for empty/``auto``; ``SessionError`` for anything else."""
    value = (text or "").strip().upper()
    if value in ("", "AUTO"):
        return ""
    if value not in LOGIN_TYPES:
        raise SessionError(f"invalid login type {text!r}: use one of {', '.join(LOGIN_TYPES)}")
    return value


def choose_login_type(*candidates: str | None, has_certificate: bool = False) -> str:
    """The first non-empty candidate (flag, session, settings); CERTIFICATE when only a cert is given."""
    for candidate in candidates:
        chosen = parse_login_type(candidate)
        if chosen:
            return chosen
    return CERTIFICATE if has_certificate else ""
