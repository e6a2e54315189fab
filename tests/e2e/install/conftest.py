"""Helpers of the install tests: the console scripts of this venv as processes, read-only directories."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

BIN = Path(sys.executable).parent
SYSTEM_PYTHON = "/usr/bin/python3"


def run(
    program: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``BIN/program args`` with the test's environment (plus ``env``)."""
    return subprocess.run(
        [str(BIN / program), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[str]:
    """Make the (empty) ``directory`` unwritable for this test's processes; yields how.

    As root, permissions do not stop a process: a read-only tmpfs is mounted on it (EROFS, as a
    read-only /etc), or, where mounting is not allowed, it is made immutable (``chattr +i``). Otherwise
    mode 0555 is enough."""
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            yield "chmod 0555"
        finally:
            directory.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(directory)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode == 0:
        try:
            yield "read-only tmpfs"
        finally:
            subprocess.run(["umount", str(directory)], check=True)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(directory)], check=False).returncode != 0:
        import pytest

        pytest.skip("running as root without mount or chattr: no way to make a directory read-only")
    try:
        yield "chattr +i"
    finally:
        subprocess.run([chattr, "-i", str(directory)], check=True)
