"""Events (cumulocity-api.md §3.5): create, read, update text/fragments, select newest first, delete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from c8ylink.tenant.state.documents import (
    SERVER_FIELDS,
    Document,
    merge_fragments,
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

KIND = "event"
READ_ONLY = SERVER_FIELDS | {"source", "time", "type"}


def event_not_found(event_id: str) -> TenantApiError:
    return not_found("event", f"Finding event from database failed : No event for id '{event_id}'!")


def validate_event(body: object) -> Document:
    fields = require_object(body, "event")
    require_fields(fields, "source", "type", "text", "time")
    for name in ("type", "text"):
        if not isinstance(fields[name], str):
            raise validation_error(f"{name} must be a string")
    cleaned = without(fields, SERVER_FIELDS)
    cleaned["source"] = {"id": source_id_of(fields)}
    cleaned["time"] = normalize_time(fields["time"])
    return cleaned


class Events:
    def __init__(self, journal: Journal, ids: IdGenerator) -> None:
        self._journal = journal
        self._ids = ids
        self._items: dict[str, Document] = {}

    def create(self, cleaned: Document, *, now: datetime) -> Document:
        event_id = self._ids.next_id()
        stamp = format_time(now)
        document = {**cleaned, "id": event_id, "creationTime": stamp, "lastUpdated": stamp}
        self._items[event_id] = document
        self._journal.create(KIND, event_id, document)
        return document

    def get(self, event_id: str) -> Document:
        document = self._items.get(event_id)
        if document is None:
            raise event_not_found(event_id)
        return document

    def update(self, event_id: str, body: object, *, now: datetime) -> Document:
        document = self.get(event_id)
        fields = require_object(body, "event")
        if "text" in fields and not isinstance(fields["text"], str):
            raise validation_error("text must be a string")
        merge_fragments(document, fields, skip=READ_ONLY)
        document["lastUpdated"] = format_time(now)
        self._journal.put(KIND, event_id, document)
        return document

    def select(self, criteria: Criteria, *, revert: bool = False) -> list[Document]:
        found = [doc for doc in self._items.values() if criteria.matches(doc)]
        found.sort(key=lambda doc: (doc["time"], int(doc["id"])), reverse=not revert)
        return found

    def delete(self, event_id: str) -> None:
        self.get(event_id)
        del self._items[event_id]
        self._journal.delete(KIND, event_id)

    def delete_matching(self, criteria: Criteria) -> int:
        doomed = [eid for eid, doc in self._items.items() if criteria.matches(doc)]
        for event_id in doomed:
            self.delete(event_id)
        return len(doomed)

    def forget_sources(self, source_ids: set[str]) -> None:
        self.delete_matching(Criteria(equals=(("source.id", frozenset(source_ids)),)))

    def restore(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            self._items[record["id"]] = dict(record)
