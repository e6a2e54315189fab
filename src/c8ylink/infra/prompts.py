"""Interactive prompts for people, on stderr (stdout carries data, often captured by ``eval``).

``TerminalPrompter`` asks on a terminal: text and hidden input with the standard library, select
lists and confirmations with questionary (imported only when a list is shown). ``NoPrompter`` is what
non-interactive runs get: every question is an error that says which flag to use instead.

    prompter.text("Enter host", default="")     prompter.secret("Enter c8y password")
    prompter.select("Select mode", [("prod", "read only"), ...], default="prod")  -> value
    prompter.confirm("Create managed object on hello?")  -> bool
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from c8ylink.core.errors import C8yLinkError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol, TextIO
else:  # start-up: no ``typing`` at run time; the protocol exists for the type checker
    Protocol = object

Choice = tuple[str, str]  # (value, description)
CANCELLED_EXIT = 2


class PromptCancelled(C8yLinkError):
    """The user pressed Ctrl-C/Ctrl-D or declined (go-c8y-cli exit code 2)."""

    exit_code = CANCELLED_EXIT


class Prompter(Protocol):
    interactive: bool

    def text(self, label: str, *, default: str = "", required: bool = True) -> str: ...
    def secret(self, label: str) -> str: ...
    def select(self, label: str, choices: Sequence[Choice], *, default: str | None = None) -> str: ...
    def confirm(self, label: str, *, default: bool = True) -> bool: ...
    def write(self, text: str) -> None: ...


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class NoPrompter:
    """No terminal: questions fail with a hint (``hint`` names the flag that answers them)."""

    interactive = False

    def __init__(self, err: TextIO | None = None) -> None:
        self._err = err or sys.stderr

    def _refuse(self, label: str) -> C8yLinkError:
        return UsageError(f"{label.rstrip(': ')}: no terminal to prompt on (give the value as a flag)")

    def text(self, label: str, *, default: str = "", required: bool = True) -> str:
        if default or not required:
            return default
        raise self._refuse(label)

    def secret(self, label: str) -> str:
        raise self._refuse(label)

    def select(self, label: str, choices: Sequence[Choice], *, default: str | None = None) -> str:
        if default is not None:
            return default
        raise self._refuse(label)

    def confirm(self, label: str, *, default: bool = True) -> bool:
        raise self._refuse(label)

    def write(self, text: str) -> None:
        self._err.write(text)
        self._err.flush()


class TerminalPrompter:
    """Prompts on ``err`` (stderr), answers read from ``tty_in`` (stdin, or /dev/tty when piped)."""

    interactive = True

    def __init__(self, tty_in: TextIO, err: TextIO) -> None:
        self._in = tty_in
        self._err = err

    def write(self, text: str) -> None:
        self._err.write(text)
        self._err.flush()

    def _readline(self, label: str) -> str:
        line = self._in.readline()
        if not line:
            raise PromptCancelled(unanswered(label))
        return line.rstrip("\r\n")

    def text(self, label: str, *, default: str = "", required: bool = True) -> str:
        suffix = f" [{default}]" if default else ""
        while True:
            self.write(f"? {label}{suffix}: ")
            answer = self._readline(label).strip() or default
            if answer or not required:
                return answer
            self.write("  a value is required\n")

    def secret(self, label: str) -> str:
        import getpass

        try:
            return getpass.getpass(f"? {label}: ", stream=self._err)
        except (EOFError, KeyboardInterrupt):
            self.write("\n")
            raise PromptCancelled(unanswered(label)) from None

    def select(self, label: str, choices: Sequence[Choice], *, default: str | None = None) -> str:
        if not choices:
            raise UsageError(f"{label}: nothing to choose from")
        import questionary

        width = max(len(value) for value, _ in choices)
        items = [
            questionary.Choice(title=choice_title(value, text, width), value=value) for value, text in choices
        ]
        picked = next((item for item in items if item.value == default), None)
        answer = questionary.select(label, choices=items, default=picked, **self._io()).ask()
        if answer is None:
            raise PromptCancelled(unanswered(label))
        return str(answer)

    def confirm(self, label: str, *, default: bool = True) -> bool:
        hint = "[Y/n]" if default else "[y/N]"
        while True:
            self.write(f"? {label} {hint} ")
            answer = self._readline(label).strip().lower()
            if not answer:
                return default
            if answer in ("y", "yes", "a"):
                return True
            if answer in ("n", "no"):
                return False

    def _io(self) -> dict[str, Any]:
        from prompt_toolkit.input import create_input
        from prompt_toolkit.output import create_output

        return {"input": create_input(stdin=self._in), "output": create_output(stdout=self._err)}


def unanswered(label: str) -> str:
    """What a cancelled prompt reports (``cancelled: no answer to 'Select mode'``)."""
    return f"no answer to {label.split(' [', 1)[0].rstrip('?: ')!r}"


def choice_title(value: str, text: str, width: int) -> str:
    """How a select list shows a choice: ``value  text`` in aligned columns (a tab shows as ``^I``).

    ``value`` is left out when ``text`` starts with it (``prod (read only)``, ``#01 json my-session``)."""
    if not text:
        return value
    if text.startswith(value):
        return text
    return f"{value:<{width}}  {text}"


def terminal_prompter(stdin: TextIO | None = None, err: TextIO | None = None) -> Prompter:
    """A prompter on the terminal: stdin when it is one, else /dev/tty; ``NoPrompter`` without one."""
    stdin = stdin or sys.stdin
    err = err or sys.stderr
    if not _isatty(err):
        return NoPrompter(err)
    if _isatty(stdin):
        return TerminalPrompter(stdin, err)
    try:
        tty = open(os.ctermid(), encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    except OSError:
        return NoPrompter(err)
    return TerminalPrompter(tty, err)


def stdin_prompter(stdin: TextIO | None = None, err: TextIO | None = None) -> Prompter:
    """Interactive only when both stdin and stderr are terminals (the mode-mismatch question)."""
    stdin = stdin or sys.stdin
    err = err or sys.stderr
    if _isatty(stdin) and _isatty(err):
        return TerminalPrompter(stdin, err)
    return NoPrompter(err)
