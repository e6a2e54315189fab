"""Managed objects and their child/parent references (cumulocity-api.md §3.2)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from c8ylink.tenant.state.documents import (
    SERVER_FIELDS,
    Document,
    merge_fragments,
    require_object,
    without,
)
from c8ylink.tenant.state.errors import TenantApiError, not_found, validation_error
from c8ylink.tenant.state.ids import IdGenerator
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.query import Query
from c8ylink.tenant.state.times import format_time

KIND = "managedObject"

# child collection -> the matching parent collection on the child
CHILD_KINDS = {
    "childDevices": "deviceParents",
    "childAssets": "assetParents",
    "childAdditions": "additionParents",
}
PARENT_KINDS = {parent: child for child, parent in CHILD_KINDS.items()}
REFERENCE_FIELDS = frozenset(CHILD_KINDS) | frozenset(PARENT_KINDS)


@dataclass(frozen=True, slots=True)
class InventoryFilter:
    query: Query | None = None
    type: str | None = None
    fragment_type: str | None = None
    owner: str | None = None
    text: str | None = None
    ids: tuple[str, ...] | None = None
    only_roots: bool = False
    child_device_id: str | None = None
    child_asset_id: str | None = None
    child_addition_id: str | None = None


def object_not_found(object_id: str) -> TenantApiError:
    return not_found(
        "inventory", f"Finding device data from database failed : No managedObject for id '{object_id}'!"
    )


def is_heartbeat(body: Mapping[str, Any]) -> bool:
    """``{}`` or ``{"id": ...}``: an availability heartbeat that changes nothing else."""
    return not set(body) - {"id"}


class Inventory:
    def __init__(self, journal: Journal, ids: IdGenerator) -> None:
        self._journal = journal
        self._ids = ids
        self._objects: dict[str, Document] = {}
        self._children: dict[str, dict[str, list[str]]] = {}
        self._parents: dict[str, dict[str, list[str]]] = {}

    # -- reading ---------------------------------------------------------------------------------
    def find(self, object_id: str) -> Document | None:
        return self._objects.get(object_id)

    def get(self, object_id: str) -> Document:
        document = self._objects.get(object_id)
        if document is None:
            raise object_not_found(object_id)
        return document

    def __contains__(self, object_id: object) -> bool:
        return object_id in self._objects

    def __len__(self) -> int:
        return len(self._objects)

    def references(self, object_id: str, kind: str) -> list[str]:
        """Ids in ``kind`` (``childDevices``..., or ``deviceParents``...) of an object."""
        table = self._children if kind in CHILD_KINDS else self._parents
        return list(table.get(object_id, {}).get(kind, ()))

    def asset_parents(self, object_id: str) -> list[str]:
        return self.references(object_id, "assetParents")

    def group_parents(self, object_id: str) -> list[str]:
        """What ``bygroupid(id)`` matches against: the object's asset parents (its groups) and its
        addition parents (a software or firmware package holds its versions as child additions)."""
        return self.references(object_id, "assetParents") + self.references(object_id, "additionParents")

    def descendants(
        self, object_id: str, kinds: Iterable[str] = ("childDevices", "childAdditions")
    ) -> set[str]:
        """Every object below ``object_id`` through the given child collections."""
        wanted = tuple(kinds)
        found: set[str] = set()
        pending = [object_id]
        while pending:
            current = pending.pop()
            for kind in wanted:
                for child in self._children.get(current, {}).get(kind, ()):
                    if child not in found:
                        found.add(child)
                        pending.append(child)
        return found

    def ancestors(
        self, object_id: str, kinds: Iterable[str] = ("deviceParents", "additionParents")
    ) -> list[str]:
        """Parents, grandparents, ... (nearest first) through the given parent collections."""
        wanted = tuple(kinds)
        order: list[str] = []
        pending = [object_id]
        while pending:
            current = pending.pop(0)
            for kind in wanted:
                for parent in self._parents.get(current, {}).get(kind, ()):
                    if parent not in order and parent != object_id:
                        order.append(parent)
                        pending.append(parent)
        return order

    def select_groups(self) -> list[Document]:
        return [doc for doc in self._objects.values() if "c8y_IsDeviceGroup" in doc]

    def select_required_availability(self) -> list[Document]:
        """Objects with a ``c8y_RequiredAvailability`` object (117)."""
        return [
            doc for doc in self._objects.values() if isinstance(doc.get("c8y_RequiredAvailability"), dict)
        ]

    def select_owned(self, owner: str) -> list[Document]:
        return [doc for doc in self._objects.values() if doc.get("owner") == owner]

    def select(self, criteria: InventoryFilter) -> list[Document]:
        candidates: Iterable[Document]
        if criteria.ids is not None:
            candidates = [self._objects[i] for i in criteria.ids if i in self._objects]
        else:
            candidates = self._objects.values()
        matches = [doc for doc in candidates if self._matches(doc, criteria)]
        if criteria.query is not None and criteria.query.order_by:
            return criteria.query.sort(matches)  # type: ignore[arg-type,return-value]
        return matches

    def _matches(self, doc: Document, criteria: InventoryFilter) -> bool:
        if criteria.query is not None:
            if not criteria.query.matches(doc):
                return False
        elif criteria.type is not None and doc.get("type") != criteria.type:
            return False
        if criteria.fragment_type is not None and criteria.fragment_type not in doc:
            return False
        if criteria.owner is not None and doc.get("owner") != criteria.owner:
            return False
        if criteria.text is not None and not _text_matches(doc, criteria.text):
            return False
        object_id = doc["id"]
        if criteria.only_roots and any(self._parents.get(object_id, {}).values()):
            return False
        for kind, child in (
            ("childDevices", criteria.child_device_id),
            ("childAssets", criteria.child_asset_id),
            ("childAdditions", criteria.child_addition_id),
        ):
            if child is not None and child not in self._children.get(object_id, {}).get(kind, ()):
                return False
        return True

    # -- writing ---------------------------------------------------------------------------------
    def create(self, body: object, *, owner: str, now: datetime) -> Document:
        fields = require_object(body, "managed object")
        object_id = self._ids.next_id()
        stamp = format_time(now)
        document = without(fields, SERVER_FIELDS | REFERENCE_FIELDS)
        document.update({"id": object_id, "owner": owner, "creationTime": stamp, "lastUpdated": stamp})
        self._objects[object_id] = document
        self._persist(object_id, created=True)
        return document

    def update(self, object_id: str, body: object, *, now: datetime) -> Document:
        document = self.get(object_id)
        fields = require_object(body, "managed object")
        merge_fragments(document, fields, skip=SERVER_FIELDS | REFERENCE_FIELDS)
        document["lastUpdated"] = format_time(now)
        self._persist(object_id)
        return document

    def touch(self, object_id: str, *, now: datetime) -> None:
        """Record a heartbeat: ``c8y_Availability.lastMessage`` (status follows required availability)."""
        document = self._objects.get(object_id)
        if document is None:
            return
        interval = document.get("c8y_RequiredAvailability", {})
        minutes = interval.get("responseInterval") if isinstance(interval, dict) else None
        status = "MAINTENANCE" if isinstance(minutes, int | float) and minutes <= 0 else "AVAILABLE"
        document["c8y_Availability"] = {"lastMessage": format_time(now), "status": status}
        self._persist(object_id, notify=False)

    def delete(self, object_id: str, *, cascade: bool = False) -> list[str]:
        """Remove an object (and with ``cascade`` its child devices/assets/additions); the ids removed."""
        self.get(object_id)
        doomed = [object_id]
        if cascade:
            doomed += sorted(
                self.descendants(object_id, CHILD_KINDS), key=lambda i: int(i) if i.isdigit() else 0
            )
        for victim in doomed:
            self._unlink(victim)
            self._objects.pop(victim, None)
            self._children.pop(victim, None)
            self._parents.pop(victim, None)
            self._journal.delete(KIND, victim)
        return doomed

    def _unlink(self, object_id: str) -> None:
        for kind, parents in list(self._parents.get(object_id, {}).items()):
            for parent in list(parents):
                self._drop_reference(parent, PARENT_KINDS[kind], object_id)
        for kind, children in list(self._children.get(object_id, {}).items()):
            for child in list(children):
                self._drop_reference(object_id, kind, child)

    def add_reference(self, parent_id: str, kind: str, child_id: str) -> None:
        if kind not in CHILD_KINDS:
            raise validation_error(f"unknown reference collection {kind}")
        self.get(parent_id)
        self.get(child_id)
        if parent_id == child_id:
            raise validation_error("an object cannot be its own child")
        children = self._children.setdefault(parent_id, {}).setdefault(kind, [])
        if child_id not in children:
            children.append(child_id)
            self._parents.setdefault(child_id, {}).setdefault(CHILD_KINDS[kind], []).append(parent_id)
        self._persist(parent_id)

    def remove_reference(self, parent_id: str, kind: str, child_id: str) -> None:
        self.get(parent_id)
        if child_id not in self._children.get(parent_id, {}).get(kind, ()):
            raise not_found("inventory", f"Managed object {child_id} is not in {kind} of {parent_id}")
        self._drop_reference(parent_id, kind, child_id)

    def _drop_reference(self, parent_id: str, kind: str, child_id: str) -> None:
        children = self._children.get(parent_id, {}).get(kind, [])
        if child_id in children:
            children.remove(child_id)
        parents = self._parents.get(child_id, {}).get(CHILD_KINDS[kind], [])
        if parent_id in parents:
            parents.remove(parent_id)
        if parent_id in self._objects:
            self._persist(parent_id)

    def _persist(self, object_id: str, *, created: bool = False, notify: bool = True) -> None:
        record = {"document": self._objects[object_id], "children": self._children.get(object_id, {})}
        self._journal.put(KIND, object_id, record, created=created, notify=notify)

    def restore(self, stored: Iterable[Mapping[str, Any]]) -> None:
        records = list(stored)
        for record in records:
            document = dict(record["document"])
            self._objects[document["id"]] = document
        for record in records:
            parent_id = record["document"]["id"]
            for kind, children in record.get("children", {}).items():
                for child in children:
                    if child in self._objects:
                        self._children.setdefault(parent_id, {}).setdefault(kind, []).append(child)
                        self._parents.setdefault(child, {}).setdefault(CHILD_KINDS[kind], []).append(
                            parent_id
                        )


def _text_matches(document: Mapping[str, Any], text: str) -> bool:
    needle = text.lower()
    for field in ("name", "type", "owner", "id"):
        value = document.get(field)
        if isinstance(value, str) and needle in value.lower():
            return True
    return False
