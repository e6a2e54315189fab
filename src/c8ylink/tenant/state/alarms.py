"""Alarms with de-duplication by (source, type) (cumulocity-api.md §3.6)."""

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

KIND = "alarm"
SEVERITIES = ("CRITICAL", "MAJOR", "MINOR", "WARNING")
STATUSES = ("ACTIVE", "ACKNOWLEDGED", "CLEARED")
OPEN = ("ACTIVE", "ACKNOWLEDGED")
ALARM_SERVER_FIELDS = SERVER_FIELDS | {"count", "firstOccurrenceTime"}
UPDATABLE_STANDARD = frozenset({"text", "status", "severity"})
NOT_UPDATABLE = frozenset({"source", "type", "time"})


def alarm_not_found(alarm_id: str) -> TenantApiError:
    return not_found("alarm", f"Finding alarm from database failed : No alarm for id '{alarm_id}'!")


def _check_choice(fields: Mapping[str, Any], name: str, choices: tuple[str, ...]) -> None:
    if name in fields and fields[name] not in choices:
        raise validation_error(f"{name} must be one of {', '.join(choices)}, not '{fields[name]}'")


def validate_alarm(body: object) -> Document:
    fields = require_object(body, "alarm")
    require_fields(fields, "source", "type", "text", "severity", "time")
    for name in ("type", "text"):
        if not isinstance(fields[name], str):
            raise validation_error(f"{name} must be a string")
    _check_choice(fields, "severity", SEVERITIES)
    _check_choice(fields, "status", STATUSES)
    cleaned = without(fields, ALARM_SERVER_FIELDS)
    cleaned["source"] = {"id": source_id_of(fields)}
    cleaned["time"] = normalize_time(fields["time"])
    cleaned.setdefault("status", "ACTIVE")
    return cleaned


class Alarms:
    def __init__(self, journal: Journal, ids: IdGenerator) -> None:
        self._journal = journal
        self._ids = ids
        self._items: dict[str, Document] = {}

    def open_alarm(self, source_id: str, alarm_type: str) -> Document | None:
        """The ACTIVE or ACKNOWLEDGED alarm of that type on that source, if any."""
        for document in reversed(self._items.values()):
            if (
                document["source"]["id"] == source_id
                and document.get("type") == alarm_type
                and document.get("status") in OPEN
            ):
                return document
        return None

    def raise_alarm(self, cleaned: Document, *, now: datetime) -> Document:
        """Create the alarm, or count one more occurrence of the open alarm with the same source+type."""
        existing = None
        if cleaned["status"] in OPEN:
            existing = self.open_alarm(cleaned["source"]["id"], cleaned["type"])
        stamp = format_time(now)
        if existing is not None:
            existing["count"] = int(existing.get("count", 1)) + 1
            existing["time"] = cleaned["time"]
            existing["lastUpdated"] = stamp
            self._journal.put(KIND, existing["id"], existing)
            return existing
        alarm_id = self._ids.next_id()
        document = {
            **cleaned,
            "id": alarm_id,
            "count": 1,
            "firstOccurrenceTime": cleaned["time"],
            "creationTime": stamp,
            "lastUpdated": stamp,
        }
        self._items[alarm_id] = document
        self._journal.create(KIND, alarm_id, document)
        return document

    def get(self, alarm_id: str) -> Document:
        document = self._items.get(alarm_id)
        if document is None:
            raise alarm_not_found(alarm_id)
        return document

    def update(self, alarm_id: str, body: object, *, now: datetime) -> Document:
        document = self.get(alarm_id)
        fields = require_object(body, "alarm")
        rejected = sorted(name for name in fields if name in NOT_UPDATABLE)
        if rejected:
            raise validation_error(f"Cannot update read-only alarm fields: {', '.join(rejected)}")
        _check_choice(fields, "severity", SEVERITIES)
        _check_choice(fields, "status", STATUSES)
        merge_fragments(document, fields, skip=ALARM_SERVER_FIELDS)
        document["lastUpdated"] = format_time(now)
        self._journal.put(KIND, alarm_id, document)
        return document

    def select(self, criteria: Criteria, *, revert: bool = False) -> list[Document]:
        found = [doc for doc in self._items.values() if criteria.matches(doc)]
        found.sort(key=lambda doc: (doc["time"], int(doc["id"])), reverse=not revert)
        return found

    def update_matching(self, criteria: Criteria, status: str, *, now: datetime) -> int:
        _check_choice({"status": status}, "status", STATUSES)
        changed = 0
        for document in self.select(criteria):
            if document.get("status") != status:
                self.update(document["id"], {"status": status}, now=now)
                changed += 1
        return changed

    def delete_matching(self, criteria: Criteria) -> int:
        doomed = [aid for aid, doc in self._items.items() if criteria.matches(doc)]
        for alarm_id in doomed:
            del self._items[alarm_id]
            self._journal.delete(KIND, alarm_id)
        return len(doomed)

    def forget_sources(self, source_ids: set[str]) -> None:
        self.delete_matching(Criteria(equals=(("source.id", frozenset(source_ids)),)))

    def restore(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            self._items[record["id"]] = dict(record)
