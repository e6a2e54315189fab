"""``datetime`` and ``date`` parameters: ISO times as given, or relative to now (go-c8y-cli's
``-10m``, ``+1h``, ``-7d``, ``-1h30m``, ``0s``, ``now``). Relative times are rendered in UTC with
milliseconds (``2024-05-01T10:00:00.000Z``), which needs no ``+`` in a query string. Pure: ``now`` is a
parameter.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from c8ylink.core.errors import UsageError

USER_ERROR = 101
_UNITS = {
    "ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0,
}  # fmt: skip
_RELATIVE = re.compile(r"^([+-]?)((?:\d+(?:\.\d+)?(?:ms|sec|min|s|m|h|d|w))+)$")
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|sec|min|s|m|h|d|w)")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def relative_offset(text: str) -> timedelta | None:
    """The offset of a relative time (``-10m`` -> -10 minutes), None when ``text`` is not one."""
    value = text.strip().lower()
    if value == "now":
        return timedelta(0)
    match = _RELATIVE.match(value)
    if not match:
        return None
    seconds = sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(match.group(2)))
    return timedelta(seconds=-seconds if match.group(1) == "-" else seconds)


def format_utc(moment: datetime) -> str:
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[:-3] + "Z"


def parse_datetime(flag: str, text: str, now: datetime, *, date_only: bool = False) -> str:
    offset = relative_offset(text)
    if offset is not None:
        moment = now + offset
        return moment.astimezone(UTC).strftime("%Y-%m-%d") if date_only else format_utc(moment)
    value = text.strip()
    if _ISO.match(value):
        return value
    raise UsageError(
        f"invalid --{flag} {text!r}: use an ISO time (2024-05-01T10:00:00Z) or a relative time "
        "(-10m, -1d, +2h, now)",
        exit_code=USER_ERROR,
    )
