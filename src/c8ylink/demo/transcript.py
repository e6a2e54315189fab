"""What the demo prints: numbered steps, each command as a user would type it, its output, ✓ / ✗.

Everything goes to one stream (stdout by default) in the order it happens, so ``c8ylink demo | tee log``
keeps the whole story. Colour only on a terminal without ``NO_COLOR``.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TextIO

_BOLD, _GREEN, _RED, _DIM, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[31m", "\x1b[2m", "\x1b[0m"


class Transcript:
    def __init__(self, stream: TextIO | None = None, *, color: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        if color is None:
            color = _isatty(self.stream) and "NO_COLOR" not in os.environ
        self.color = color
        self._lock = threading.Lock()

    def _paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def write(self, text: str) -> None:
        with self._lock:
            self.stream.write(text)
            self.stream.flush()

    def step(self, number: int, title: str) -> None:
        self.write("\n" + self._paint(f"== {number}. {title}", _BOLD) + "\n")

    def note(self, text: str) -> None:
        self.write(self._paint(f"# {text}", _DIM) + "\n")

    def command(self, shown: str) -> None:
        self.write(self._paint("$ ", _BOLD) + shown + "\n")

    def output(self, line: str) -> None:
        self.write(line if line.endswith("\n") else line + "\n")

    def ok(self, text: str) -> None:
        self.write(self._paint("✓", _GREEN) + f" {text}\n")

    def failed(self, text: str) -> None:
        self.write(self._paint("✗", _RED) + f" {text}\n")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
