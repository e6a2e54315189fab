"""``--verbose``/``--debug``: each request and its answer logged on stderr, secrets masked.

``--verbose`` logs the method and URL, the request headers, the status, the time taken and the
response's content type; ``--debug`` adds the request body and the response headers and body. The
Authorization value is shown as upstream's dry run shows it (``Basic {base64 tenant/username:password}``,
``Bearer {token}``), cookies and XSRF tokens as ``********``, and body values whose name says they are
secret (``password``, ``token``, ``secret``, ``code``) as ``********``: a log never holds a credential.

``LoggedTransport`` wraps any ``Transport``; ``render_request``/``render_response`` are pure.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from c8ylink.infra.net.response import HttpResponse
from c8ylink.infra.net.transport import Transport

MASK = "********"
_SECRET_WORDS = ("password", "token", "secret", "code", "passphrase")
_BODY_LIMIT = 4000


def mask_header(name: str, value: str) -> str:
    lowered = name.lower()
    if lowered == "authorization":
        scheme = value.split(" ", 1)[0].lower()
        if scheme == "basic":
            return "Basic {base64 tenant/username:password}"
        if scheme == "bearer":
            return "Bearer {token}"
        return MASK
    if lowered in ("cookie", "set-cookie", "x-xsrf-token", "proxy-authorization"):
        return MASK
    return value


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def mask_body(value: Any) -> Any:
    """A JSON document (or form fields) with the values of secret-looking names masked."""
    if isinstance(value, Mapping):
        return {key: MASK if _is_secret(str(key)) else mask_body(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_body(item) for item in value]
    return value


def _body_text(body: Any) -> str:
    text = json.dumps(mask_body(body), ensure_ascii=False) if not isinstance(body, bytes | str) else str(body)
    return text if len(text) <= _BODY_LIMIT else text[:_BODY_LIMIT] + f"... ({len(text)} characters)"


def render_request(
    method: str, url: str, headers: Mapping[str, str], body: Any = None, *, debug: bool = False
) -> str:
    lines = [f"Sending request: {method} {url}"]
    lines += [
        f"Request header: {name}: {mask_header(name, value)}" for name, value in sorted(headers.items())
    ]
    if debug and body is not None:
        lines.append(f"Request body: {_body_text(body)}")
    return "".join(f"{'DEBUG' if debug else 'INFO'}  {line}\n" for line in lines)


def render_response(response: HttpResponse, elapsed: float, *, debug: bool = False) -> str:
    lines = [
        f"Status code: {response.status}",
        f"Response time: {elapsed * 1000:.0f}ms",
        f"Response Content-Type: {response.content_type or '-'}",
    ]
    if debug:
        lines += [
            f"Response header: {name}: {mask_header(name, value)}"
            for name, value in sorted(response.headers.items())
        ]
        if response.content:
            document = response.json_or_none()
            shown = _body_text(document) if document is not None else _body_text(response.text)
            lines.append(f"Response body: {shown}")
    return "".join(f"{'DEBUG' if debug else 'INFO'}  {line}\n" for line in lines)


class LoggedTransport:
    """A ``Transport`` that logs each request and answer to ``err`` (see the module doc)."""

    def __init__(
        self,
        inner: Transport,
        err: TextIO,
        *,
        debug: bool = False,
        base_url: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._err = err
        self._debug = debug
        self._base = base_url.rstrip("/")
        self._clock = clock

    def _write(self, text: str) -> None:
        self._err.write(text)
        self._err.flush()

    def request(self, method: str, url: str, **options: Any) -> HttpResponse:
        full = url if "://" in url else self._base + url
        body = options.get("json")
        if body is None:
            body = options.get("data") or options.get("content")
        self._write(render_request(method, full, options.get("headers") or {}, body, debug=self._debug))
        started = self._clock()
        response = self._inner.request(method, url, **options)
        self._write(render_response(response, self._clock() - started, debug=self._debug))
        return response

    def download(self, url: str, path: str, **options: Any) -> int:
        self._write(render_request("GET", url, options.get("headers") or {}, debug=self._debug))
        return self._inner.download(url, path, **options)

    def close(self) -> None:
        self._inner.close()
