"""HTTP/1.1 as bytes in, events out (sans-I/O): the request head to send, and ``ResponseParser``, which is
fed the bytes of one answer in pieces of any size and returns what they completed::

    parser = ResponseParser("GET")
    for event in parser.feed(data):     # Status, Headers, Data ..., End
        ...
    parser.feed_eof()                    # the peer closed: End for a read-until-close body, or an error

The body framing follows RFC 9112 §6.3: none for ``HEAD``, ``CONNECT`` 2xx, 1xx, 204 and 304; chunked
(trailers read and returned with ``End``); ``Content-Length``; otherwise until the peer closes. Interim
1xx answers are skipped, except ``101 Switching Protocols``: the answer, after which the bytes
(``unused``) are the upgraded protocol's. Lines longer than ``max_line`` and more than ``max_headers``
header fields are ``ResponseError``, as is anything that is not HTTP/1.x.

Why not ``http.client``: it imports the ``email`` package to parse headers, which costs as much again as
the whole request on a small machine, and every stage of a ``c8y`` pipeline is a new process
(``bench/rest_client.py``). The socket side is ``infra.net.http_connection``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from c8ylink.core.records import NamedTuple  # start-up: no typing

MAX_LINE = 65536
MAX_HEADERS = 200

HeaderList = list[tuple[str, str]]


class ResponseError(Exception):
    """The peer's answer is not HTTP/1.x, breaks a limit, or ended too early."""


class Status(NamedTuple):
    version: str  # "HTTP/1.1"
    code: int
    reason: str


class Headers(NamedTuple):
    headers: HeaderList  # in order, names as sent


class Data(NamedTuple):
    data: bytes


class End(NamedTuple):
    trailers: HeaderList = []  # noqa: RUF012 (never changed in place)


Event = Status | Headers | Data | End

# parser states
_STATUS, _HEADERS, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILERS, _UNTIL_CLOSE, _DONE = range(9)


def header(headers: HeaderList, name: str) -> str:
    """The first value of header ``name`` (lower case), or ``""``."""
    return next((value for key, value in headers if key.lower() == name), "")


