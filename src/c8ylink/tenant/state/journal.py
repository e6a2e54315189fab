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
    created: bool = False  # first written since the last take (for real-time notifications)


class Journal:
    """``version`` counts every change ever recorded: a cheap "has anything changed?" for caches."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str], Record | None] = {}
        self._created: set[tuple[str, str]] = set()
        self.version = 0

    def create(self, kind: str, key: str, value: Record) -> None:
        """``put`` of a new record."""
        self._created.add((kind, key))
        self.put(kind, key, value)

    def put(self, kind: str, key: str, value: Record) -> None:
        self._pending[(kind, key)] = value
        self.version += 1

    def delete(self, kind: str, key: str) -> None:
        self._pending[(kind, key)] = None
        self.version += 1

    def take(self) -> list[Change]:
        """The pending changes in the order their keys were first touched; the journal is emptied."""
        changes = [
            Change(kind, key, value, (kind, key) in self._created)
            for (kind, key), value in self._pending.items()
        ]
        self._pending.clear()
        self._created.clear()
        return changes

    def __len__(self) -> int:
        return len(self._pending)
