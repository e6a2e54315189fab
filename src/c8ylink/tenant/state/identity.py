"""External ids: ``(type, value)`` -> managed object id, unique per tenant (cumulocity-api.md §3.3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from c8ylink.tenant.state.errors import TenantApiError, conflict, missing_fields, not_found, validation_error
from c8ylink.tenant.state.journal import Journal

KIND = "externalId"
SERIAL = "c8y_Serial"


@dataclass(frozen=True, slots=True)
class ExternalId:
    type: str
    value: str
    object_id: str

    def to_record(self) -> dict[str, str]:
        return {"type": self.type, "externalId": self.value, "managedObjectId": self.object_id}


def external_id_not_found(id_type: str, value: str) -> TenantApiError:
    return not_found("identity", f"External id not found; external id = ID [type={id_type}, value={value}]")


def parse_external_id_body(body: object) -> tuple[str, str]:
    """``(type, externalId)`` from a POST body; 422 naming what is missing."""
    if not isinstance(body, dict):
        raise validation_error("The external id must be a JSON object")
    missing = [
        name for name in ("externalId", "type") if not isinstance(body.get(name), str) or not body[name]
    ]
    if missing:
        raise missing_fields(*missing)
    return body["type"], body["externalId"]


def _key(id_type: str, value: str) -> str:
    # a stable key for persistence; type and value may contain any character but NUL
    return f"{id_type}\x00{value}"


class Identity:
    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._by_key: dict[tuple[str, str], ExternalId] = {}
        self._by_object: dict[str, list[ExternalId]] = {}

    def find(self, id_type: str, value: str) -> ExternalId | None:
        return self._by_key.get((id_type, value))

    def get(self, id_type: str, value: str) -> ExternalId:
        found = self._by_key.get((id_type, value))
        if found is None:
            raise external_id_not_found(id_type, value)
        return found

    def of_object(self, object_id: str) -> list[ExternalId]:
        return list(self._by_object.get(object_id, ()))

    def add(self, object_id: str, id_type: str, value: str) -> ExternalId:
        existing = self._by_key.get((id_type, value))
        if existing is not None:
            if existing.object_id == object_id:
                return existing
            raise conflict(
                "identity",
                f"External id already exists; external id = ID [type={id_type}, value={value}]",
            )
        entry = ExternalId(id_type, value, object_id)
        self._by_key[(id_type, value)] = entry
        self._by_object.setdefault(object_id, []).append(entry)
        self._journal.put(KIND, _key(id_type, value), entry.to_record())
        return entry

    def delete(self, id_type: str, value: str) -> ExternalId:
        entry = self.get(id_type, value)
        del self._by_key[(id_type, value)]
        remaining = [e for e in self._by_object.get(entry.object_id, []) if e != entry]
        if remaining:
            self._by_object[entry.object_id] = remaining
        else:
            self._by_object.pop(entry.object_id, None)
        self._journal.delete(KIND, _key(id_type, value))
        return entry

    def forget_object(self, object_id: str) -> None:
        for entry in self.of_object(object_id):
            self.delete(entry.type, entry.value)

    def restore(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            entry = ExternalId(record["type"], record["externalId"], record["managedObjectId"])
            self._by_key[(entry.type, entry.value)] = entry
            self._by_object.setdefault(entry.object_id, []).append(entry)
