"""``RecordStore``: the simple document stores (groups, inventory roles, options, applications, audit
records, ...): documents by id, persisted through the journal under one ``kind``.

Ids are the tenant's shared sequence (``ids``), or a counter of the store's own (Cumulocity numbers
groups, inventory roles and applications separately).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from c8ylink.tenant.state.errors import TenantApiError, not_found
from c8ylink.tenant.state.ids import IdGenerator
from c8ylink.tenant.state.journal import Journal

Document = dict[str, Any]


class RecordStore:
    def __init__(
        self,
        journal: Journal,
        kind: str,
        *,
        resource: str,
        what: str,
        ids: IdGenerator | None = None,
        first_id: int = 1,
    ) -> None:
        self.kind = kind
        self._journal = journal
        self._resource = resource
        self._what = what
        self._ids = ids
        self._last = first_id - 1
        self._items: dict[str, Document] = {}

    def next_id(self) -> str:
        if self._ids is not None:
            return self._ids.next_id()
        self._last += 1
        return str(self._last)

    def not_found(self, item_id: str) -> TenantApiError:
        return not_found(self._resource, f"{self._what} {item_id} not found")

    def find(self, item_id: str) -> Document | None:
        return self._items.get(item_id)

    def get(self, item_id: str) -> Document:
        found = self._items.get(item_id)
        if found is None:
            raise self.not_found(item_id)
        return found

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def all(self) -> list[Document]:
        return list(self._items.values())

    def select(self, predicate: Callable[[Document], bool]) -> list[Document]:
        return [item for item in self._items.values() if predicate(item)]

    def create(self, document: Mapping[str, Any]) -> Document:
        """Store ``document`` under a new id (its ``id`` field)."""
        item = {**document, "id": self.next_id()}
        return self.put(item)

    def put(self, document: Document) -> Document:
        self._items[document["id"]] = document
        self._journal.put(self.kind, document["id"], document)
        return document

    def delete(self, item_id: str) -> Document:
        item = self.get(item_id)
        del self._items[item_id]
        self._journal.delete(self.kind, item_id)
        return item

    def restore(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            self._items[record["id"]] = dict(record)
            if self._ids is None and str(record["id"]).isdigit():
                self._last = max(self._last, int(record["id"]))
