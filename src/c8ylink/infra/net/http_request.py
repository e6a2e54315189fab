"""What every transport of ``infra.net`` does the same way (pure): the headers and body of a request
from ``request(...)``'s arguments (JSON, form, multipart, raw or streamed content), the cookies of an
answer, and which request a redirect leads to.

A body is a ``Body``: its parts (bytes, or binary files read from their current position) and its
length when known (then ``Content-Length``, else ``Transfer-Encoding: chunked``). Multipart bodies are
streamed: a file field's content is read in blocks while sending, never held whole.
"""

from __future__ import annotations

import json as jsonlib
import os
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import urlencode, urljoin, urlsplit

from c8ylink.infra.net.response import FileField, HttpResponse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, BinaryIO

USER_AGENT = "c8ylink"
BLOCK = 65536
MAX_REDIRECTS = 10
_REDIRECTS = (301, 302, 303, 307, 308)

Headers = dict[str, str]  # lower-case name -> value: see ``merge_headers``


class Body:
    """Parts sent in order; ``length`` is ``None`` for an iterator of unknown size."""

    def __init__(self, parts: list[Any], length: int | None) -> None:
        self.parts = parts
        self.length = length
        self._starts = [part.tell() if _is_file(part) and part.seekable() else 0 for part in parts]

    @property
    def replayable(self) -> bool:
        """Can it be sent again (after a stale connection, or to a 307/308 redirect)?"""
        return all(isinstance(part, bytes) or (_is_file(part) and part.seekable()) for part in self.parts)

    def rewind(self) -> None:
        for part, start in zip(self.parts, self._starts, strict=True):
            if _is_file(part):
                part.seek(start)

    def chunks(self) -> Iterator[bytes]:
        for part in self.parts:
            if isinstance(part, bytes):
                if part:
                    yield part
            elif _is_file(part):
                while block := part.read(BLOCK):
                    yield block
            else:
                for block in part:
                    if block:
                        yield bytes(block)

    def read(self) -> bytes:
        return b"".join(self.chunks())


def _is_file(part: object) -> bool:
    return hasattr(part, "read")


def _file_length(stream: BinaryIO) -> int | None:
    try:
        if stream.seekable():
            here = stream.tell()
            end = stream.seek(0, os.SEEK_END)
            stream.seek(here)
            return end - here
        import stat

        info = os.fstat(stream.fileno())
        return info.st_size if stat.S_ISREG(info.st_mode) else None  # a pipe's size says nothing
    except (OSError, ValueError, AttributeError):
        return None


def content_body(content: Any, length: int | None = None) -> Body:
    """A body from bytes, text, a binary file or an iterator of bytes (``length`` if the caller knows it)."""
    if isinstance(content, str):
        content = content.encode()
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
        return Body([data], len(data))
    if _is_file(content):
        return Body([content], length if length is not None else _file_length(content))
    return Body([iter(content)], length)


def multipart_body(boundary: str, fields: Mapping[str, str], files: Mapping[str, FileField]) -> Body:
    """``multipart/form-data``: the fields, then the files (bytes or binary files, streamed)."""
    parts: list[Any] = []
    streamed: int | None = 0  # the length of the file parts that are not bytes
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, kind) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
        )
        part = content_body(content)
        parts += [head.encode(), *part.parts, b"\r\n"]
        if part.length is None:
            streamed = None
        elif streamed is not None and not isinstance(part.parts[0], bytes):
            streamed += part.length
    parts.append(f"--{boundary}--\r\n".encode())
    length = None if streamed is None else streamed + sum(len(p) for p in parts if isinstance(p, bytes))
    return Body(parts, length)


