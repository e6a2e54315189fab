"""How `c8y` prints errors: go-c8y-cli's ``<errorType>: <message>`` on stderr (one line plus causes).

``serverError`` for HTTP error answers (with method, URL, status and Cumulocity's error), ``userError``
for sessions, login, settings and usage mistakes, ``systemError`` for the rest.
"""

from __future__ import annotations

from c8ylink.core.errors import (
    ApiError,
    AuthError,
    C8yLinkError,
    ConfigError,
    FileAccessError,
    SessionError,
    UsageError,
    error_chain,
)
from c8ylink.infra.prompts import PromptCancelled


def error_type(exc: C8yLinkError) -> str:
    if isinstance(exc, ApiError):
        return "serverError"
    if isinstance(exc, PromptCancelled):
        return "cancelled"
    if isinstance(exc, UsageError | SessionError | AuthError | ConfigError | FileAccessError):
        return "userError"
    return "systemError"


def render_c8y_error(exc: C8yLinkError) -> str:
    chain = error_chain(exc) or ["unknown error"]
    if isinstance(exc, ApiError) and isinstance(exc.body, dict):
        body = exc.body
        head = (
            f"{body.get('message', '')} {exc.method} {exc.url}: {exc.status} {body.get('error', '')}".strip()
        )
        chain[0] = head
    lines = [f"{error_type(exc)}: {chain[0]}"]
    lines += [f"  caused by: {cause}" for cause in chain[1:]]
    return "\n".join(lines)
