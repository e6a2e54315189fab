"""The inventory query language subset."""

from __future__ import annotations

from typing import Any

import pytest

from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.query import parse_query

DEVICE: dict[str, Any] = {
    "id": "7",
    "name": "Pump 12",
    "type": "c8y_MQTTDevice",
    "c8y_IsDevice": {},
    "c8y_Availability": {"status": "AVAILABLE"},
    "c8y_SupportedOperations": ["c8y_Restart", "c8y_Command"],
    "count": 3,
    "ratio": 1.5,
    "active": True,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name eq 'Pump 12'", True),
        ("$filter=(name eq 'Pump 12')", True),
        ("name eq 'Pump*'", True),
        ("name eq 'pump*'", False),
        ("name ne 'Pump 12'", False),
        ("has(c8y_IsDevice)", True),
        ("has(c8y_IsDeviceGroup)", False),
        ("hasany(c8y_IsDeviceGroup,c8y_IsDevice)", True),
        ("not(has(c8y_IsDevice))", False),
        ("c8y_Availability.status eq 'AVAILABLE'", True),
        ("c8y_SupportedOperations eq 'c8y_Restart'", True),
        ("type eq 'c8y_MQTTDevice' and name eq 'Other'", False),
        ("type eq 'c8y_MQTTDevice' or name eq 'Other'", True),
        ("(name eq 'x' or name eq 'Pump 12') and has(c8y_IsDevice)", True),
        ("count gt 2 and count le 3", True),
        ("ratio ge 1.5d", True),
        ("ratio lt 1.5f", False),
        ("active eq true", True),
        ("missing eq 'x'", False),
        ("name eq 'it''s'", False),
        ("bygroupid(42)", True),
        ("bygroupid(99)", False),
        ("type eq c8y_MQTTDevice", True),
    ],
)
def test_filters_match_like_cumulocity(text: str, expected: bool) -> None:
    query = parse_query(text, groups=lambda object_id: ["42"] if object_id == "7" else [])
    assert query.matches(DEVICE) is expected


def test_orderby_sorts_and_keeps_the_filter() -> None:
    docs = [
        {"id": "1", "name": "b", "n": 2},
        {"id": "2", "name": "a", "n": 2},
        {"id": "3", "name": "c", "n": 1},
    ]
    query = parse_query("$filter=(n ge 1) $orderby=n desc, name asc")
    assert [d["id"] for d in query.sort([d for d in docs if query.matches(d)])] == ["2", "1", "3"]
    assert parse_query("$orderby=name").predicate is None


@pytest.mark.parametrize(
    "text",
    ["name eq", "name foo 'x'", "(name eq 'x'", "name eq 'x')", "name eq and", "$select=name", "has(a,b)"],
)
def test_malformed_queries_are_422(text: str) -> None:
    with pytest.raises(TenantApiError) as caught:
        parse_query(text)
    assert caught.value.status == 422
    assert "Invalid query" in caught.value.message
