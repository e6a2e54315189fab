"""Operations (cumulocity-api.md §3.7): created PENDING, moved forward by the device, listed by id.

Allowed status changes: PENDING -> EXECUTING | SUCCESSFUL | FAILED, EXECUTING -> SUCCESSFUL | FAILED
(and setting the current status again). Final states do not change.
"""

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
    without,
)
from c8ylink.tenant.state.errors import TenantApiError, not_found, validation_error
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.ids import IdGenerator
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.times import format_time

KIND = "operation"
STATUSES = ("PENDING", "EXECUTING", "SUCCESSFUL", "FAILED")
NEXT_STATUSES = {
    "PENDING": {"PENDING", "EXECUTING", "SUCCESSFUL", "FAILED"},
    "EXECUTING": {"EXECUTING", "SUCCESSFUL", "FAILED"},
    "SUCCESSFUL": {"SUCCESSFUL"},
    "FAILED": {"FAILED"},
}
CREATE_IGNORED = SERVER_FIELDS | {
    "status",
    "failureReason",
    "agentId",
    "deviceName",
    "delivery",
    "bulkOperationId",
}
UPDATE_IGNORED = SERVER_FIELDS | {
    "deviceId",
    "agentId",
    "deviceName",
    "delivery",
    "bulkOperationId",
    "status",
}


def operation_not_found(operation_id: str) -> TenantApiError:
    return not_found(
        "devicecontrol", f"Finding operation from database failed : No operation for id '{operation_id}'!"
    )


def validate_operation(body: object) -> Document:
    fields = require_object(body, "operation")
    require_fields(fields, "deviceId")
    device_id = fields["deviceId"]
    if not isinstance(device_id, str | int) or isinstance(device_id, bool):
        raise validation_error("deviceId must be a string")
    cleaned = without(fields, CREATE_IGNORED)
    cleaned["deviceId"] = str(device_id)
    return cleaned


class Operations:
    def __init__(self, journal: Journal, ids: IdGenerator) -> None:
        self._journal = journal
        self._ids = ids
        self._items: dict[str, Document] = {}

    def create(
        self, cleaned: Document, *, agent_id: str | None, device_name: str | None, now: datetime
    ) -> Document:
        operation_id = self._ids.next_id()
        stamp = format_time(now)
        document: Document = {**cleaned, "id": operation_id, "creationTime": stamp, "status": "PENDING"}
        if agent_id is not None:
            document["agentId"] = agent_id
        if device_name is not None:
            document["deviceName"] = device_name
        document["delivery"] = {"status": "PENDING", "time": stamp, "log": []}
        self._items[operation_id] = document
        self._journal.create(KIND, operation_id, document)
        return document

    def get(self, operation_id: str) -> Document:
        document = self._items.get(operation_id)
        if document is None:
            raise operation_not_found(operation_id)
        return document

    def update(self, operation_id: str, body: object, *, now: datetime) -> Document:
        document = self.get(operation_id)
        fields = require_object(body, "operation")
        if "deviceId" in fields and str(fields["deviceId"]) != document["deviceId"]:
            raise validation_error("deviceId of an operation cannot be changed")
        status = fields.get("status")
        if status is not None:
            if status not in STATUSES:
                raise validation_error(f"status must be one of {', '.join(STATUSES)}, not '{status}'")
            if status not in NEXT_STATUSES[document["status"]]:
                raise validation_error(
                    f"Operation status cannot change from {document['status']} to {status}"
                )
        merge_fragments(document, fields, skip=UPDATE_IGNORED)
        if status is not None:
            document["status"] = status
        if document["status"] != "FAILED":
            document.pop("failureReason", None)
        document["lastUpdated"] = format_time(now)
        self._journal.put(KIND, operation_id, document)
        return document

    def set_delivery(self, operation_id: str, status: str, *, now: datetime) -> Document:
        """Record how far the operation got towards the device (``delivery.status``)."""
        document = self.get(operation_id)
        stamp = format_time(now)
        delivery = document.setdefault("delivery", {"log": []})
        delivery.update({"status": status, "time": stamp})
        delivery.setdefault("log", []).append({"status": status, "time": stamp})
        self._journal.put(KIND, operation_id, document)
        return document

    def select(self, criteria: Criteria, *, revert: bool = False) -> list[Document]:
        found = [doc for doc in self._items.values() if criteria.matches(doc)]
        found.sort(key=lambda doc: int(doc["id"]), reverse=revert)
        return found

    def delete_matching(self, criteria: Criteria) -> int:
        doomed = [oid for oid, doc in self._items.items() if criteria.matches(doc)]
        for operation_id in doomed:
            del self._items[operation_id]
            self._journal.delete(KIND, operation_id)
        return len(doomed)

    def forget_devices(self, device_ids: set[str]) -> None:
        self.delete_matching(Criteria(equals=(("deviceId", frozenset(device_ids)),)))

    def restore(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            self._items[record["id"]] = dict(record)
