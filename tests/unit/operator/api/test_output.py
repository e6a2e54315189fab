"""What reaches stdout: --select (dot paths, globs, globstar, list indexes, alias:path), views, every
output format, the warning for a selection that matched nothing; --dry with the Authorization masked;
the CA registration's one-time password and CSV."""

from __future__ import annotations

import io
import json
import random
import string
from typing import Any

import pytest

from c8ylink.core.errors import UsageError
from c8ylink.infra.output.select import nest_selected, parse_selection, select_nodes
from c8ylink.operator.api.dry import render_dry
from c8ylink.operator.api.output import OutputOptions, Printer, check_view
from c8ylink.operator.api.plan import RequestPlan
from c8ylink.operator.api.register_ca import SYMBOLS, build_csv, check_otp, failure_message, generate_otp

DEVICE: dict[str, Any] = {
    "id": "7",
    "name": "sensor 1",
    "type": "c8y_Linux",
    "c8y_IsDevice": {},
    "c8y_Hardware": {"serialNumber": "A1", "model": "pi"},
    "c8y_SupportedOperations": ["c8y_Restart", "c8y_Command"],
    "c8y_Availability": {"status": "AVAILABLE"},
    "owner": "admin",
    "lastUpdated": "2024-01-01T00:00:00Z",
    "self": "https://h/inventory/managedObjects/7",
}


def columns(patterns: str) -> list[str]:
    return [node.column for node in select_nodes(DEVICE, parse_selection([patterns]))]


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        ("id,name", ["id", "name"]),
        ("ID,Name", ["id", "name"]),
        ("c8y_Hardware.serialNumber", ["c8y_Hardware.serialNumber"]),
        ("**.serialNumber", ["c8y_Hardware.serialNumber"]),
        ("c8y_Hard*", ["c8y_Hardware"]),
        ("c8y_*.model", ["c8y_Hardware.model"]),
        ("sn:**.serial*", ["sn"]),
        ("c8y_SupportedOperations.1", ["c8y_SupportedOperations.1"]),
        ("nam?", ["name"]),
        ("nothing", []),
    ],
)
def test_select_patterns(patterns: str, expected: list[str]) -> None:
    assert columns(patterns) == expected


def test_select_keeps_whole_nodes_and_nests_for_json() -> None:
    nodes = select_nodes(DEVICE, parse_selection(["id", "c8y_Hardware", "sn:c8y_Hardware.serialNumber"]))
    assert nest_selected(nodes) == {
        "id": "7",
        "c8y_Hardware": {"serialNumber": "A1", "model": "pi"},
        "sn": "A1",
    }


def printed(items: list[dict[str, Any]], **options: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    printer = Printer(OutputOptions(**options), out, err)
    printer.items(items[:1])
    printer.items(items[1:])
    printer.close()
    return out.getvalue(), err.getvalue()


OTHER = {**DEVICE, "id": "8", "name": "b,c"}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"format": "json"},
            json.dumps(DEVICE, separators=(",", ":"))
            + "\n"
            + json.dumps(OTHER, separators=(",", ":"))
            + "\n",
        ),
        (
            {"format": "json", "select": ("id,name",)},
            '{"id":"7","name":"sensor 1"}\n{"id":"8","name":"b,c"}\n',
        ),
        ({"format": "json", "select": ("id",), "compact": False}, '{\n  "id": "7"\n}\n{\n  "id": "8"\n}\n'),
        ({"format": "csv", "select": ("id,name",)}, '7,sensor 1\n8,"b,c"\n'),
        ({"format": "csvheader", "select": ("id,name",)}, 'id,name\n7,sensor 1\n8,"b,c"\n'),
        ({"format": "tsv", "select": ("id,c8y_Hardware.model",)}, "7\tpi\n8\tpi\n"),
        (
            {"format": "table", "select": ("id,name",)},
            "| id | name     |\n|----|----------|\n| 7  | sensor 1 |\n| 8  | b,c      |\n",
        ),
        (
            {"format": "table", "view": "auto"},
            "| id | name     | type      | owner | lastUpdated          | c8y_Availability.status |\n"
            "|----|----------|-----------|-------|----------------------|-------------------------|\n"
            "| 7  | sensor 1 | c8y_Linux | admin | 2024-01-01T00:00:00Z | AVAILABLE               |\n"
            "| 8  | b,c      | c8y_Linux | admin | 2024-01-01T00:00:00Z | AVAILABLE               |\n",
        ),
        (
            {"format": "json", "flatten": True, "select": ("c8y_Hardware",)},
            '{"c8y_Hardware.serialNumber":"A1","c8y_Hardware.model":"pi"}\n' * 2,
        ),
    ],
    ids=[
        "json-lines",
        "json-select",
        "json-pretty",
        "csv",
        "csvheader",
        "tsv",
        "table",
        "table-view",
        "flatten",
    ],
)
def test_formats(options: dict[str, Any], expected: str) -> None:
    out, err = printed([DEVICE, OTHER], **options)
    assert out == expected and err == ""


