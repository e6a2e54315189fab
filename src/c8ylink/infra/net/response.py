"""The answer of an HTTP request as a plain value, shared by the transports of ``infra.net``
(``http.HttpClient`` and the in-memory ``transport.MemoryTransport``)."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping

from c8ylink.core.errors import ApiError, ProtocolError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, BinaryIO, NamedTuple
else:
    from c8ylink.core.records import NamedTuple  # start-up: no dataclasses, no typing

FileField = tuple[str, "bytes | BinaryIO", str]  # (filename, content or a binary file, content type)


class HttpResponse(NamedTuple):
    status: int
    url: str
    method: str
    headers: Mapping[str, str]
    content: bytes
    cookies: Mapping[str, str] = {}  # never changed in place

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        """The body as JSON; ``ProtocolError`` if it is not JSON."""
        try:
            return jsonlib.loads(self.content)
        except ValueError as exc:
            raise ProtocolError(
                f"{self.method} {self.url}: expected a JSON body, got {self.content[:80]!r}"
            ) from exc

    def json_or_none(self) -> Any:
        try:
            return jsonlib.loads(self.content) if self.content else None
        except ValueError:
            return None

    def raise_for_status(self) -> HttpResponse:
        """``ApiError(status, url, body)`` unless the status is 2xx."""
        if not self.ok:
            body = self.json_or_none()
            raise ApiError(self.status, self.url, body if body is not None else self.text, method=self.method)
        return self