def encode_head(method: str, target: str, headers: HeaderList) -> bytes:
    """The request line and header fields, ended by the empty line."""
    lines = [f"{method} {target} HTTP/1.1", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def encode_chunk(data: bytes) -> bytes:
    """One chunk of a ``Transfer-Encoding: chunked`` body; ``b""`` gives the last chunk."""
    if not data:
        return b"0\r\n\r\n"  # the last chunk, no trailers
    return f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n"


class ResponseParser:
    """One answer to a request with ``method``; ``keep_alive`` tells, after ``End``, whether the
    connection can carry another request."""

    def __init__(
        self, method: str = "GET", *, max_line: int = MAX_LINE, max_headers: int = MAX_HEADERS
    ) -> None:
        self.method = method.upper()
        self.max_line = max_line
        self.max_headers = max_headers
        self.keep_alive = True
        self.status = 0
        self._buffer = bytearray()
        self._state = _STATUS
        self._remaining = 0  # bytes left of the body (_LENGTH) or of the chunk (_CHUNK_DATA)
        self._fields: HeaderList = []
        self._version = ""
        self._reason = ""

    @property
    def done(self) -> bool:
        return self._state == _DONE

    @property
    def unused(self) -> bytes:
        """Bytes received after the end of the answer."""
        return bytes(self._buffer) if self._state == _DONE else b""

    def feed(self, data: bytes) -> list[Event]:
        self._buffer += data
        events: list[Event] = []
        while self._step(events):
            pass
        return events

    def feed_eof(self) -> list[Event]:
        """The peer closed the connection: the end of a read-until-close body, else ``ResponseError``."""
        self.keep_alive = False
        if self._state == _UNTIL_CLOSE:
            self._state = _DONE
            return [End()]
        if self._state == _DONE:
            return []
        if self._state == _STATUS and not self._buffer:
            raise ResponseError("the server closed the connection without an answer")
        raise ResponseError("the answer ended early")

    # -- one step: False when more bytes are needed ----------------------------------------------------
    def _step(self, events: list[Event]) -> bool:
        state = self._state
        if state == _DONE:
            return False
        if state in (_UNTIL_CLOSE, _LENGTH, _CHUNK_DATA):
            return self._body(events)
        line = self._line()
        if line is None:
            return False
        if state == _STATUS:
            self._status_line(line)
        elif state in (_HEADERS, _TRAILERS):
            self._field_line(line, events)
        elif state == _CHUNK_SIZE:
            self._chunk_size(line)
        else:  # _CHUNK_END: the CRLF after a chunk's data
            if line:
                raise ResponseError("a chunk is longer than its size")
            self._state = _CHUNK_SIZE
        return True

    def _line(self) -> bytes | None:
        end = self._buffer.find(b"\n")
        if end < 0:
            if len(self._buffer) > self.max_line:
                raise ResponseError(f"a line of the answer is longer than {self.max_line} bytes")
            return None
        if end > self.max_line:
            raise ResponseError(f"a line of the answer is longer than {self.max_line} bytes")
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line[:-1] if line.endswith(b"\r") else line

    def _status_line(self, line: bytes) -> None:
        parts = line.decode("latin-1").split(None, 2)
        if (
            len(parts) < 2
            or not parts[0].startswith("HTTP/1.")
            or not (parts[1].isdigit() and len(parts[1]) == 3)
        ):
            raise ResponseError(f"not an HTTP answer: {line[:60]!r}")
        self._version, self.status = parts[0], int(parts[1])
        self._reason = parts[2] if len(parts) > 2 else ""
        self._fields = []
        self._state = _HEADERS

    def _field_line(self, line: bytes, events: list[Event]) -> None:
        if line:
            if len(self._fields) >= self.max_headers:
                raise ResponseError(f"the answer has more than {self.max_headers} header fields")
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or not name or name != name.strip():
                raise ResponseError(f"bad header field {line[:60]!r}")
            self._fields.append((name, value.strip()))
            return
        if self._state == _TRAILERS:
            self._state = _DONE
            events.append(End(self._fields))
            return
        if 100 <= self.status < 200 and self.status != 101:  # interim answer: the real one follows
            self._state = _STATUS
            return
        events.append(Status(self._version, self.status, self._reason))
        events.append(Headers(self._fields))
        self._begin_body(events)

    def _begin_body(self, events: list[Event]) -> None:
        fields = self._fields
        connection = header(fields, "connection").lower()
        self.keep_alive = "close" not in connection and (
            self._version != "HTTP/1.0" or "keep-alive" in connection
        )
        if (
            self.method == "HEAD"
            or self.status in (101, 204, 304)
            or (self.method == "CONNECT" and 200 <= self.status < 300)
        ):
            if self.status == 101:  # Switching Protocols: what follows is the new protocol's
                self.keep_alive = False
            self._finish(events)
            return
        if "chunked" in header(fields, "transfer-encoding").lower():
            self._state = _CHUNK_SIZE
            return
        length = header(fields, "content-length")
        if length:
            if not length.isdigit():
                raise ResponseError(f"bad Content-Length {length[:20]!r}")
            self._remaining = int(length)
            self._state = _LENGTH
            if not self._remaining:
                self._finish(events)
            return
        self.keep_alive = False
        self._state = _UNTIL_CLOSE

    def _chunk_size(self, line: bytes) -> None:
        size = line.split(b";", 1)[0].strip()
        try:
            self._remaining = int(size, 16)
        except ValueError:
            raise ResponseError(f"bad chunk size {size[:20]!r}") from None
        if self._remaining < 0 or size.startswith((b"-", b"+", b"0x", b"0X")):
            raise ResponseError(f"bad chunk size {size[:20]!r}")
        if self._remaining:
            self._state = _CHUNK_DATA
        else:
            self._fields = []
            self._state = _TRAILERS

    def _body(self, events: list[Event]) -> bool:
        if not self._buffer:
            return False
        if self._state == _UNTIL_CLOSE:
            events.append(Data(bytes(self._buffer)))
            self._buffer.clear()
            return False
        piece = bytes(self._buffer[: self._remaining])
        del self._buffer[: len(piece)]
        self._remaining -= len(piece)
        events.append(Data(piece))
        if not self._remaining:
            if self._state == _LENGTH:
                self._finish(events)
            else:
                self._state = _CHUNK_END
        return True

    def _finish(self, events: list[Event]) -> None:
        self._state = _DONE
        events.append(End())
