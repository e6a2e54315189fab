"""Simple line prompts for the CLIs (standard library only; menus live in ``infra.prompts``).

``read_secret`` does not echo on a terminal (``getpass`` on the controlling terminal); when stdin is
not a terminal (a pipe, a test) it reads one line of stdin, so ``echo "$PW" | tedge ...`` works.
"""

from __future__ import annotations

import sys
from typing import TextIO


def is_terminal(stream: TextIO | None = None) -> bool:
    stream = stream if stream is not None else sys.stdin
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _read_line(stdin: TextIO) -> str | None:
    line = stdin.readline()
    if not line:
        return None
    return line.rstrip("\r\n")


def read_line(prompt: str, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> str | None:
    """Show ``prompt`` (no newline) and read one line; ``None`` at end of input."""
    out = stdout if stdout is not None else sys.stdout
    out.write(prompt)
    out.flush()
    return _read_line(stdin if stdin is not None else sys.stdin)


def read_secret(prompt: str, *, stdin: TextIO | None = None, stderr: TextIO | None = None) -> str | None:
    """Ask for a secret without echoing it; ``None`` at end of input or when cancelled."""
    source = stdin if stdin is not None else sys.stdin
    if is_terminal(source):
        import getpass

        try:
            return getpass.getpass(prompt)
        except EOFError:
            return None
    err = stderr if stderr is not None else sys.stderr
    err.write(prompt)
    err.flush()
    value = _read_line(source)
    err.write("\n")
    err.flush()
    return value
