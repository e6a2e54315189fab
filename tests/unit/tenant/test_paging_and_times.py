"""Paging parameters and date-times (cumulocity-api.md §3.0, §4.2 rules 12 and 15)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.paging import PageRequest, paginate, parse_page_request
from c8ylink.tenant.state.times import format_time, parse_time


def test_paging_defaults_to_five_from_page_one() -> None:
    assert parse_page_request({}) == PageRequest(5, 1, False, False)


def test_page_size_is_clamped_to_2000() -> None:
    assert parse_page_request({"pageSize": "5000"}).page_size == 2000


@pytest.mark.parametrize(
    "params",
    [
        {"pageSize": "abc"},
        {"pageSize": "-1"},
        {"pageSize": "0"},
        {"currentPage": "0"},
        {"currentPage": "x"},
        {"withTotalPages": "yes"},
        {"withTotalElements": "1"},
    ],
    ids=[
        "size-text",
        "size-negative",
        "size-zero",
        "page-zero",
        "page-text",
        "total-pages-yes",
        "total-el-1",
    ],
)
def test_bad_paging_values_are_422(params: dict[str, str]) -> None:
    with pytest.raises(TenantApiError) as caught:
        parse_page_request(params)
    assert caught.value.status == 422


def test_statistics_show_totals_only_on_request() -> None:
    items = list(range(12))
    plain = paginate(items, parse_page_request({"pageSize": "5", "currentPage": "3"}))
    assert plain.items == [10, 11]
    assert plain.statistics() == {"currentPage": 3, "pageSize": 5}
    full = paginate(items, parse_page_request({"withTotalPages": "true", "withTotalElements": "TRUE"}))
    assert full.statistics() == {"currentPage": 1, "pageSize": 5, "totalPages": 3, "totalElements": 12}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T10:00:00Z", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        (
            "2024-03-01T10:00:00.123+01:00",
            datetime(2024, 3, 1, 10, 0, 0, 123000, timezone(timedelta(hours=1))),
        ),
        ("2021-10-23T19:03:26+0100", datetime(2021, 10, 23, 19, 3, 26, tzinfo=timezone(timedelta(hours=1)))),
        (
            "2024-03-01T10:00-05:30",
            datetime(2024, 3, 1, 10, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
        ),
    ],
)
def test_times_with_a_timezone_parse(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2024-03-01T10:00:00", "2024-03-01", "2024-03-01T10:00:00 01:00", "yesterday", "2024-13-01T00:00:00Z"],
)
def test_times_without_a_timezone_or_malformed_are_422(text: str) -> None:
    with pytest.raises(TenantApiError) as caught:
        parse_time(text, "dateFrom")
    assert caught.value.status == 422
    assert "dateFrom" in caught.value.message


def test_server_times_are_utc_with_milliseconds() -> None:
    moment = datetime(2020, 3, 19, 13, 16, 31, 586999, timezone(timedelta(hours=1)))
    assert format_time(moment) == "2020-03-19T12:16:31.586Z"
