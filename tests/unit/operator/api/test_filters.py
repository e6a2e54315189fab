"""``--filter``: go-c8y-cli's client-side filter expressions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from c8ylink.core.errors import UsageError
from c8ylink.operator.api.filters import Filter, filter_items, matches, parse_filter, parse_filters

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

DEVICE: dict[str, Any] = {
    "id": "12345",
    "name": "sensor-01",
    "type": "c8y_Linux",
    "owner": "device_sensor-01",
    "c8y_IsDevice": {},
    "creationTime": "2024-04-30T12:00:00.000Z",
    "lastUpdated": "2024-05-01T11:55:00.000+02:00",
    "c8y_Hardware": {"serialNumber": "SN-100", "model": "RPi 4"},
    "c8y_SupportedOperations": ["c8y_Restart", "c8y_Firmware"],
    "c8y_Firmware": {"version": "1.10.2"},
    "battery": 87,
    "temperature": 21.5,
    "active": True,
}


def passes(text: str, item: Any = None) -> bool:
    return matches(DEVICE if item is None else item, parse_filters([text]), NOW)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name like sensor*", True),
        ("name like SENSOR*", True),  # case-insensitive
        ("name like sens", False),  # whole value
        ("name like *-0?", False),  # only * is a wildcard
        ("name like sensor-01", True),
        ("name -like sensor*", True),
        ("name notlike sensor*", False),
        ("name notlike other*", True),
        ("name match ^sens.*\\d$", True),
        ("name match OR-0", True),  # found anywhere, case-insensitive
        ("name notmatch ^dev", True),
        ("type eq c8y_Linux", True),
        ("type eq c8y_linux", False),
        ("type neq c8y_Linux", False),
        ("type = c8y_Linux", True),
        ("type != c8y_Linux", False),
        ("id eq 12345", True),  # a number given, a text stored: compared as text
        ("id gt 12000", True),
        ("battery gt 80", True),
        ("battery gte 87", True),
        ("battery lt 87", False),
        ("battery lte 87", True),
        ("battery > 86", True),
        ("battery >= 88", False),
        ("battery < 100", True),
        ("battery <= 86", False),
        ("temperature gt 21.4", True),
        ("temperature eq 21.5", True),
        ("active eq true", True),
        ("active eq false", False),
        ("active neq false", True),
        ("c8y_Hardware.serialNumber eq SN-100", True),
        ("C8Y_HARDWARE.SERIALNUMBER eq SN-100", True),  # paths are case-insensitive
        ("c8y_Hardware.model eq 'RPi 4'", True),  # quoted text with a space
        ('c8y_Hardware.model eq "RPi 4"', True),
        ("c8y_SupportedOperations.0 eq c8y_Restart", True),
        ("c8y_SupportedOperations leneq 2", True),
        ("c8y_SupportedOperations lengt 2", False),
        ("c8y_SupportedOperations lengte 2", True),
        ("c8y_SupportedOperations lenlt 3", True),
        ("c8y_SupportedOperations lenlte 1", False),
        ("c8y_SupportedOperations lenneq 2", False),
        ("name leneq 9", True),  # the length of a text
        ("c8y_Hardware leneq 2", True),  # the number of properties
        ("has c8y_IsDevice", True),
        ("has c8y_IsAgent", False),
        ("nothas c8y_IsAgent", True),
        ("nothas c8y_IsDevice", False),
        ("hasnot c8y_IsAgent", True),
        ("missing c8y_IsAgent", True),
        ("has c8y_Hardware.serialNumber", True),
        ("has c8y_Hardware.imei", False),
        ("c8y_Hardware has serialNumber", True),
        ("creationTime datelt -12h", True),
        ("creationTime datelt -2d", False),
        ("creationTime dategt -2d", True),
        ("creationTime dategte 2024-04-30T12:00:00Z", True),
        ("creationTime datelte 2024-04-30T12:00:00Z", True),
        ("creationTime dategt 2024-04-30T12:00:00Z", False),
        ("lastUpdated dategt 2024-05-01T10:00:00Z", False),  # 09:55 UTC, the offset counts
        ("lastUpdated olderthan -1h", True),
        ("lastUpdated newerthan -1h", False),
        ("name contains sor-", True),
        ("name startsWith sensor", True),
        ("name endsWith 02", False),
        ("type in c8y_Linux,c8y_Windows", True),
        ("type notIn c8y_Linux,c8y_Windows", False),
        ("c8y_Firmware.version version >=1.9.0", True),  # 1.10 > 1.9: compared as versions
        ("c8y_Firmware.version version >=1.0,<1.10", False),
        ("c8y_Firmware.version version ~>1.10.0", True),
        ("missingProperty eq x", False),  # a property that does not exist matches nothing
        ("missingProperty neq x", False),
        ("name eq 12", False),
    ],
)
def test_filter(text: str, expected: bool) -> None:
    assert passes(text) is expected


def test_parse_keeps_the_path_operator_and_typed_value() -> None:
    assert parse_filter("battery gt 80") == Filter("battery", "gt", 80, "battery gt 80")
    assert parse_filter("temperature lt 2.5").value == 2.5
    assert parse_filter("id eq '80'").value == "80"
    assert parse_filter("active eq true").value is True
    assert parse_filter("has c8y_IsDevice") == Filter("", "keyin", "c8y_IsDevice", "has c8y_IsDevice")
    assert parse_filter("name like 123*").value == "123*"


def test_several_filters_all_hold() -> None:
    items = [{"name": "a1", "n": 1}, {"name": "a2", "n": 2}, {"name": "b3", "n": 3}]
    assert filter_items(items, parse_filters(["name like a*", "n gt 1"]), NOW) == [{"name": "a2", "n": 2}]
    assert filter_items(items, parse_filters([]), NOW) == items


@pytest.mark.parametrize(
    "text",
    ["name resembles sensor", "name", "like sensor*", "battery gt", "name leneq x", "name match (", ""],
)
def test_bad_filters_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        matches(DEVICE, parse_filters([text]) if text else (parse_filter(text),), NOW)
    assert caught.value.exit_code == 101
    assert "--filter" in str(caught.value)


def test_a_date_filter_that_is_not_a_date_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not a date"):
        passes("creationTime datelt yesterday")
