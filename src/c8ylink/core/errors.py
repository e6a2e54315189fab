"""The exception tree of c8ylink.

Library code raises these; only ``infra.cli.run`` prints them and picks an exit code.
Foreign exceptions (httpx2, cryptography, ssl, OSError, ...) are translated at the adapter that
meets them and chained with ``raise ... from exc``; the chain of ``__cause__`` is what a CLI shows
as "Caused by:".

    C8yLinkError                 root; ``exit_code`` 1 unless a subclass or the raiser says otherwise
    ├── UsageError               bad command-line use (exit 2)
    ├── ConfigError              invalid or missing configuration value, unreadable/corrupt config file
    │   └── ConfigNotSetError    a required key has no value
    ├── FileAccessError          a file that cannot be read or written (names the file)
    ├── TlsError                 keys, certificates, CSRs, TLS handshakes
    ├── ProtocolError            malformed wire data (SmartREST, JSON, PKCS#7, JWT, MQTT)
    │   ├── SmartRestError
    │   └── MqttProtocolError    malformed or forbidden MQTT traffic: the connection is closed
    │       ├── PacketTooLarge   a frame over the reader's limit, refused from its header
    │       └── UnsupportedProtocol  a CONNECT of another MQTT version (answered with CONNACK 1)
    ├── NetworkError             a peer that cannot be reached or hangs up
    ├── ApiError                 an HTTP peer answered with an error status (status, url, body)
    ├── AuthError                credentials refused, login flow failed
    ├── SessionError             c8y session files and their secrets (exit 101)
    ├── BrokerError              MQTT connection/publish failures
    ├── ServiceError             service manager (system.toml) commands
    └── StepFailed               a step already printed its own error; exit quietly
"""

from __future__ import annotations

TYPE_CHECKING = False  # not from typing: this module is on every command's start-up path
if TYPE_CHECKING:
    from typing import Any


class C8yLinkError(Exception):
    """Root of every error c8ylink raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(C8yLinkError):
    exit_code = 2


class ConfigError(C8yLinkError):
    pass


class ConfigNotSetError(ConfigError):
    """A required configuration key has no value; ``key`` is the one the user must set."""

    def __init__(self, key: str, message: str | None = None) -> None:
        self.key = key
        super().__init__(
            message
            or f"Required configuration item is not provided '{key}', "
            f"run 'tedge config set {key} <value>' to add it to config."
        )


class FileAccessError(C8yLinkError):
    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class TlsError(C8yLinkError):
    """A TLS failure; ``kind`` says which, so a product can add its own advice.

    Kinds: ``unknown-ca`` (the peer's certificate does not chain to what we trust), ``expired``,
    ``not-yet-valid``, ``hostname`` (name mismatch), ``peer-rejected-certificate`` (the peer refused
    the certificate we presented), ``peer-closed`` (the peer hung up during the handshake, as a
    server refusing a client certificate may), ``key-mismatch``, ``other``.
    """

    def __init__(self, message: str, *, kind: str = "other", exit_code: int | None = None) -> None:
        super().__init__(message, exit_code=exit_code)
        self.kind = kind


class ProtocolError(C8yLinkError):
    pass


class SmartRestError(ProtocolError):
    pass


class MqttProtocolError(ProtocolError):
    """Malformed or forbidden MQTT traffic (``core.mqtt``): the connection must be closed."""


class PacketTooLarge(MqttProtocolError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"packet of {size} bytes exceeds the limit of {limit} bytes")
        self.size = size


class UnsupportedProtocol(MqttProtocolError):
    def __init__(self, name: str, level: int) -> None:
        super().__init__(f"unsupported protocol {name} level {level} (only MQTT 3.1 and 3.1.1)")
        self.level = level


class NetworkError(C8yLinkError):
    pass


class ApiError(C8yLinkError):
    """An HTTP error answer: the status, the URL and the decoded body (Cumulocity error JSON if any)."""

    def __init__(self, status: int, url: str, body: Any = None, *, method: str = "GET") -> None:
        self.status = status
        self.url = url
        self.body = body
        self.method = method
        detail = ""
        if isinstance(body, dict) and body.get("message"):
            detail = f": {body.get('error', '')} {body['message']}".rstrip()
        super().__init__(f"{method} {url}: {status}{detail}")


class AuthError(C8yLinkError):
    pass


class SessionError(C8yLinkError):
    """A user error of the c8y CLI (go-c8y-cli's exit code 101 unless the raiser says otherwise)."""

    exit_code = 101


class BrokerError(C8yLinkError):
    pass


class ServiceError(C8yLinkError):
    pass


class StepFailed(C8yLinkError):
    """Raised after a step printer has shown ``✗`` and the error; the CLI exits without printing again."""


def error_chain(exc: BaseException) -> list[str]:
    """The messages of ``exc`` and of every explicit cause below it, outermost first, without repeats
    (a cause whose text already ends the message above it, as in ``f"...: {exc}") from exc``, is not
    listed again)."""
    messages: list[str] = []
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        text = str(current).strip()
        if text and (not messages or not messages[-1].endswith(text)):
            messages.append(text)
        current = current.__cause__
    return messages
