"""Values and requests: typed values (relative times, shorthand and JSON, choices, numbers), the
inventory query, body mapping, paging, encoding and the missing-value errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from c8ylink.core.errors import UsageError
from c8ylink.operator.api.build import RequestOptions, build_request
from c8ylink.operator.api.plan import RequestPlan, encode_query
from c8ylink.operator.api.shorthand import merge, parse_json_value
from c8ylink.operator.api.specs import alarms, devicemanagement, devices, identity, measurements
from c8ylink.operator.api.times import parse_datetime, relative_offset
from c8ylink.operator.api.values import convert_values

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def plan_of(spec: Any, raw: dict[str, Any], options: RequestOptions | None = None) -> RequestPlan:
    return build_request(spec, convert_values(spec, raw, NOW), options or RequestOptions())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": {"b": 1}}', {"a": {"b": 1}}),
        (
            "a.b=1,flag=true,off=false,gone=null,name=x y",
            {"a": {"b": 1}, "flag": True, "off": False, "gone": None, "name": "x y"},
        ),
        (
            "n=1.5,s='1.5',e={},l=[],j={\"k\":[1,2]}",
            {"n": 1.5, "s": "1.5", "e": {}, "l": [], "j": {"k": [1, 2]}},
        ),
        ("text='a,b',other=2", {"text": "a,b", "other": 2}),
        (
            "c8y_Temperature.T.value=21.5,c8y_Temperature.T.unit=C",
            {"c8y_Temperature": {"T": {"value": 21.5, "unit": "C"}}},
        ),
        ("", {}),
    ],
    ids=["json", "shorthand", "literals", "quoted-comma", "nested", "empty"],
)
def test_data(text: str, expected: dict[str, Any]) -> None:
    assert parse_json_value("data", text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1,}', "invalid JSON in --data: "),
        ("[1, 2]", "--data must be a JSON object, not a list"),
        ('{"a"', "invalid JSON in --data"),
        ("justtext", "invalid --data 'justtext': expected key=value"),
        ("a={bad", "invalid JSON in --data value '{bad'"),
    ],
    ids=["trailing-comma", "array", "truncated", "no-equals", "bad-nested"],
)
def test_bad_data_is_a_user_error_that_says_what_to_give(text: str, message: str) -> None:
    with pytest.raises(UsageError, match="^" + re.escape(message)) as caught:
        parse_json_value("data", text)
    assert caught.value.exit_code == 101
    assert "key=value pairs" in str(caught.value) or "JSON" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-10m", "2024-05-01T11:50:00.000Z"),
        ("+1h", "2024-05-01T13:00:00.000Z"),
        ("-7d", "2024-04-24T12:00:00.000Z"),
        ("-1h30m", "2024-05-01T10:30:00.000Z"),
        ("0s", "2024-05-01T12:00:00.000Z"),
        ("now", "2024-05-01T12:00:00.000Z"),
        ("-10min", "2024-05-01T11:50:00.000Z"),
        ("2024-01-01T00:00:00+01:00", "2024-01-01T00:00:00+01:00"),
        ("2024-01-01", "2024-01-01"),
    ],
)
def test_datetimes(text: str, expected: str) -> None:
    assert parse_datetime("dateFrom", text, NOW) == expected


def test_dates_and_bad_times() -> None:
    assert parse_datetime("dateFrom", "-1d", NOW, date_only=True) == "2024-04-30"
    assert relative_offset("yesterday") is None
    with pytest.raises(UsageError, match=r"invalid --dateFrom 'yesterday': use an ISO time"):
        parse_datetime("dateFrom", "yesterday", NOW)


def test_devices_list_query_as_go_c8y_cli_builds_it() -> None:
    plan = plan_of(
        devices.LIST,
        {
            "name": "sensor*",
            "type": "myType",
            "agents": True,
            "creationTimeDateFrom": "-7d",
            "group": ("12",),
        },
        RequestOptions(page_size=100, with_total_pages=True, current_page=2),
    )
    assert plan.method == "GET" and plan.path == "/inventory/managedObjects"
    assert dict(plan.query) == {
        "q": "$filter=(name eq 'sensor*') and (type eq 'myType') and has(com_cumulocity_model_Agent) and "
        "(creationTime.date ge '2024-04-24T12:00:00.000Z') and bygroupid(12) $orderby=name",
        "pageSize": "100",
        "currentPage": "2",
        "withTotalPages": "true",
    }
    assert plan.target.startswith("/inventory/managedObjects?q=$filter=(name%20eq%20'sensor*')%20and%20")
    assert plan.header("Accept") == "application/vnd.com.nsn.cumulocity.managedobjectcollection+json"


def test_query_template_and_raw_query() -> None:
    plan = plan_of(devices.LIST, {"query": "c8y_Linux", "queryTemplate": "type eq '%s'", "orderBy": "_id"})
    assert plan.query_value("q") == "$filter=type eq 'c8y_Linux' $orderby=_id"


def test_body_mapping_data_params_and_fixed_fragments() -> None:
    plan = plan_of(devices.CREATE, {"name": "d1", "type": "t", "data": "custom.a=1,name=ignored"})
    assert plan.body == {"custom": {"a": 1}, "name": "d1", "type": "t", "c8y_IsDevice": {}}
    assert plan.header("Content-Type") == "application/json"
    measurement = plan_of(measurements.CREATE, {"device": ("5",), "type": "T", "data": "x.y.value=1"})
    assert measurement.body == {
        "x": {"y": {"value": 1}},
        "source": {"id": "5"},
        "time": "2024-05-01T12:00:00.000Z",
        "type": "T",
    }


def test_encoding_of_path_and_query_values() -> None:
    plan = plan_of(identity.GET, {"name": "dev/1 ä"})
    assert plan.path == "/identity/externalIds/c8y_Serial/dev%2F1%20%C3%A4"
    assert (
        encode_query((("dateFrom", "2024-01-01T00:00:00+01:00"),)) == "dateFrom=2024-01-01T00:00:00%2B01:00"
    )


def test_lists_choices_and_switches() -> None:
    plan = plan_of(alarms.LIST, {"status": ("ACTIVE", "CLEARED,ACKNOWLEDGED"), "resolved": True})
    assert plan.query_value("status") == "ACTIVE,CLEARED,ACKNOWLEDGED"
    assert plan.query_value("resolved") == "true"
    with pytest.raises(UsageError, match="invalid --status 'OPEN': use one of ACTIVE, ACKNOWLEDGED, CLEARED"):
        plan_of(alarms.LIST, {"status": ("OPEN",)})


@pytest.mark.parametrize(
    ("spec", "raw", "message"),
    [
        (devices.GET, {}, "missing --id (device id or name): give it or pipe it"),
        (alarms.CREATE, {"device": ("1",), "type": "t", "severity": "MAJOR"}, "missing --text"),
        (devices.CREATE, {}, "missing name in the body: give --name or --data name=..."),
        (devicemanagement.CREATE, {"tenant": "t1", "name": "x"}, "missing certInPemFormat in the body"),
    ],
    ids=["path", "required-body", "body-required", "certificate"],
)
def test_missing_values(spec: Any, raw: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match="^" + re.escape(message)) as caught:
        plan_of(spec, raw)
    assert caught.value.exit_code == 101


def test_custom_headers_query_and_no_accept() -> None:
    options = RequestOptions(
        headers=("X-A: 1",), custom_query=("a=1,b=2",), no_accept=True, processing_mode="QUIESCENT"
    )
    plan = plan_of(devices.UPDATE, {"id": ("1",), "newName": "n"}, options)
    assert dict(plan.headers) == {
        "Content-Type": "application/json",
        "X-Cumulocity-Processing-Mode": "QUIESCENT",
        "X-A": "1",
    }
    assert plan.query == (("a", "1"), ("b", "2"))
    with pytest.raises(UsageError, match="invalid --header 'nocolon'"):
        plan_of(devices.GET, {"id": ("1",)}, RequestOptions(headers=("nocolon",)))


def test_merge_is_deep() -> None:
    assert merge({"a": {"b": 1, "c": 2}}, {"a": {"b": 3}, "d": 4}) == {"a": {"b": 3, "c": 2}, "d": 4}
