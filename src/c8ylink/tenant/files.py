"""Binary contents on disk (``<data_dir>/files``): inventory binaries, event attachments, application
archives. The I/O shell of the binary endpoints.

An upload is streamed in chunks to ``.incoming/<random>`` and moved to its place (``<area>/<id>``)
only once it is complete and its metadata is stored: a dropped connection leaves nothing behind (the
staged file is removed, leftovers of a killed process are cleared on start). Names are checked
(``area`` a known word, ``id`` digits), so that no request can reach outside the directory.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import TracebackType

from c8ylink.tenant.state.errors import TenantApiError, validation_error

AREAS = ("inventory", "events", "applications")
_ID = re.compile(r"^[0-9]{1,20}$")
INCOMING = ".incoming"


def too_large(limit: int) -> TenantApiError:
    return TenantApiError(413, "general/requestEntityTooLarge", f"The file is larger than {limit} bytes")


class Staged:
    """A file being received; removed on exit unless ``FileStore.commit`` moved it into place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.length = 0
        self.committed = False

    def __enter__(self) -> Staged:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if not self.committed:
            self.path.unlink(missing_ok=True)


class FileStore:
    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        incoming = root / INCOMING
        shutil.rmtree(incoming, ignore_errors=True)  # half uploads of a process that was killed
        incoming.mkdir(mode=0o700, parents=True, exist_ok=True)
        for area in AREAS:
            (root / area).mkdir(mode=0o700, exist_ok=True)

    def path(self, area: str, item_id: str) -> Path:
        if area not in AREAS or not _ID.match(item_id):
            raise validation_error(f"Invalid binary id '{item_id}'")
        return self.root / area / item_id

    def stage(self) -> Staged:
        return Staged(self.root / INCOMING / secrets.token_hex(12))

    async def receive(self, staged: Staged, chunks: AsyncIterator[bytes]) -> None:
        """Append ``chunks`` to the staged file (413 beyond ``max_bytes``)."""
        with staged.path.open("ab") as out:
            async for chunk in chunks:
                staged.length += len(chunk)
                if staged.length > self.max_bytes:
                    raise too_large(self.max_bytes)
                out.write(chunk)

    def commit(self, staged: Staged, area: str, item_id: str) -> None:
        target = self.path(area, item_id)
        if not staged.path.exists():
            staged.path.touch()
        os.replace(staged.path, target)
        staged.committed = True

    def exists(self, area: str, item_id: str) -> bool:
        return self.path(area, item_id).is_file()

    def remove(self, area: str, item_id: str) -> None:
        self.path(area, item_id).unlink(missing_ok=True)

    def prune(self, area: str, wanted: Callable[[str], bool]) -> list[str]:
        """Remove the contents whose owner is gone (``wanted(id)`` false); the ids removed. Run on
        start (a crash between moving a file into place and storing its metadata) and after deletions
        that take attachments with them."""
        removed = []
        for path in (self.root / area).iterdir():
            if not _ID.match(path.name) or not wanted(path.name):
                path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed
