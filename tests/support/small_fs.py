"""A real file system to fill or turn read-only: a tmpfs of a given size, mounted for one test.

    with small_fs(tmp_path / "small", "256k") as fs:
        ...              # write files below fs.path
        fs.fill()        # write until ENOSPC: the next write of a byte fails
        fs.free()        # remove what fill() wrote
        fs.read_only()   # remount read-only (EROFS; root ignores file modes, so no chmod would do)
        fs.writable()

Mounting needs root (CAP_SYS_ADMIN); without it the test is skipped, saying so.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

FILLERS = ("filler", "filler-small")


class SmallFs:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fill(self) -> None:
        """Write until the file system refuses another byte (pages first, then single bytes)."""
        for name, chunk in zip(FILLERS, (b"\0" * 4096, b"\0"), strict=True):
            with (self.path / name).open("ab", buffering=0) as filler, contextlib.suppress(OSError):
                while True:
                    filler.write(chunk)

    def free(self) -> None:
        for name in FILLERS:
            (self.path / name).unlink(missing_ok=True)

    def read_only(self) -> None:
        _mount("-o", "remount,ro", str(self.path))

    def writable(self) -> None:
        _mount("-o", "remount,rw", str(self.path))

    def names(self) -> set[str]:
        """Every path below the mount, relative (to see that nothing was left behind)."""
        return {str(path.relative_to(self.path)) for path in self.path.rglob("*")}


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, timeout=30)


@contextlib.contextmanager
def small_fs(point: Path, size: str) -> Iterator[SmallFs]:
    point.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(point))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here (needs root/CAP_SYS_ADMIN): {exc}")
    try:
        yield SmallFs(point)
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False, capture_output=True, timeout=30)
