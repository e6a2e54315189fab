"""Human-facing progress on stderr: ``<Label>... ✓`` / ``✗`` steps, and warning/info/error lines.

The format is thin-edge.io's (reference tedge.md §3.3): a spinner redraws ``<Label>... <frame>`` every
50 ms only when stderr is a terminal; the final line is always ``<Label>... ✓`` or ``<Label>... ✗``
followed by ``error: <message>: <cause>: ...``. Colour only when stdout and stderr are both terminals
and ``NO_COLOR`` is not set (``FORCE_COLOR`` forces it).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from c8ylink.core.errors import C8yLinkError, StepFailed, error_chain

SPINNER_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_GREEN, _YELLOW, _RED, _RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[0m"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class StepResult:
    """What a non-fatal step ended with; ``error`` is set when it failed."""

    error: C8yLinkError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Console:
    """Writes progress for people to ``stream`` (stderr by default); data never goes through here."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        env: Mapping[str, str] | None = None,
        color: bool | None = None,
        spinner: bool | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        environ = os.environ if env is None else env
        tty = _isatty(self.stream)
        if color is None:
            color = bool(environ.get("FORCE_COLOR")) or (
                tty and _isatty(sys.stdout) and "NO_COLOR" not in environ
            )
        self.color = color
        self.spinner = tty if spinner is None else spinner
        self._lock = threading.Lock()

    def _paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def line(self, text: str = "") -> None:
        with self._lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def warning(self, text: str) -> None:
        self.line(f"{self._paint('warning', _YELLOW)}: {text}")

    def info(self, text: str) -> None:
        self.line(f"{self._paint('info', _GREEN)}: {text}")

    def error(self, text: str) -> None:
        self.line(f"{self._paint('error', _RED)}: {text}")

    def success(self, text: str) -> None:
        self.line(f"{self._paint('✓', _GREEN)} {text}")

    @contextmanager
    def step(self, label: str, *, fatal: bool = True) -> Iterator[StepResult]:
        """Run the body as one step.

        On success prints ``<label>... ✓``. When the body raises a ``C8yLinkError`` prints
        ``<label>... ✗`` and ``error: ...``; then raises ``StepFailed`` (fatal) or records the error in
        the yielded ``StepResult`` and carries on (not fatal).
        """
        result = StepResult()
        stop = self._start_spinner(label)
        try:
            yield result
        except C8yLinkError as exc:
            stop()
            self.line(f"{label}... {self._paint('✗', _RED)}")
            self.error(": ".join(error_chain(exc)))
            if isinstance(exc, StepFailed) or fatal:
                raise StepFailed(str(exc), exit_code=exc.exit_code) from exc
            result.error = exc
            return
        except BaseException:
            stop()
            self.line(f"{label}... {self._paint('✗', _RED)}")
            raise
        stop()
        self.line(f"{label}... {self._paint('✓', _GREEN)}")

    def _start_spinner(self, label: str) -> _Stopper:
        if not self.spinner:
            return _Stopper(None, None)
        done = threading.Event()

        def spin() -> None:
            frame = 0
            while not done.wait(0.05):
                with self._lock:
                    self.stream.write(f"\r{label}... {SPINNER_FRAMES[frame % len(SPINNER_FRAMES)]}")
                    self.stream.flush()
                frame += 1

        thread = threading.Thread(target=spin, name=f"spinner:{label}", daemon=True)
        thread.start()
        return _Stopper(done, thread, self)


class _Stopper:
    def __init__(
        self, done: threading.Event | None, thread: threading.Thread | None, console: Console | None = None
    ) -> None:
        self._done, self._thread, self._console = done, thread, console

    def __call__(self) -> None:
        if self._done is None or self._thread is None or self._console is None:
            return
        self._done.set()
        self._thread.join()
        self._done = None
        with self._console._lock:
            self._console.stream.write("\r\x1b[2K")
            self._console.stream.flush()
