"""How `c8y` reports errors: go-c8y-cli's ``<errorType>: <message>`` line on stderr (plus causes), and
for server errors its JSON form ``{errorType, message, statusCode, exitCode, url, c8yResponse}``.

``serverError`` for HTTP error answers (with method, URL, status and Cumulocity's error), ``userError``
for sessions, login, settings and usage mistakes, ``cancelled`` for a declined prompt, ``systemError``
for the rest. Pure.
"""

from __future__ import annotations

import json

from c8ylink.core.errors import (
    ApiError,
    AuthError,
    C8yLinkError,
    ConfigError,
    FileAccessError,
    SessionError,
    TlsError,
    UsageError,
    error_chain,
)
from c8ylink.infra.prompts import PromptCancelled

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def error_type(exc: C8yLinkError) -> str:
    if isinstance(exc, ApiError):
        return "serverError"
    if isinstance(exc, PromptCancelled):
        return "cancelled"
    if isinstance(exc, UsageError | SessionError | AuthError | ConfigError | FileAccessError):
        return "userError"
    if exc.exit_code in (101, 103, 104, 105, 4):
        return "commandError"
    return "systemError"


def _head(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", "")
    message = body.get("message", "")
    return f"{message} {exc.method} {exc.url}: {exc.status} {error}".strip()


# what to do about a server certificate `c8y` does not accept (go-c8y-cli trusts the system store and
# SSL_CERT_FILE / SSL_CERT_DIR; --insecure or settings.defaults.insecure skip the check)
_TLS_ADVICE = {
    "unknown-ca": "trust its CA with SSL_CERT_FILE=<CA file> (or SSL_CERT_DIR=<dir>), or skip the check "
    "with --insecure for a host you trust",
    "hostname": "use the host name its certificate is for, or skip the check with --insecure",
}


def render_c8y_error(exc: C8yLinkError) -> str:
    chain = error_chain(exc) or ["unknown error"]
    if isinstance(exc, ApiError) and isinstance(exc.body, dict):
        chain[0] = _head(exc)
    if isinstance(exc, TlsError) and exc.kind in _TLS_ADVICE:
        chain = [f"{chain[0]}: {_TLS_ADVICE[exc.kind]}"]  # the ssl module's text below says it again
    lines = [f"{error_type(exc)}: {chain[0]}"]
    lines += [f"  caused by: {cause}" for cause in chain[1:]]
    return "\n".join(lines)


def error_document(exc: C8yLinkError) -> dict[str, Any]:
    document: dict[str, Any] = {
        "errorType": error_type(exc),
        "message": _head(exc) if isinstance(exc, ApiError) else str(exc),
        "exitCode": exc.exit_code,
    }
    if isinstance(exc, ApiError):
        document["statusCode"] = exc.status
        document["url"] = exc.url
        document["c8yResponse"] = exc.body
    return document


def render_error_json(exc: C8yLinkError) -> str:
    return json.dumps(error_document(exc), separators=(",", ":"))
