"""The sans-I/O HTTP/1.1 response parser: the same events whatever pieces the bytes arrive in, every
body framing, interim answers, and its limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.infra.net.http1 import (
    Data,
    End,
    Event,
    Headers,
    ResponseError,
    ResponseParser,
    Status,
    encode_chunk,
    encode_head,
)

LENGTH = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"a": 1}'
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Checksum: 42\r\n\r\n"
)
UNTIL_CLOSE = b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nall of it, until the end"
INTERIM = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + LENGTH
NO_BODY = b"HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n"
ANSWERS = [LENGTH, CHUNKED, UNTIL_CLOSE, INTERIM, NO_BODY]


def parse(pieces: list[bytes], method: str = "GET") -> list[Event]:
    """All events, the body's ``Data`` merged (their boundaries follow the pieces, nothing else)."""
    parser = ResponseParser(method)
    events: list[Event] = []
    for piece in pieces:
        events += parser.feed(piece)
    events += parser.feed_eof() if not parser.done else []
    merged: list[Event] = []
    for event in events:
        if isinstance(event, Data) and merged and isinstance(merged[-1], Data):
            merged[-1] = Data(merged[-1].data + event.data)
        elif not (isinstance(event, Data) and not event.data):
            merged.append(event)
    return merged


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    return [data[start:end] for start, end in zip([0, *points], [*points, len(data)], strict=True)]


@given(
    answer=st.sampled_from(ANSWERS), cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=40)
)
def test_any_split_gives_the_same_events(answer: bytes, cuts: list[int]) -> None:
    assert parse(split(answer, cuts)) == parse([answer])


@given(cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=20))
def test_byte_by_byte_equals_whole(cuts: list[int]) -> None:
    data = CHUNKED
    assert parse([data[i : i + 1] for i in range(len(data))]) == parse(split(data, cuts))


def test_content_length() -> None:
    assert parse([LENGTH]) == [
        Status("HTTP/1.1", 200, "OK"),
        Headers([("Content-Type", "application/json"), ("Content-Length", "8")]),
        Data(b'{"a": 1}'),
        End(),
    ]


def test_chunked_with_extensions_and_trailers() -> None:
    events = parse([CHUNKED])
    assert events[2:] == [Data(b"hello, world"), End([("X-Checksum", "42")])]


def test_until_close_and_http10_is_not_kept_alive() -> None:
    parser = ResponseParser()
    events = parser.feed(UNTIL_CLOSE)
    assert not parser.done and events[2:] == [Data(b"all of it, until the end")]
    assert parser.feed_eof() == [End()]
    assert (parser.done, parser.keep_alive) == (True, False)


def test_interim_answers_are_skipped() -> None:
    assert parse([INTERIM]) == parse([LENGTH])


@pytest.mark.parametrize(
    ("method", "answer"),
    [
        ("GET", NO_BODY),
        ("GET", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"),
        ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
        ("CONNECT", b"HTTP/1.1 200 Connection established\r\n\r\n"),
    ],
)
def test_answers_without_a_body(method: str, answer: bytes) -> None:
    parser = ResponseParser(method)
    events = parser.feed(answer + b"next")
    assert parser.done and isinstance(events[-1], End)
    assert not any(isinstance(event, Data) for event in events)
    assert parser.unused == b"next"


def test_keep_alive_follows_connection_header() -> None:
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
    assert parser.done and not parser.keep_alive
    kept = ResponseParser()
    kept.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert kept.done and kept.keep_alive


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"SSH-2.0-OpenSSH\r\n", "not an HTTP answer"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "bad header field"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "bad Content-Length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "longer than its size"),
    ],
)
def test_what_is_not_http(answer: bytes, message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        ResponseParser().feed(answer)


def test_limits_on_line_length_and_header_count() -> None:
    with pytest.raises(ResponseError, match="longer than 100 bytes"):
        ResponseParser(max_line=100).feed(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 200)
    many = b"".join(f"X-{n}: v\r\n".encode() for n in range(11))
    with pytest.raises(ResponseError, match="more than 10 header fields"):
        ResponseParser(max_headers=10).feed(b"HTTP/1.1 200 OK\r\n" + many + b"\r\n")


def test_early_end() -> None:
    with pytest.raises(ResponseError, match="without an answer"):
        ResponseParser().feed_eof()
    parser = ResponseParser()
    parser.feed(LENGTH[:-3])
    with pytest.raises(ResponseError, match="ended early"):
        parser.feed_eof()


def test_request_head_and_chunks() -> None:
    assert encode_head("GET", "/x?a=1", [("Host", "h"), ("Accept", "*/*")]) == (
        b"GET /x?a=1 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n"
    )
    assert encode_chunk(b"hello") == b"5\r\nhello\r\n"
    assert encode_chunk(b"") == b"0\r\n\r\n"