def test_a_selection_that_matches_nothing_is_reported_once() -> None:
    out, err = printed([DEVICE, OTHER], select=("id,nmae",))
    assert out == '{"id":"7"}\n{"id":"8"}\n'
    assert err == (
        "warning: --select 'nmae' matched no property (the first result has: id, name, type, c8y_IsDevice, "
        "c8y_Hardware, c8y_SupportedOperations, c8y_Availability, owner, lastUpdated, self)\n"
    )


def test_unknown_view() -> None:
    assert check_view("device") == "device"
    with pytest.raises(UsageError, match="unknown --view 'fancy': use one of auto, off, device"):
        check_view("fancy")


def test_dry_masks_the_authorization_and_shows_the_request() -> None:
    plan = RequestPlan(
        "POST",
        "/inventory/managedObjects",
        (("a", "x y"),),
        {"name": "n"},
        (("Accept", "application/json"), ("Content-Type", "application/json")),
    )
    document = json.loads(render_dry(plan, "https://t1.example.com", "basic", "json", compact=True))
    assert document["url"] == "https://t1.example.com/inventory/managedObjects?a=x%20y"
    assert document["headers"]["Authorization"] == "Basic {base64 tenant/username:password}"
    assert (document["method"], document["path"], document["query"], document["body"]) == (
        "POST",
        "/inventory/managedObjects",
        "a=x y",  # decoded, as upstream shows it
        {"name": "n"},
    )
    markdown = render_dry(plan, "https://t1.example.com", "bearer", "markdown", compact=True)
    assert markdown.startswith("What If: Sending [POST] request to [https://t1.example.com/inventory/")
    assert "| Authorization     | Bearer {token}" in markdown and '"name": "n"' in markdown
    assert render_dry(plan, "", "", "dump", compact=True).startswith(
        "POST /inventory/managedObjects?a=x%20y HTTP/1.1\n"
    )
    assert "curl -X 'POST' -d '{\"name\":\"n\"}'" in render_dry(plan, "", "", "curl", compact=True)


@pytest.mark.parametrize("seed", range(50))
def test_generated_one_time_passwords_follow_the_rules(seed: int) -> None:
    otp = generate_otp(random.Random(seed))
    assert len(otp) == 32 and len(set(otp)) == 32
    assert sum(c.isdigit() for c in otp) >= 2 and sum(c in SYMBOLS for c in otp) >= 2
    assert any(c in string.ascii_lowercase for c in otp) and any(c in string.ascii_uppercase for c in otp)
    assert not set(otp) & set('"#\t\n ') and check_otp(otp) == otp


@pytest.mark.parametrize("otp", ["short", "x" * 33, 'has"quote12', "has#hash123", "tab\there123"])
def test_bad_one_time_passwords(otp: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_otp(otp)
    assert caught.value.exit_code == 101


def test_registration_csv_has_only_the_given_columns() -> None:
    values = {
        "type": "thin-edge.io",
        "external-type": "c8y_Serial",
        "group": "eu/berlin",
        "data": {"a": {"b": 1}},
    }
    assert build_csv(values, "dev-1", "Otp-12345678").splitlines() == [
        "ID\tAUTH_TYPE\tENROLLMENT_OTP\tNAME\tTYPE\tIDTYPE\tPATH\ta.b\tcom_cumulocity_model_Agent.active",
        "dev-1\tCERTIFICATES\tOtp-12345678\tdev-1\tthin-edge.io\tc8y_Serial\teu/berlin\t1\ttrue",
    ]
    answer = {"numberOfFailed": 1, "failedCreationList": [{"deviceId": "dev-1", "failureReason": "exists"}]}
    assert (
        failure_message(answer)
        == "bulk registration has some failures. failed=1, reasons=[id=dev-1, reason=exists]"
    )
    assert failure_message({"numberOfFailed": 0}) is None
