"""The pure rules every transport shares: body lengths, URL joining, cookies, redirects."""

from __future__ import annotations

import io
import os

import pytest

from c8ylink.infra.net.http_request import content_body, join_url, parse_cookies, redirect


def test_body_lengths() -> None:
    assert content_body("héllo").length == len("héllo".encode())
    stream = io.BytesIO(b"0123456789")
    stream.seek(4)
    body = content_body(stream)
    assert body.length == 6 and body.read() == b"456789"
    body.rewind()
    assert body.read() == b"456789"  # from where it started, again (for a retry or a 307)
    assert content_body(iter([b"a", b"b"])).length is None  # sent chunked
    assert content_body(iter([b"a"]), 1).length == 1
    assert not content_body(iter([b"a"])).replayable


def test_a_pipe_has_no_known_length() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"data")
    os.close(write_end)
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        body = content_body(pipe)
        assert body.length is None and body.read() == b"data"


def test_join_url() -> None:
    assert join_url("https://h/base/", "/inventory", {"q": "a b"}) == "https://h/base/inventory?q=a+b"
    assert join_url("https://h", "/x?a=1", {"b": "2"}) == "https://h/x?a=1&b=2"
    assert join_url("https://h", "http://other/y") == "http://other/y"


def test_cookies() -> None:
    assert parse_cookies(["a=1; Path=/", "b = two ; HttpOnly", "junk", "=x"]) == {"a": "1", "b": "two"}


@pytest.mark.parametrize(
    ("status", "method", "expected"),
    [
        (301, "GET", "GET"),
        (302, "POST", "GET"),
        (303, "DELETE", "GET"),
        (303, "HEAD", "HEAD"),
        (307, "POST", "POST"),
        (308, "PUT", "PUT"),
    ],
)
def test_redirect_methods(status: int, method: str, expected: str) -> None:
    headers = {"content-type": "application/json", "authorization": "Basic x"}
    step = redirect(method, "https://h/a", status, "/b", headers)
    assert step is not None
    assert step[:2] == (expected, "https://h/b")
    assert ("content-type" in step[2]) is step[3] is (status in (307, 308))
    assert step[2]["authorization"] == "Basic x"


def test_redirect_across_hosts_drops_credentials_but_an_upgrade_keeps_them() -> None:
    headers = {"authorization": "Bearer t", "cookie": "a=1", "accept": "*/*"}
    away = redirect("GET", "https://h/a", 302, "https://other/b", headers)
    assert away is not None and away[2] == {"accept": "*/*"}
    upgrade = redirect("GET", "http://h/a", 301, "https://h/a", headers)
    assert upgrade is not None and upgrade[2] == headers
    assert redirect("GET", "https://h/a", 200, "/b", headers) is None
    assert redirect("GET", "https://h/a", 302, "", headers) is None
