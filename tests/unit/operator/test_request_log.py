"""``--verbose``/``--debug``: the request log never holds a credential."""

from __future__ import annotations

import io

from c8ylink.infra.net.response import HttpResponse
from c8ylink.infra.net.transport import MemoryTransport, Reply, Request
from c8ylink.operator.request_log import LoggedTransport, mask_body, mask_header, render_request


def test_masks() -> None:
    assert mask_header("Authorization", "Basic dDEvYTpi") == "Basic {base64 tenant/username:password}"
    assert mask_header("authorization", "Bearer eyJ.x.y") == "Bearer {token}"
    assert mask_header("Cookie", "authorization=eyJ") == "********"
    assert mask_header("X-XSRF-TOKEN", "abc") == "********"
    assert mask_header("Accept", "application/json") == "application/json"
    assert mask_body({"username": "u", "password": "p", "a": [{"client_secret": "s"}], "tfa_code": "1"}) == {
        "username": "u", "password": "********", "a": [{"client_secret": "********"}], "tfa_code": "********",
    }  # fmt: skip


def test_verbose_and_debug_lines() -> None:
    text = render_request("GET", "https://h/x", {"Authorization": "Basic dDEvYTpi"}, {"a": 1})
    assert text == (
        "INFO  Sending request: GET https://h/x\n"
        "INFO  Request header: Authorization: Basic {base64 tenant/username:password}\n"
    )
    assert 'DEBUG  Request body: {"a": 1}\n' in render_request("GET", "https://h/x", {}, {"a": 1}, debug=True)


def test_logged_transport_logs_both_ways_without_secrets() -> None:
    def answer(request: Request) -> Reply:
        return Reply.json({"access_token": "SECRET-TOKEN", "id": "1"}, status=200)

    err = io.StringIO()
    ticks = iter([1.0, 1.25])
    http = LoggedTransport(
        MemoryTransport(answer, base_url="https://h"), err, debug=True, base_url="https://h",
        clock=lambda: next(ticks),
    )  # fmt: skip
    response: HttpResponse = http.request(
        "POST", "/tenant/oauth/token", data={"username": "u", "password": "PASSWORD-1"},
        headers={"Authorization": "Basic dTpQQVNTV09SRC0x"},
    )  # fmt: skip
    assert response.status == 200
    log = err.getvalue()
    assert "Sending request: POST https://h/tenant/oauth/token" in log
    assert "Status code: 200" in log and "Response time: 250ms" in log
    assert '"id": "1"' in log
    for secret in ("PASSWORD-1", "SECRET-TOKEN", "dTpQQVNTV09SRC0x"):
        assert secret not in log
