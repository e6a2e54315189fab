"""SQLite persistence for one tenant: every journal change is written in one transaction per commit.

Two tables: ``records(kind, key, body JSON)`` (the state, restored on start) and ``meta(name, value)``
(tenant id, domain, signing key, the bootstrap passwords, the last id). WAL mode keeps commits cheap.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from c8ylink.core.errors import FileAccessError
from c8ylink.tenant.state.journal import Change

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,
                                    PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class TenantStore:
    def __init__(self, path: os.PathLike[str] | str) -> None:
        self.path = Path(path)
        existed = self.path.exists()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise FileAccessError(
                f"Cannot open the tenant database {self.path}: {exc}", path=str(self.path)
            ) from exc
        if not existed:
            os.chmod(self.path, 0o600)

    def load(self) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """Every record, grouped by kind, in the order each was first written."""
        grouped: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for kind, key, body in self._db.execute("SELECT kind, key, body FROM records ORDER BY rowid"):
            grouped.setdefault(kind, []).append((key, json.loads(body)))
        return grouped

    def meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT name, value FROM meta").fetchall())

    def apply(self, changes: Iterable[Change], meta: Mapping[str, str] | None = None) -> None:
        rows = list(changes)
        if not rows and not meta:
            return
        try:
            self._db.execute("BEGIN")
            for change in rows:
                if change.value is None:
                    self._db.execute(
                        "DELETE FROM records WHERE kind = ? AND key = ?", (change.kind, change.key)
                    )
                else:
                    self._db.execute(
                        "INSERT INTO records (kind, key, body) VALUES (?, ?, ?) "
                        "ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
                        (change.kind, change.key, json.dumps(change.value, separators=(",", ":"))),
                    )
            for name, value in (meta or {}).items():
                self._db.execute(
                    "INSERT INTO meta (name, value) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._db.execute("ROLLBACK")
            raise FileAccessError(
                f"Cannot write the tenant database {self.path}: {exc}", path=str(self.path)
            ) from exc

    def close(self) -> None:
        self._db.close()
