"""What changed, for persistence: the last value written per ``(kind, key)`` since the last ``take``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    key: str
    value: Record | None  # None: deleted


class Journal:
    """``version`` counts every change ever recorded: a cheap "has anything changed?" for caches."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str], Record | None] = {}
        self.version = 0

    def put(self, kind: str, key: str, value: Record) -> None:
        self._pending[(kind, key)] = value
        self.version += 1

    def delete(self, kind: str, key: str) -> None:
        self._pending[(kind, key)] = None
        self.version += 1

    def take(self) -> list[Change]:
        """The pending changes in the order their keys were first touched; the journal is emptied."""
        changes = [Change(kind, key, value) for (kind, key), value in self._pending.items()]
        self._pending.clear()
        return changes

    def requeue(self, changes: list[Change]) -> None:
        """Put back changes that could not be written: pending again, before anything recorded since
        (a newer value of the same key wins)."""
        newer = self._pending
        self._pending = {(change.kind, change.key): change.value for change in changes}
        self._pending.update(newer)

    def __len__(self) -> int:
        return len(self._pending)
