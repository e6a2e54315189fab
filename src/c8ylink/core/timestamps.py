"""Timestamps on the wire: strict RFC 3339 parsing (``+hhmm`` offsets too) and one output format.

Cumulocity and thin-edge exchange times as ISO-8601 strings with an offset; thin-edge also accepts a
Unix timestamp (seconds, possibly fractional) in its JSON. Both sides of c8ylink parse and format
through these functions so that a time read on one side prints the same on the other.

- ``parse_timestamp("2021-10-23T19:03:26+0100")`` -> an aware ``datetime``; a date without time, a
  missing offset or any other shape raises ``ProtocolError``.
- ``timestamp_from_unix(1700000000.5)`` -> an aware UTC ``datetime``.
- ``format_timestamp(dt)`` -> ``2026-01-01T00:00:00.000Z`` style (UTC, milliseconds: Cumulocity's
  own precision).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from c8ylink.core.errors import ProtocolError

_RFC3339 = re.compile(
    r"""
    (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})
    [Tt]
    (?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})
    (?:\.(?P<fraction>[0-9]{1,9}))?
    (?P<offset>[Zz]|[+-][0-9]{2}:?[0-9]{2})
    """,
    re.VERBOSE,
)

# year 1 .. 9999 as Unix seconds: what a datetime can hold
_MIN_UNIX = -62135596800.0
_MAX_UNIX = 253402300799.0


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp (``Z``, ``+hh:mm`` or ``+hhmm`` offset; up to 9 fraction digits)."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ProtocolError(f"Invalid timestamp '{text}': expected RFC 3339, e.g. 2021-10-23T19:03:26+01:00")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    offset = match["offset"].upper()
    if offset != "Z" and ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    if offset == "Z":
        offset = "+00:00"
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    if hours > 23 or minutes > 59:
        raise ProtocolError(f"Invalid timestamp '{text}': offset out of range")
    try:
        return datetime.fromisoformat(f"{match['date']}T{match['time']}.{fraction}{offset}")
    except ValueError as exc:
        raise ProtocolError(f"Invalid timestamp '{text}': {exc}") from exc


def timestamp_from_unix(seconds: float) -> datetime:
    """A Unix time in seconds (int or float) as an aware UTC datetime."""
    if isinstance(seconds, bool) or not math.isfinite(seconds) or not _MIN_UNIX <= seconds <= _MAX_UNIX:
        raise ProtocolError(f"Invalid Unix timestamp: {seconds!r}")
    return datetime.fromtimestamp(seconds, UTC)


def format_timestamp(moment: datetime) -> str:
    """``moment`` in UTC as ``YYYY-MM-DDTHH:MM:SS.mmmZ``; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def format_service_time(moment: datetime, time_format: str) -> float | str:
    """The ``time`` of a service's health message (``service.timestamp_format``): Unix seconds with
    milliseconds (``unix``) or RFC 3339 text (``rfc-3339``)."""
    if time_format == "rfc-3339":
        return format_timestamp(moment)
    return round(moment.timestamp(), 3)