def encode_body(
    headers: Headers,
    *,
    json: Any = None,
    content: Any = None,
    data: Mapping[str, str] | None = None,
    files: Mapping[str, FileField] | None = None,
) -> Body | None:
    """The body of a request, setting its ``Content-Type`` in ``headers`` (see ``merge_headers``)."""
    if files is not None:
        boundary = "c8ylink" + os.urandom(12).hex()
        headers["content-type"] = f"multipart/form-data; boundary={boundary}"
        return multipart_body(boundary, data or {}, files)
    if json is not None:
        headers.setdefault("content-type", "application/json")
        return content_body(jsonlib.dumps(json, separators=(",", ":")).encode())
    if data is not None:
        headers.setdefault("content-type", "application/x-www-form-urlencoded")
        return content_body(urlencode(data).encode())
    if content is not None:
        return content_body(content, _declared_length(headers))
    return None


def _declared_length(headers: Headers) -> int | None:
    value = headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def merge_headers(*layers: Mapping[str, str] | None) -> Headers:
    """Later layers win, names compared without case; keys are lower case (values keep what was given)."""
    merged: Headers = {}
    for layer in layers:
        for name, value in (layer or {}).items():
            merged[name.lower()] = value
    return merged


def request_headers(
    defaults: Mapping[str, str],
    headers: Mapping[str, str] | None,
    *,
    cookies: Mapping[str, str] | None = None,
    basic_auth: tuple[str, str] | None = None,
) -> Headers:
    sent = merge_headers({"user-agent": USER_AGENT}, defaults, headers)
    if cookies:
        sent["cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    if basic_auth is not None:
        import base64

        token = base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode("ascii")
        sent["authorization"] = f"Basic {token}"
    return sent


def join_url(base: str, url: str, params: Mapping[str, str] | None = None) -> str:
    """``url`` on ``base`` (a path is appended to the base's path), with ``params`` added to its query."""
    if not urlsplit(url).scheme:
        if not base:
            from c8ylink.core.errors import NetworkError

            raise NetworkError(f"cannot send to {url!r}: no base URL")
        parts = urlsplit(base)
        relative = urlsplit(url)
        url = parts._replace(path=parts.path.rstrip("/") + relative.path, query=relative.query).geturl()
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    return url


def parse_cookies(set_cookie: Iterable[str]) -> dict[str, str]:
    """``name -> value`` of ``Set-Cookie`` header values (attributes ignored)."""
    found: dict[str, str] = {}
    for line in set_cookie:
        pair = line.split(";", 1)[0]
        name, equals, value = pair.partition("=")
        if equals and name.strip():
            found[name.strip()] = value.strip()
    return found


def origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def redirect(
    method: str, url: str, status: int, location: str, headers: Headers
) -> tuple[str, str, Headers, bool] | None:
    """Where a redirect answer leads: (method, url, headers, keep the body), or ``None`` if it is not
    one. 303 (and 301/302 after anything but GET/HEAD) becomes a GET without body; 307/308 keep the
    method and body. ``Authorization`` and ``Cookie`` are not sent to another host (an upgrade from
    http to https on the same host keeps them)."""
    if status not in _REDIRECTS or not location:
        return None
    target = urljoin(url, location)
    keep_body = status in (307, 308)
    if status == 303 or (status in (301, 302) and method not in ("GET", "HEAD")):
        method, keep_body = ("HEAD" if method == "HEAD" else "GET"), False
    sent = dict(headers)
    if not keep_body:
        for name in ("content-type", "content-length", "transfer-encoding"):
            sent.pop(name, None)
    before, after = origin(url), origin(target)
    upgrade = before[0] == "http" and after[0] == "https" and before[1] == after[1] and after[2] == 443
    if before != after and not upgrade:
        sent.pop("authorization", None)
        sent.pop("cookie", None)
    return method, target, sent, keep_body


def build_response(
    method: str, url: str, status: int, answer: Iterable[tuple[str, str]], content: bytes
) -> HttpResponse:
    """The answer as a value: header names in lower case (repeated fields joined by ", ", the last
    ``Set-Cookie``), and the cookies it sets."""
    fields = list(answer)
    merged: dict[str, str] = {}
    for name, value in fields:
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged and key != "set-cookie" else value
    cookies = parse_cookies(value for name, value in fields if name.lower() == "set-cookie")
    return HttpResponse(
        status=status, url=url, method=method, headers=merged, content=content, cookies=cookies
    )
