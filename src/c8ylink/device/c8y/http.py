"""HTTPS to the Cumulocity tenant for the device's own commands: trust, addresses, retries.

The server is checked against ``c8y.root_cert_path`` (a file or a directory) of every configured
Cumulocity profile, the selected one first (tedge trusts the union). TLS failures come back explained
(``device.c8y.tls_advice``); a tenant that cannot be reached is tried again a few times before giving up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from c8ylink.core.errors import C8yLinkError, NetworkError
from c8ylink.core.settings.hosts import HostPort
from c8ylink.core.settings.resolve import Settings

if TYPE_CHECKING:
    from c8ylink.infra.net.http import HttpClient

T = TypeVar("T")
HTTPS_PORT = 443
DEFAULT_TIMEOUT = 30.0


def display_host(endpoint: HostPort) -> str:
    """``host`` on the default HTTPS port, else ``host:port`` (how URLs and messages name the tenant)."""
    return endpoint.host if endpoint.port == HTTPS_PORT else f"{endpoint.host}:{endpoint.port}"


def https_url(endpoint: HostPort, path: str = "") -> str:
    return f"https://{display_host(endpoint)}{path}"


def root_cert_key(settings: Settings, profile: str | None) -> str:
    return settings.schema.ref("c8y.root_cert_path", profile).name


def trust_paths(settings: Settings, profile: str | None) -> list[str]:
    """``c8y.root_cert_path`` of ``profile``, then of every other configured profile (no repeats)."""
    paths = [str(settings.value("c8y.root_cert_path", profile))]
    for other in (None, *settings.profile_names("c8y")):
        if other == profile:
            continue
        try:
            path = str(settings.value("c8y.root_cert_path", other))
        except C8yLinkError:
            continue
        if path not in paths:
            paths.append(path)
    return paths


def open_c8y_client(
    trust: list[str],
    *,
    cert_file: str | None = None,
    key_file: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> HttpClient:
    """An HTTPS client trusting ``trust`` (and presenting the device certificate when given: then the
    tenant's refusal of it is reported by the handshake, see ``build_trusting_client_context``)."""
    from c8ylink.infra.net.http import HttpClient
    from c8ylink.infra.tls.contexts import build_trusting_client_context

    context = build_trusting_client_context(
        trust, cert_file=cert_file, key_file=key_file, client_auth_in_handshake=cert_file is not None
    )
    return HttpClient(ssl_context=context, timeout=timeout)


RETRY_ATTEMPTS = 3
RETRY_DELAY = 0.5


def with_retries(
    action: Callable[[], T],
    *,
    attempts: int = RETRY_ATTEMPTS,
    delay: float = RETRY_DELAY,
    on_retry: Callable[[NetworkError, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``action``; when the tenant cannot be reached (``NetworkError``) try again, ``attempts`` times
    in all, waiting ``delay`` seconds (doubled each time). Other errors are not retried."""
    wait = delay
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except NetworkError as exc:
            if attempt == attempts:
                raise
            if on_retry is not None:
                on_retry(exc, wait)
            sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def setting_hint(settings: Settings, name: str, profile: str | None) -> str:
    """``c8y.http (host:port)``: a setting to check, with its value (profile-aware name)."""
    return f"{settings.schema.ref(name, profile).name} ({settings.value(name, profile)})"


def unreachable(error: NetworkError, hint: str, attempts: int = RETRY_ATTEMPTS) -> NetworkError:
    """The error to show once the tenant could not be reached ``attempts`` times; ``hint`` names what
    to check (``setting_hint``)."""
    return NetworkError(
        f"{error.message}\nThe tenant could not be reached ({attempts} attempts): check the network "
        f"connection and {hint}"
    )
