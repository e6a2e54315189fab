"""A request as a value (``RequestPlan``): what ``--dry`` shows and what the client sends.

Query strings are encoded as go-c8y-cli does for the inventory query: ``(``, ``)``, ``'``, ``$`` and
``,`` (and ``=`` inside a value) stay literal, a space is ``%20`` and ``+`` is ``%2B`` (a raw ``+``
would arrive as a space).
"""

from __future__ import annotations

from urllib.parse import quote

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple

QUERY_SAFE = "()'$,*:@/!="


class LocalFile(NamedTuple):
    """A file to upload, named, not read: the client opens it when it sends (``operator.api.uploads``)."""

    path: str
    size: int


FileField = tuple[str, str, "bytes | LocalFile", str]  # (form field, file name, content, content type)


def encode_component(text: str, *, safe: str = QUERY_SAFE) -> str:
    return quote(text, safe=safe)


def encode_query(pairs: tuple[tuple[str, str], ...]) -> str:
    return "&".join(f"{encode_component(name)}={encode_component(value)}" for name, value in pairs)


class RequestPlan(NamedTuple):
    method: str
    path: str  # already encoded ("/identity/externalIds/c8y_Serial/device%2001")
    query: tuple[tuple[str, str], ...] = ()
    body: Any = None  # a JSON document (None: no body)
    headers: tuple[tuple[str, str], ...] = ()
    files: tuple[FileField, ...] = ()  # a multipart/form-data body instead of JSON
    label: str = ""  # what the request acts on, for confirmations and messages ("id=12345")
    content: bytes | LocalFile | None = None  # a body that is not JSON (text/plain, a file's bytes)
    fields: tuple[tuple[str, str], ...] = ()  # the text parts of a multipart body, before its files

    @property
    def target(self) -> str:
        """The path (or an absolute URL: ``c8y api --host``) with its query string, as sent."""
        return f"{self.path}?{encode_query(self.query)}" if self.query else self.path

    def query_value(self, name: str) -> str | None:
        return next((value for key, value in self.query if key == name), None)

    def with_query(self, name: str, value: str) -> RequestPlan:
        pairs = [(key, old) for key, old in self.query if key != name]
        return self._replace(query=(*pairs, (name, value)))

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)
