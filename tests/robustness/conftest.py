"""The bad-input corpus (issue 16): shared helpers.

Every case asserts what a user relies on when they feed a command or a service something wrong: one
clear error (no traceback, no "internal error"), the documented exit code or HTTP status, and files
byte-for-byte as before (``snapshot``/``unchanged``). Cases are tables; each module is one input surface.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

INTERNAL = ("Traceback", "internal error", "this is a bug in c8ylink")


def snapshot(*roots: Path) -> dict[str, str]:
    """sha256 and mode of every file below ``roots`` (files that do not exist are left out)."""
    found: dict[str, str] = {}
    for root in roots:
        paths: Iterable[Path] = (
            [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        )
        for path in paths:
            found[str(path)] = (
                f"{hashlib.sha256(path.read_bytes()).hexdigest()} {path.stat().st_mode & 0o777:o}"
            )
    return found


def assert_clean_error(text: str, *, first: str = "") -> None:
    """An error a person can read: something said, no traceback or internal-error banner; its first
    line starts with ``first``."""
    assert text.strip(), "no error message at all"
    for marker in INTERNAL:
        assert marker not in text, text
    if first:
        assert text.lstrip().startswith(first), text


class _Script:
    """What ``CliRunner`` needs of a command: a name and ``main``; ``main`` is the console script's,
    so the click-free fast paths, the error rendering and the exit codes are the real ones."""

    def __init__(self, name: str, main: Callable[[list[str]], Any]) -> None:
        self.name = name
        self._main = main

    def main(self, args: Sequence[str], prog_name: str | None = None, **_: Any) -> None:
        self._main(list(args))


def run_script(
    name: str, main: Callable[[list[str]], Any], args: Sequence[str], env: Mapping[str, str] | None = None
) -> Result:
    """Run a console script in-process (no subprocess: the corpus stays fast)."""
    runner = CliRunner()
    return runner.invoke(_Script(name, main), list(args), env=dict(env or {}), catch_exceptions=False)  # type: ignore[arg-type]
