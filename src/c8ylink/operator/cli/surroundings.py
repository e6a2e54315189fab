"""What this process sees (environment, directories, terminals, how to prompt), gathered once for the
layers below the CLI. No click: the fast path of ``main`` uses it too."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from c8ylink.operator.environment import Surroundings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def current_surroundings(prompts: str = "terminal") -> Surroundings:
    """``prompts``: ``terminal`` (stdin or /dev/tty with a terminal on stderr), ``stdin`` (only when stdin
    itself is a terminal) or ``none``."""
    from c8ylink.infra.prompts import NoPrompter, Prompter, stdin_prompter, terminal_prompter

    env = dict(os.environ)
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    prompter: Prompter
    if prompts == "terminal":
        prompter = terminal_prompter()
    elif prompts == "stdin":
        prompter = stdin_prompter()
    else:
        prompter = NoPrompter()
    return Surroundings(
        env=env,
        cwd=Path.cwd(),
        user_home=home,
        stdout_tty=isatty(sys.stdout),
        stderr_tty=isatty(sys.stderr),
        stdin_tty=isatty(sys.stdin),
        prompter=prompter,
        err=sys.stderr,
    )
