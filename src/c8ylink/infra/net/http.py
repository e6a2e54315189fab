"""A small synchronous HTTP(S) client over httpx2 for the CLIs.

What callers get: ``HttpClient.request(...) -> HttpResponse`` (a plain value; HTTP error statuses are
*not* exceptions, callers decide with ``raise_for_status``), TLS configured by passing an
``ssl.SSLContext`` (build it with ``infra.tls.contexts.build_client_context``) or ``verify=False``
for ``--insecure``. What callers never see: httpx2 types or exceptions — transport failures become
``NetworkError`` (``Fail to connect to <host>: <reason>``) and handshake failures ``TlsError`` with a
``kind`` (see ``infra.net.tls_errors``).
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx2

from c8ylink.core.errors import ApiError, NetworkError
from c8ylink.infra.net.response import FileField, HttpResponse
from c8ylink.infra.net.tls_errors import find_ssl_error, tls_error_from_ssl

__all__ = ["FileField", "HttpClient", "HttpResponse"]


class HttpClient:
    """One connection pool to one or more hosts; use as a context manager."""

    def __init__(
        self,
        base_url: str = "",
        *,
        ssl_context: ssl.SSLContext | None = None,
        verify: bool = True,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        from http.cookiejar import CookieJar, DefaultCookiePolicy

        verify_arg: ssl.SSLContext | bool = ssl_context if ssl_context is not None else verify
        self._client = httpx2.Client(
            # no cookie jar: callers see the cookies of each answer and send what they choose
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            base_url=base_url,
            verify=verify_arg,
            timeout=httpx2.Timeout(timeout),
            headers=dict(headers or {}),
            trust_env=False,
            follow_redirects=False,
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | str | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, FileField] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        basic_auth: tuple[str, str] | None = None,
    ) -> HttpResponse:
        if cookies:  # as a header: httpx2 deprecates per-request cookie jars
            cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
            headers = {**(headers or {}), "Cookie": cookie}
        kwargs: dict[str, Any] = {"params": params, "headers": headers}
        if json is not None:
            kwargs["json"] = json
        if content is not None:
            kwargs["content"] = content
        if data is not None:
            kwargs["data"] = data
        if files is not None:
            kwargs["files"] = files
        if basic_auth is not None:
            kwargs["auth"] = httpx2.BasicAuth(*basic_auth)
        full_url = str(self._client.base_url.join(url)) if self._client.base_url else url
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx2.TimeoutException as exc:
            raise NetworkError(f"Fail to connect to {_peer(full_url)}: request timed out") from exc
        except httpx2.TransportError as exc:
            ssl_error = find_ssl_error(exc)
            if ssl_error is not None:
                raise tls_error_from_ssl(ssl_error, _peer(full_url)) from exc
            raise NetworkError(f"Fail to connect to {_peer(full_url)}: {_reason(exc)}") from exc
        return HttpResponse(
            status=response.status_code,
            url=str(response.url),
            method=method.upper(),
            headers={k.lower(): v for k, v in response.headers.items()},
            content=response.content,
            cookies=dict(response.cookies.items()),
        )

    def download(self, url: str, path: str, *, headers: Mapping[str, str] | None = None) -> int:
        """Stream ``GET url`` into the file ``path``; the number of bytes. ``ApiError`` unless 2xx."""
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if not 200 <= response.status_code < 300:
                    response.read()
                    raise ApiError(response.status_code, str(response.url), response.text[:200], method="GET")
                size = 0
                with open(path, "wb") as target:
                    for chunk in response.iter_bytes():
                        target.write(chunk)
                        size += len(chunk)
                return size
        except httpx2.TimeoutException as exc:
            raise NetworkError(f"Fail to connect to {_peer(url)}: request timed out") from exc
        except httpx2.TransportError as exc:
            ssl_error = find_ssl_error(exc)
            if ssl_error is not None:
                raise tls_error_from_ssl(ssl_error, _peer(url)) from exc
            raise NetworkError(f"Fail to connect to {_peer(url)}: {_reason(exc)}") from exc
        except OSError as exc:
            raise NetworkError(
                f"Cannot write the download of {url} to {path}: {exc.strerror or exc}"
            ) from exc

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _peer(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    if text:
        return text
    cause = exc.__cause__ or exc.__context__
    return str(cause).strip() if cause is not None else type(exc).__name__
