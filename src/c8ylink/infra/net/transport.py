"""The one synchronous HTTP contract (``Transport``) and an in-memory transport for unit tests.

``infra.net.http.HttpClient`` is the implementation: code that sends requests takes a ``Transport`` so
that a test can hand it a ``MemoryTransport`` instead, whose handler answers each request::

    def tenant(request: Request) -> Reply:
        return Reply.json({"id": "1"}, status=201) if request.method == "POST" else Reply(404)

    http = MemoryTransport(tenant, base_url="https://t1.example.com")
    ...
    assert http.requests[0].json() == {...}

The in-memory transport builds headers, bodies and cookies with the same code as the real client
(``infra.net.http_request``), follows redirects by the same rule when asked, and answers
``download`` by writing the reply's body; only the wire is missing.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, Protocol

from c8ylink.core.errors import ApiError, ProtocolError
from c8ylink.infra.net.http_request import (
    MAX_REDIRECTS,
    build_response,
    encode_body,
    join_url,
    redirect,
    request_headers,
)
from c8ylink.infra.net.response import FileField, HttpResponse


class Transport(Protocol):
    """What code sends HTTP requests through (``infra.net.http.HttpClient``, or ``MemoryTransport``)."""

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, FileField] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        basic_auth: tuple[str, str] | None = None,
        follow_redirects: bool | None = None,
    ) -> HttpResponse: ...

    def download(
        self,
        url: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool | None = None,
    ) -> int: ...

    def close(self) -> None: ...


class Request(NamedTuple):
    """A request as the server would see it: headers with lower-case names, the body read whole."""

    method: str
    url: str
    headers: Mapping[str, str]
    content: bytes

    @property
    def path(self) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class Reply(NamedTuple):
    status: int = 200
    headers: Iterable[tuple[str, str]] = ()
    content: bytes = b""

    @classmethod
    def json(cls, document: Any, *, status: int = 200, headers: Iterable[tuple[str, str]] = ()) -> Reply:
        body = jsonlib.dumps(document).encode()
        return cls(status, [("Content-Type", "application/json"), *headers], body)


Handler = Callable[[Request], Reply]


class MemoryTransport:
    """A ``Transport`` whose answers come from ``handler``; every request is kept in ``requests``."""

    def __init__(
        self,
        handler: Handler,
        *,
        base_url: str = "",
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool = False,
    ) -> None:
        self.handler = handler
        self.base_url = base_url
        self.headers = dict(headers or {})
        self.follow_redirects = follow_redirects
        self.requests: list[Request] = []
        self.closed = False

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, FileField] | None = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        basic_auth: tuple[str, str] | None = None,
        follow_redirects: bool | None = None,
    ) -> HttpResponse:
        full_url = join_url(self.base_url, url, params)
        sent = request_headers(self.headers, headers, cookies=cookies, basic_auth=basic_auth)
        body = encode_body(sent, json=json, content=content, data=data, files=files)
        payload = body.read() if body is not None else b""
        if body is not None:
            sent["content-length"] = str(len(payload))
        follow = self.follow_redirects if follow_redirects is None else follow_redirects
        method = method.upper()
        for _ in range(MAX_REDIRECTS + 1):
            request = Request(method, full_url, dict(sent), payload)
            self.requests.append(request)
            reply = self.handler(request)
            answer = list(reply.headers)
            location = next((value for name, value in answer if name.lower() == "location"), "")
            step = redirect(method, full_url, reply.status, location, sent) if follow else None
            if step is None:
                return build_response(method, full_url, reply.status, answer, reply.content)
            method, full_url, sent, keep_body = step
            payload = payload if keep_body else b""
        raise ProtocolError(f"{method} {full_url}: more than {MAX_REDIRECTS} redirects")

    def download(
        self,
        url: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool | None = None,
    ) -> int:
        answer = self.request("GET", url, headers=headers, follow_redirects=follow_redirects)
        if not answer.ok:
            raise ApiError(answer.status, answer.url, answer.text[:200], method="GET")
        with open(path, "wb") as target:
            target.write(answer.content)
        return len(answer.content)

    def close(self) -> None:
        self.closed = True
