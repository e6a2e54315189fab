"""Shell completion scripts for a click command (bash, zsh, fish), on click's completion protocol.

    render_completion_script(tedge, "tedge", "bash")   # the script to source, e.g. in ~/.bashrc

The script asks the program itself for candidates: it runs it with ``_<PROG>_COMPLETE=<shell>_complete``
(``COMP_WORDS``/``COMP_CWORD`` for bash), which click's ``main`` answers before parsing the line.
"""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")


def complete_var(prog_name: str) -> str:
    """The environment variable that switches ``prog_name`` into completion mode."""
    return f"_{prog_name}_COMPLETE".replace("-", "_").upper()


def render_completion_script(command: click.Command, prog_name: str, shell: str) -> str:
    """The completion script of ``prog_name`` for ``shell`` (one of ``SHELLS``)."""
    from click.shell_completion import get_completion_class

    completion_class = get_completion_class(shell)
    if completion_class is None or shell not in SHELLS:
        raise ValueError(f"no completion for the shell {shell!r}")
    script = completion_class(command, {}, prog_name, complete_var(prog_name)).source()
    return script if script.endswith("\n") else script + "\n"
