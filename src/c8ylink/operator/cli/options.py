"""Global flags every `c8y` leaf command accepts (go-c8y-cli.md §6.1, the part sessions need), and the
context a command works with (``OperatorContext``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from c8ylink.operator.environment import Surroundings

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class GlobalFlags:
    session: str | None = None
    session_mode: str | None = None
    insecure: bool = False
    output: str | None = None
    select: tuple[str, ...] = ()
    force: bool = False
    no_color: bool = False
    verbose: bool = False
    debug: bool = False
    dry: bool = False


def _store(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        flags = ctx.find_root().meta.setdefault("c8y.flags", GlobalFlags())
        if value not in (None, False, ()):
            setattr(flags, attribute, value)

    return callback


_OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--session",), {"help": "Session name or file (for this command)", "attr": "session"}),
    (
        ("--sessionMode",),
        {"help": "Session mode for this command: prod, qual, dev, ci", "attr": "session_mode"},
    ),
    (("--insecure", "-k"), {"is_flag": True, "help": "Skip TLS certificate checks", "attr": "insecure"}),
    (("--output", "-o"), {"help": "Output format: json, csv, csvheader, table", "attr": "output"}),
    (
        ("--select",),
        {"multiple": True, "help": "Properties to print (comma-separated dot paths)", "attr": "select"},
    ),
    (("--force", "-f"), {"is_flag": True, "help": "Do not ask for confirmation", "attr": "force"}),
    (("--noColor", "-M"), {"is_flag": True, "help": "No colours in the output", "attr": "no_color"}),
    (("--verbose", "-v"), {"is_flag": True, "help": "Verbose logging", "attr": "verbose"}),
    (("--debug",), {"is_flag": True, "help": "Debug logging", "attr": "debug"}),
    (("--dry",), {"is_flag": True, "help": "Show what would be sent, send nothing", "attr": "dry"}),
]


def global_options(function: F) -> F:
    """Add the global flags to a leaf command (they land in ``OperatorContext.flags``)."""
    for names, settings in reversed(_OPTIONS):
        options = dict(settings)
        attribute = options.pop("attr")
        function = click.option(*names, expose_value=False, callback=_store(attribute), **options)(function)
    return function


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@dataclass
class OperatorContext:
    flags: GlobalFlags
    where: Surroundings


def operator_context(ctx: click.Context, *, prompts: str = "terminal") -> OperatorContext:
    """The flags and surroundings of this run. ``prompts``: ``terminal`` (stdin or /dev/tty with a
    terminal on stderr), ``stdin`` (only when stdin itself is a terminal) or ``none``."""
    from c8ylink.infra.prompts import NoPrompter, stdin_prompter, terminal_prompter

    flags = ctx.find_root().meta.setdefault("c8y.flags", GlobalFlags())
    env = dict(os.environ)
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    if prompts == "terminal":
        prompter = terminal_prompter()
    elif prompts == "stdin":
        prompter = stdin_prompter()
    else:
        prompter = NoPrompter()
    where = Surroundings(
        env=env,
        cwd=Path.cwd(),
        user_home=home,
        stdout_tty=_isatty(sys.stdout),
        stderr_tty=_isatty(sys.stderr),
        stdin_tty=_isatty(sys.stdin),
        prompter=prompter,
        err=sys.stderr,
    )
    return OperatorContext(flags, where)
