"""Selection criteria for measurements, events, alarms and operations.

Time bounds are canonical server strings (``format_time``), so comparing strings compares instants.
Bounds are inclusive (cumulocity-api.md §3.0).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from c8ylink.tenant.state.query import lookup
from c8ylink.tenant.state.times import format_time, parse_query_time

_MISSING_MARK = lookup({}, "x")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    field: str  # time | creationTime | lastUpdated
    start: str | None = None
    end: str | None = None

    def contains(self, document: Mapping[str, Any]) -> bool:
        value = document.get(self.field)
        if not isinstance(value, str):
            return False
        if self.start is not None and value < self.start:
            return False
        return self.end is None or value <= self.end


@dataclass(frozen=True, slots=True)
class Criteria:
    """``equals``: (dotted path, allowed values); a document matches when every part does."""

    equals: tuple[tuple[str, frozenset[str]], ...] = ()
    fragment_type: str | None = None
    windows: tuple[TimeWindow, ...] = ()

    def matches(self, document: Mapping[str, Any]) -> bool:
        for path, allowed in self.equals:
            value = lookup(document, path)
            if value is _MISSING_MARK or str(value) not in allowed:
                return False
        if self.fragment_type is not None and lookup(document, self.fragment_type) is _MISSING_MARK:
            return False
        return all(window.contains(document) for window in self.windows)


def csv_values(params: Mapping[str, str], name: str) -> frozenset[str] | None:
    """``a,b`` -> {"a", "b"}; absent or empty -> None."""
    value = params.get(name)
    if not value:
        return None
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def window(params: Mapping[str, str], field: str, start_name: str, end_name: str) -> TimeWindow | None:
    start, end = params.get(start_name), params.get(end_name)
    if not start and not end:
        return None
    return TimeWindow(
        field,
        format_time(parse_query_time(start, start_name)) if start else None,
        format_time(parse_query_time(end, end_name)) if end else None,
    )


def build_windows(params: Mapping[str, str], specs: Iterable[tuple[str, str, str]]) -> tuple[TimeWindow, ...]:
    """Time windows from ``(field, fromParam, toParam)`` triples present in ``params``."""
    found = (window(params, field, start, end) for field, start, end in specs)
    return tuple(w for w in found if w is not None)
