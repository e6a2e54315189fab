"""``C8yClient``: requests to Cumulocity with the session's credentials (what every ``c8y`` command uses).

    config = ClientConfig(base_url, credentials, tls=TlsOptions(...))
    with C8yClient(config, renew=...) as client:
        client.get_json("/tenant/currentTenant")
        client.request("POST", "/inventory/managedObjects", json={...})   # -> HttpResponse or ApiError

Beyond upstream:
* a Bearer token that expires within ``renew_before`` seconds is renewed *before* the request when a
  ``renew`` callback can do it (password, client certificate); the new token is used and handed to
  ``on_renewed`` (the CLI stores it in the session file);
* an expired token that cannot be renewed fails before sending, with what to do;
* a 401 for a token the tenant revoked (logged out, terminated, expired) is an ``AuthError`` saying so.

HTTP error answers are ``ApiError`` with go-c8y-cli's exit code (``c8y_exit_for_status``).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Mapping
from types import TracebackType

from c8ylink.core.errors import ApiError, AuthError, NetworkError
from c8ylink.core.exit_codes import c8y_exit_for_status
from c8ylink.infra.net.response import FileField, HttpResponse
from c8ylink.operator.credentials import BEARER, Credentials, token_expiry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple, TextIO

    from c8ylink.infra.net.transport import Transport
    from c8ylink.infra.net.websocket import WebSocket
    from c8ylink.operator.activity_log import ActivityLog
    from c8ylink.operator.response_cache import CacheOptions
else:
    from c8ylink.core.records import NamedTuple  # start-up: no dataclasses, no typing

DEFAULT_TIMEOUT = 600.0
_REVOKED_HINTS = ("logged out", "terminated", "expired", "invalid token", "token signature", "revoked")


class TlsOptions(NamedTuple):
    """How to connect: ``insecure``: no verification, otherwise the system store plus ``SSL_CERT_FILE``/
    ``SSL_CERT_DIR``; ``proxy``: ``None`` = the environment's (``HTTPS_PROXY``, ``NO_PROXY``, ...), ``""`` =
    none (``--noProxy``), else this proxy's URL (``--proxy``). Every request of the CLI (REST, logins,
    SSO) connects with these."""

    insecure: bool = False
    ca_file: str = ""
    ca_dirs: str = ""
    cert_file: str = ""
    key_file: str = ""
    proxy: str | None = None

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        *,
        insecure: bool = False,
        cert: str = "",
        key: str = "",
        proxy: str | None = None,
    ) -> TlsOptions:
        return cls(insecure, env.get("SSL_CERT_FILE", ""), env.get("SSL_CERT_DIR", ""), cert, key, proxy)

    def context(self, *, with_client_cert: bool = False) -> ssl.SSLContext:
        from c8ylink.infra.tls.contexts import (
            build_insecure_client_context,
            build_system_trust_client_context,
        )

        cert = self.cert_file if with_client_cert and self.cert_file else None
        key = (self.key_file or None) if cert else None
        if self.insecure:
            return build_insecure_client_context(cert_file=cert, key_file=key)
        return build_system_trust_client_context(
            extra_ca_file=self.ca_file or None,
            extra_ca_dirs=self.ca_dirs or None,
            cert_file=cert,
            key_file=key,
            client_auth_in_handshake=cert is not None,  # a refused certificate then says why
        )


class ClientConfig(NamedTuple):
    base_url: str
    credentials: Credentials = Credentials()
    tls: TlsOptions = TlsOptions()
    domain: str = ""  # Host header override
    timeout: float = DEFAULT_TIMEOUT
    renew_before: float = 300.0


Renewer = Callable[[ClientConfig], Credentials]


class C8yClient:
    def __init__(
        self,
        config: ClientConfig,
        *,
        http: Transport | None = None,
        renew: Renewer | None = None,
        on_renewed: Callable[[Credentials], None] | None = None,
        now: Callable[[], float] = time.time,
        log: TextIO | None = None,
        debug: bool = False,
        activity: ActivityLog | None = None,
        cache: CacheOptions | None = None,
    ) -> None:
        """``log``: where ``--verbose``/``--debug`` log each request (``operator.request_log``);
        ``activity``: the activity log each answered request is written to (``operator.activity_log``);
        ``cache``: answer from the response cache when it can (``operator.response_cache``)."""
        self.config = config
        headers = {"Host": config.domain} if config.domain else None
        if http is None:
            from c8ylink.infra.net.http import HttpClient

            http = HttpClient(
                config.base_url,
                ssl_context=config.tls.context(),
                timeout=config.timeout,
                headers=headers,
                proxy=config.tls.proxy,
            )
        self._direct = http  # websockets go straight to it (the wrappers below are per request)
        if cache is not None:
            from c8ylink.operator.response_cache import CachedTransport

            http = CachedTransport(http, cache)
        if activity is not None:
            from c8ylink.operator.activity_log import ActivityTransport

            http = ActivityTransport(http, activity)
        if log is not None:
            from c8ylink.operator.request_log import LoggedTransport

            http = LoggedTransport(http, log, debug=debug, base_url=config.base_url)
        self._http: Transport = http
        self._renew = renew
        self._on_renewed = on_renewed
        self._now = now

    @property
    def credentials(self) -> Credentials:
        return self.config.credentials

    def _fresh_credentials(self) -> Credentials:
        credentials = self.config.credentials
        if credentials.kind != BEARER:
            return credentials
        expiry = token_expiry(credentials.token)
        if expiry is None or expiry - self._now() > self.config.renew_before:
            return credentials
        if self._renew is not None:
            renewed = self._renew(self.config)
            self.config = self.config._replace(credentials=renewed)
            if self._on_renewed is not None:
                self._on_renewed(renewed)
            return renewed
        if expiry <= self._now():
            raise AuthError(
                f"the session token expired at {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(expiry))} "
                "and cannot be renewed without a password: run set-session again"
            )
        return credentials

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, FileField] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        authenticated: bool = True,
        raise_for_status: bool = True,
    ) -> HttpResponse:
        sent: dict[str, str] = {"Accept": "application/json"}
        cookies: Mapping[str, str] | None = None
        if authenticated:
            credentials = self._fresh_credentials()
            sent.update(credentials.headers())
            cookies = credentials.cookies or None
        sent.update(headers or {})
        sent = {name: value for name, value in sent.items() if value != ""}  # "": leave the header out
        if content is not None:  # a body that is not JSON
            response = self._http.request(method, path, params=params, content=content, headers=sent,
                                          cookies=cookies)  # fmt: skip
        else:
            response = self._http.request(
                method, path, params=params, json=json, data=data, files=files, headers=sent, cookies=cookies
            )
        if raise_for_status and not response.ok:
            raise self.error_for(response, authenticated=authenticated)
        return response

    def error_for(self, response: HttpResponse, *, authenticated: bool = True) -> Exception:
        body = response.json_or_none()
        message = str(body.get("message", "")) if isinstance(body, dict) else ""
        revoked = any(hint in message.lower() for hint in _REVOKED_HINTS)
        if response.status == 401 and authenticated and self.credentials.kind == BEARER and revoked:
            return AuthError(
                f"the tenant no longer accepts the session token ({message}): "
                "run set-session again (add --clear to force a new login)"
            )
        error = ApiError(
            response.status, response.url, body if body is not None else response.text, method=response.method
        )
        error.exit_code = c8y_exit_for_status(response.status)
        return error

    def open_websocket(self, path: str, *, params: Mapping[str, str] | None = None) -> WebSocket:
        """A WebSocket to ``path`` on the tenant (``wss`` for an https session), through the session's
        TLS and proxy settings; the query carries what authenticates it (a Notifications 2.0 token). A
        refused upgrade is the ``ApiError`` a request with that answer would be."""
        from c8ylink.infra.net.websocket import UpgradeRefused

        opener = getattr(self._direct, "open_websocket", None)
        if opener is None:
            raise NetworkError("this connection cannot open websockets")
        try:
            socket: WebSocket = opener(path, params=params)
        except UpgradeRefused as exc:
            shown = {
                name: ("{token}" if name == "token" else value) for name, value in (params or {}).items()
            }
            from c8ylink.infra.net.http_request import join_url

            response = exc.response._replace(url=join_url(self.config.base_url, path, shown))
            raise self.error_for(response, authenticated=False) from None
        return socket

    def get_json(self, path: str, *, params: Mapping[str, str] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> C8yClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
