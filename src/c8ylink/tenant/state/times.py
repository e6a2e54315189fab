"""Cumulocity date-times: ISO-8601 with a mandatory timezone in, ``2020-03-19T12:16:31.586Z`` out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from c8ylink.tenant.state.errors import TenantApiError, validation_error

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)$"
)


def parse_time(value: object, field: str = "time") -> datetime:
    """A timezone-aware datetime, or 422 naming ``field`` (a missing zone is an error, not UTC)."""
    if not isinstance(value, str):
        raise validation_error(f"{field} must be a date-time string with a timezone")
    match = _ISO.match(value.strip())
    if match is None:
        raise _bad_time(field, value)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        micros = int((fraction or "0")[:6].ljust(6, "0"))
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            micros,
            tzinfo=_zone(zone),
        )
    except ValueError as exc:
        raise _bad_time(field, value) from exc
    return parsed


def _zone(text: str) -> tzinfo:
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _bad_time(field: str, value: str) -> TenantApiError:
    return validation_error(
        f"{field}: '{value}' is not a valid date-time; use ISO-8601 with a timezone, "
        "e.g. 2024-01-01T12:00:00.000Z (encode '+' as %2B in query strings)"
    )


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NO_ZONE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?$")


def parse_query_time(value: str, field: str) -> datetime:
    """A time bound of a query (``dateFrom``...): as ``parse_time``, but a date alone (midnight) or a
    date-time without zone is taken as UTC, as Cumulocity does for range queries."""
    text = value.strip()
    if _DATE_ONLY.match(text):
        text += "T00:00:00Z"
    elif _NO_ZONE.match(text):
        text += "Z"
    return parse_time(text, field)


def format_time(moment: datetime) -> str:
    """UTC with milliseconds and a ``Z``: ``2020-03-19T12:16:31.586Z``."""
    utc = moment.astimezone(UTC)
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"  # without its "+00:00"


def normalize_time(value: object, field: str = "time") -> str:
    """Validate a client-supplied time and return it in the canonical server form."""
    return format_time(parse_time(value, field))
