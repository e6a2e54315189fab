"""What changed, for persistence: the last value written per ``(kind, key)`` since the last ``take``;
and, for the realtime notifications, every write of a record kind that has a realtime channel, in order
(``take_feed``), with what happened to it (CREATE, UPDATE, DELETE)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]
CREATE, UPDATE, DELETE = "CREATE", "UPDATE", "DELETE"
# the kinds whose writes realtime subscribers hear about (core.realtime names their channels)
FEED_KINDS = frozenset({"measurement", "event", "alarm", "operation", "managedObject"})


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    key: str
    value: Record | None  # None: deleted


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One write for the realtime channels; ``value`` is the record as it is when the entry is taken
    (``None`` for a deletion)."""

    kind: str
    key: str
    action: str
    value: Record | None


class Journal:
    """``version`` counts every change ever recorded: a cheap "has anything changed?" for caches.
    ``feeding``: whether writes are kept for ``take_feed`` (the realtime endpoint turns it on)."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str], Record | None] = {}
        self._feed: list[FeedEntry] = []
        self.feeding = False
        self.version = 0

    def put(self, kind: str, key: str, value: Record, *, created: bool = False, notify: bool = True) -> None:
        """``notify=False``: a write realtime subscribers do not hear about (a device's heartbeat)."""
        self._pending[(kind, key)] = value
        self.version += 1
        if notify and self.feeding and kind in FEED_KINDS:
            self._feed.append(FeedEntry(kind, key, CREATE if created else UPDATE, value))

    def delete(self, kind: str, key: str) -> None:
        self._pending[(kind, key)] = None
        self.version += 1
        if self.feeding and kind in FEED_KINDS:
            self._feed.append(FeedEntry(kind, key, DELETE, None))

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

    def take_feed(self) -> list[FeedEntry]:
        """The writes for the realtime channels since the last call, in the order they happened."""
        taken, self._feed = self._feed, []
        return taken

    def __len__(self) -> int:
        return len(self._pending)
