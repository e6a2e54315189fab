"""``--dry --dryFormat``: each format compared with the examples of upstream's dry-run page
(``c8y devices create --name device001`` and ``c8y alarms list --severity CRITICAL --status ACTIVE``)."""

from __future__ import annotations

import json

from c8ylink.operator.api.dry import query_pairs, render_dry
from c8ylink.operator.api.plan import RequestPlan

HOST = "https://example.com"
CREATE = RequestPlan(
    "POST",
    "/inventory/managedObjects",
    body={"c8y_IsDevice": {}, "name": "device001"},
    headers=(("Accept", "application/json"), ("Content-Type", "application/json")),
)
LIST = RequestPlan(
    "GET",
    "/alarm/alarms",
    (("status", "ACTIVE"), ("severity", "CRITICAL"), ("dateFrom", "2021-04-18T16:54:45.362Z")),
    headers=(("Accept", "application/json"),),
)
SHELL = (
    "curl -X 'POST' -d '{\"c8y_IsDevice\":{},\"name\":\"device001\"}' -H 'Accept: application/json' "
    "-H 'Authorization: Basic {base64 tenant/username:password}' -H 'Content-Type: application/json' "
    "'https://example.com/inventory/managedObjects'"
)
POWERSHELL = SHELL.replace('"', '\\"')


def test_json_as_upstream_prints_it_field_by_field() -> None:
    document = json.loads(render_dry(CREATE, HOST, "basic", "json", compact=False))
    assert document == {
        "url": "https://example.com/inventory/managedObjects",
        "host": "https://example.com",
        "pathEncoded": "/inventory/managedObjects",
        "path": "/inventory/managedObjects",
        "method": "POST",
        "headers": {
            "Accept": "application/json",
            "Authorization": "Basic {base64 tenant/username:password}",
            "Content-Type": "application/json",
        },
        "body": {"c8y_IsDevice": {}, "name": "device001"},
        "shell": SHELL,
        "powershell": POWERSHELL,
    }
    assert list(document) == ["url", "host", "pathEncoded", "path", "method", "headers", "body", "shell",
                              "powershell"]  # fmt: skip


def test_json_query_is_the_decoded_sorted_query_and_no_body_is_left_out() -> None:
    document = json.loads(render_dry(LIST, HOST, "basic", "json", compact=True))
    assert document["query"] == "dateFrom=2021-04-18T16:54:45.362Z&severity=CRITICAL&status=ACTIVE"
    assert document["pathEncoded"] == (
        "/alarm/alarms?dateFrom=2021-04-18T16:54:45.362Z&severity=CRITICAL&status=ACTIVE"
    )
    assert "body" not in document
    assert query_pairs(document) == {
        "dateFrom": "2021-04-18T16:54:45.362Z", "severity": "CRITICAL", "status": "ACTIVE",
    }  # fmt: skip
    spaced = RequestPlan("GET", "/inventory/managedObjects", (("query", "name eq 'a b'"),))
    assert json.loads(render_dry(spaced, HOST, "", "json", compact=True))["query"] == "query=name eq 'a b'"
    without = json.loads(render_dry(RequestPlan("GET", "/alarm/alarms"), HOST, "", "json", compact=True))
    assert "query" not in without and "body" not in without


def test_markdown() -> None:
    text = render_dry(LIST, HOST, "basic", "markdown", compact=True)
    assert text.splitlines()[:9] == [
        "What If: Sending [GET] request to [https://example.com/alarm/alarms?dateFrom=2021-04-18T16:54:45.362Z"
        "&severity=CRITICAL&status=ACTIVE]",
        "",
        "### GET /alarm/alarms?dateFrom=2021-04-18T16:54:45.362Z&severity=CRITICAL&status=ACTIVE",
        "",
        "| header            | value",
        "|-------------------|---------------------------",
        "| Accept            | application/json",
        "| Authorization     | Basic {base64 tenant/username:password}",
        "",
    ]
    created = render_dry(CREATE, HOST, "basic", "markdown", compact=True)
    assert '#### Body\n\n```json\n{\n  "c8y_IsDevice": {},\n  "name": "device001"\n}\n```' in created


def test_dump() -> None:
    text = render_dry(CREATE, HOST, "basic", "dump", compact=True)
    assert text.splitlines()[:7] == [
        "POST /inventory/managedObjects HTTP/1.1",
        "Host: example.com",
        "Accept: application/json",
        "Authorization: Basic {base64 tenant/username:password}",
        "Content-Type: application/json",
        "",
        '{"c8y_IsDevice":{},"name":"device001"}',
    ]


def test_curl_prints_shell_and_powershell_and_powershell_alone() -> None:
    text = render_dry(CREATE, HOST, "basic", "curl", compact=True)
    assert text == (
        f"##### Curl (shell)\n\n```sh\n{SHELL}\n```\n\n"
        f"##### Curl (PowerShell)\n\n```powershell\n{POWERSHELL}\n```\n\n"
    )
    assert render_dry(CREATE, HOST, "basic", "powershell", compact=True) == (
        f"##### Curl (PowerShell)\n\n```powershell\n{POWERSHELL}\n```\n\n"
    )


def test_a_quote_in_a_value_stays_one_shell_word() -> None:
    plan = RequestPlan("POST", "/event/events", body={"text": "it's"})
    assert '-d \'{"text":"it\'"\'"\'s"}\'' in render_dry(plan, HOST, "", "curl", compact=True)
