"""Timestamps as both Cumulocity and thin-edge write them, and the ones we refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.errors import ProtocolError
from c8ylink.core.timestamps import format_timestamp, parse_timestamp, timestamp_from_unix

VALID = [
    ("colon offset", "2016-06-22T17:03:14.000+02:00", datetime(2016, 6, 22, 15, 3, 14, tzinfo=UTC)),
    (
        "offset without colon (platform 522)",
        "2021-10-23T19:03:26+0100",
        datetime(2021, 10, 23, 18, 3, 26, tzinfo=UTC),
    ),
    ("Z", "2023-01-25T18:41:14Z", datetime(2023, 1, 25, 18, 41, 14, tzinfo=UTC)),
    ("nanoseconds", "2023-01-25T18:41:14.776170774Z", datetime(2023, 1, 25, 18, 41, 14, 776170, tzinfo=UTC)),
    ("lower case", "2023-01-25t18:41:14z", datetime(2023, 1, 25, 18, 41, 14, tzinfo=UTC)),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_rfc3339_timestamps_parse(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


INVALID = [
    ("date only", "2021-10-23"),
    ("no offset", "2021-10-23T19:03:26"),
    ("space separator", "2021-10-23 19:03:26Z"),
    ("no seconds", "2021-10-23T19:03Z"),
    ("month 13", "2021-13-23T19:03:26Z"),
    ("offset hours 24", "2021-10-23T19:03:26+24:00"),
    ("words", "yesterday"),
    ("empty", ""),
]


@pytest.mark.parametrize("text", [c[1] for c in INVALID], ids=[c[0] for c in INVALID])
def test_other_shapes_are_refused(text: str) -> None:
    with pytest.raises(ProtocolError, match="Invalid timestamp"):
        parse_timestamp(text)


def test_unix_timestamps() -> None:
    assert timestamp_from_unix(1700000000) == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert timestamp_from_unix(1.5).microsecond == 500000
    for bad in (float("nan"), float("inf"), 1e20, True):
        with pytest.raises(ProtocolError):
            timestamp_from_unix(bad)


def test_format_is_utc_with_milliseconds() -> None:
    moment = datetime(2026, 1, 1, 13, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert format_timestamp(moment) == "2026-01-01T12:00:00.123Z"


@given(st.datetimes(timezones=st.just(UTC)))
def test_formatted_timestamps_parse_back_to_the_millisecond(moment: datetime) -> None:
    assert parse_timestamp(format_timestamp(moment)) == moment.replace(
        microsecond=moment.microsecond // 1000 * 1000
    )
