"""Measurements (cumulocity-api.md §3.4): create one or many, select, delete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


class Measurements:
    def __init__(self, journal: Journal, ids: IdGenerator) -> None:
        self._journal = journal
        self._ids = ids
        self._items: dict[str, Document] = {}

    def create(self, cleaned: Document, *, now: datetime) -> Document:
        """Store a body already checked by ``validate_measurement`` (and whose source exists)."""
        measurement_id = self._ids.next_id()
        document = dict(cleaned)
        document["id"] = measurement_id
        document.setdefault("creationTime", format_time(now))
        self._items[measurement_id] = document
        self._journal.create(KIND, measurement_id, document)
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
    ) -> list[Document]:
        fragment, series_name = series
        found = [
            doc
            for doc in self._items.values()
            if criteria.matches(doc) and _has_series(doc, fragment, series_name)
        ]
        found.sort(key=lambda doc: (doc["time"], int(doc["id"])), reverse=revert)
        return found

    def delete(self, measurement_id: str) -> None:
        self.get(measurement_id)
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
