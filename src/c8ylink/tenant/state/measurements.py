"""Measurements (cumulocity-api.md §3.4): create one or many, select, delete.

Besides the table by id, each source keeps its measurements in answer order (time, then id), so a
query by source reads only that source's measurements and needs no sort: listing the newest or
oldest few of a device costs the same with 10 or 100,000 stored.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from c8ylink.tenant.state.documents import (
    SERVER_FIELDS,
    Document,
    require_fields,
    require_object,
    source_id_of,
    without,
)
from c8ylink.tenant.state.errors import TenantApiError, not_found, validation_error
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.ids import IdGenerator
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.times import format_time, normalize_time

KIND = "measurement"
_FORBIDDEN = set(" \t\n.,*[]()@$")
_STANDARD = frozenset({"source", "type", "time"})


def measurement_not_found(measurement_id: str) -> TenantApiError:
    return not_found(
        "measurement", f"Finding measurement from database failed : No measurement for id '{measurement_id}'!"
    )


def validate_measurement(body: object) -> Document:
    """The cleaned measurement body, or 422 (mandatory fields, series names, non-numeric values)."""
    fields = require_object(body, "measurement")
    require_fields(fields, "source", "type", "time")
    source_id_of(fields)
    if not isinstance(fields["type"], str):
        raise validation_error("type must be a string")
    cleaned = without(fields, SERVER_FIELDS)
    cleaned["time"] = normalize_time(fields["time"])
    cleaned["source"] = {"id": source_id_of(fields)}
    for fragment, series in cleaned.items():
        if fragment in _STANDARD:
            continue
        _check_name(fragment)
        if isinstance(series, dict):
            for series_name, reading in series.items():
                _check_series(fragment, series_name, reading)
    return cleaned


def _check_name(name: str) -> None:
    if not name or any(ch in _FORBIDDEN for ch in name):
        raise validation_error(
            f"Invalid fragment or series name '{name}': "
            "names must not contain whitespace or . , * [ ] ( ) @ $"
        )


def _check_series(fragment: str, series_name: str, reading: Any) -> None:
    _check_name(series_name)
    if not isinstance(reading, dict):
        return
    value = reading.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise validation_error(f"{fragment}.{series_name}.value must be a number")


def _order(document: Mapping[str, Any]) -> tuple[str, int]:
    return (document["time"], int(document["id"]))


class Measurements:
    def __init__(self, journal: Journal, ids: IdGenerator) -> None:
        self._journal = journal
        self._ids = ids
        self._items: dict[str, Document] = {}
        self._by_source: dict[str, list[Document]] = {}  # each in ``_order``

    def _index(self, document: Document) -> None:
        ordered = self._by_source.setdefault(document["source"]["id"], [])
        if not ordered or _order(ordered[-1]) <= _order(document):
            ordered.append(document)  # the common case: measurements arrive in time order
        else:
            bisect.insort(ordered, document, key=_order)

    def _unindex(self, document: Document) -> None:
        ordered = self._by_source.get(document["source"]["id"], [])
        position = bisect.bisect_left(ordered, _order(document), key=_order)
        if position < len(ordered) and ordered[position] is document:
            del ordered[position]
        if not ordered:
            self._by_source.pop(document["source"]["id"], None)

    def create(self, cleaned: Document, *, now: datetime) -> Document:
        """Store a body already checked by ``validate_measurement`` (and whose source exists)."""
        measurement_id = self._ids.next_id()
        document = dict(cleaned)
        document["id"] = measurement_id
        document.setdefault("creationTime", format_time(now))
        self._items[measurement_id] = document
        self._index(document)
        self._journal.put(KIND, measurement_id, document, created=True)
        return document

    def get(self, measurement_id: str) -> Document:
        document = self._items.get(measurement_id)
        if document is None:
            raise measurement_not_found(measurement_id)
        return document

    def select(
        self,
        criteria: Criteria,
        *,
        series: tuple[str | None, str | None] = (None, None),
        revert: bool = False,
    ) -> Sequence[Document]:
        """The matching measurements in answer order (reverse with ``revert``); a plain query by one
        source answers that source's index itself, uncopied: callers only read it."""
        fragment, series_name = series
        sources = dict(criteria.equals).get("source.id")
        if sources is not None and len(sources) == 1:
            (source,) = sources
            ordered = self._by_source.get(source, [])
            rest = Criteria(tuple(e for e in criteria.equals if e[0] != "source.id"), criteria.fragment_type,
                            criteria.windows)  # fmt: skip
            if rest == Criteria() and fragment is None and series_name is None:
                return ordered[::-1] if revert else ordered
            found = [doc for doc in ordered if rest.matches(doc) and _has_series(doc, fragment, series_name)]
            if revert:
                found.reverse()
            return found
        candidates = (
            self._items.values()
            if sources is None
            else (doc for source in sources for doc in self._by_source.get(source, []))
        )
        found = [
            doc for doc in candidates if criteria.matches(doc) and _has_series(doc, fragment, series_name)
        ]
        found.sort(key=_order, reverse=revert)
        return found

    def delete(self, measurement_id: str) -> None:
        self._unindex(self.get(measurement_id))
        del self._items[measurement_id]
        self._journal.delete(KIND, measurement_id)

    def delete_matching(self, criteria: Criteria) -> int:
        doomed = [mid for mid, doc in self._items.items() if criteria.matches(doc)]
        for measurement_id in doomed:
            self.delete(measurement_id)
        return len(doomed)

    def forget_sources(self, source_ids: set[str]) -> None:
        for measurement_id in [m for m, d in self._items.items() if d["source"]["id"] in source_ids]:
            self.delete(measurement_id)

    def restore(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            self._items[record["id"]] = dict(record)
        self._by_source = {}
        for document in sorted(self._items.values(), key=_order):
            self._by_source.setdefault(document["source"]["id"], []).append(document)


def _has_series(doc: Mapping[str, Any], fragment: str | None, series_name: str | None) -> bool:
    if fragment is None and series_name is None:
        return True
    fragments = (
        [doc.get(fragment)] if fragment is not None else [v for k, v in doc.items() if k not in _STANDARD]
    )
    for value in fragments:
        if isinstance(value, dict) and (series_name is None or series_name in value):
            return True
    return False
