"""SQLite persistence for one tenant: every journal change is written in one transaction per commit.

Two tables: ``records(kind, key, body JSON)`` (the state, restored on start) and ``meta(name, value)``
(tenant id, domain, signing key, the last id). WAL mode keeps commits cheap. The database and its
``-wal``/``-shm`` files are 0600; user passwords are in it as scrypt hashes only (the first passwords of
the admin and bootstrap users are in ``credentials.json``, see ``tenant.service``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from c8ylink.core.errors import FileAccessError
from c8ylink.tenant.json_text import record_text
from c8ylink.tenant.state.journal import Change

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,
                                    PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


FILE_MODE = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's own files next to the database


class TenantStore:
    def __init__(self, path: os.PathLike[str] | str) -> None:
        self.path = Path(path)
        try:
            # created private before SQLite opens it: its -wal and -shm files take the database's mode
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE))
            make_private(self.path)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA secure_delete=ON")  # what is deleted (an old secret) is overwritten
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise FileAccessError(
                f"Cannot open the tenant database {self.path}: {exc}", path=str(self.path)
            ) from exc
        make_private(self.path)

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
                        (change.kind, change.key, record_text(change.value)),
                    )
            for name, value in (meta or {}).items():
                self._db.execute(
                    "INSERT INTO meta (name, value) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already (disk full)
                self._db.execute("ROLLBACK")
            raise FileAccessError(
                f"Cannot write the tenant database {self.path}: {exc}", path=str(self.path)
            ) from exc

    def forget_meta(self, names: Iterable[str]) -> None:
        """Remove meta values for good: deleted (overwritten) and the log checkpointed, so that nothing
        of them stays in the database or its WAL file."""
        try:
            for name in names:
                self._db.execute("DELETE FROM meta WHERE name = ?", (name,))
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.execute("VACUUM")
        except sqlite3.Error as exc:
            raise FileAccessError(
                f"Cannot write the tenant database {self.path}: {exc}", path=str(self.path)
            ) from exc
        make_private(self.path)

    def close(self) -> None:
        self._db.close()


def make_private(database: Path) -> None:
    """The database and SQLite's files next to it readable by the tenant's user only (0600)."""
    for suffix in ("", *SIDE_FILES):
        candidate = Path(f"{database}{suffix}")
        try:
            if candidate.exists() and candidate.stat().st_mode & 0o777 != FILE_MODE:
                os.chmod(candidate, FILE_MODE)
        except OSError:
            continue
