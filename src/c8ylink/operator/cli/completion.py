"""``c8y completion bash|zsh|fish|powershell``: the shell's completion script for ``c8y``.

The scripts call ``c8y`` back with ``_C8Y_COMPLETE`` set (click's shell completion), so commands, the
REST groups, their flags and the global flags complete as the command line is read. PowerShell (which
click does not ship) is added here with the same protocol as bash's.

    source <(c8y completion bash)          # bash (~/.bashrc)
    c8y completion fish | source           # fish
    c8y completion powershell | Out-String | Invoke-Expression
"""

from __future__ import annotations

import os
import sys

import click
from click.shell_completion import (
    CompletionItem,
    ShellComplete,
    add_completion_class,
    get_completion_class,
    split_arg_string,
)

SHELLS = ("bash", "zsh", "fish", "powershell")

_POWERSHELL = """\
Register-ArgumentCompleter -Native -CommandName %(prog_name)s -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $line = $commandAst.ToString()
    $end = [Math]::Min($cursorPosition - $commandAst.Extent.StartOffset, $line.Length)
    $words = $line.Substring(0, $end)
    $count = ($words -split '\\s+' | Where-Object { $_ -ne '' }).Count
    if ($wordToComplete -ne '') { $count = $count - 1 }
    $env:COMP_WORDS = $words
    $env:COMP_CWORD = $count
    $env:%(complete_var)s = 'powershell_complete'
    %(prog_name)s | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
    Remove-Item Env:\\COMP_WORDS, Env:\\COMP_CWORD, Env:\\%(complete_var)s
}
"""


class PowerShellComplete(ShellComplete):
    """Completion for PowerShell: one completion value per line."""

    name = "powershell"
    source_template = _POWERSHELL

    def get_completion_args(self) -> tuple[list[str], str]:
        words = split_arg_string(os.environ.get("COMP_WORDS", ""))
        cword = int(os.environ.get("COMP_CWORD", "0") or 0)
        return words[1:cword], (words[cword] if cword < len(words) else "")

    def format_completion(self, item: CompletionItem) -> str:
        return str(item.value)


add_completion_class(PowerShellComplete)


def completion_script(shell: str) -> str:
    from c8ylink.operator.cli.root import c8y

    kind = get_completion_class(shell)
    if kind is None:  # pragma: no cover - click.Choice checked it
        raise click.UsageError(f"unknown shell {shell!r}")
    return kind(c8y, {}, "c8y", "_C8Y_COMPLETE").source()


@click.command(name="completion", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("shell", type=click.Choice(SHELLS))
def completion_cmd(shell: str) -> None:
    """Print the completion script of a shell (bash, zsh, fish, powershell).

    \b
    Examples:
      source <(c8y completion bash)
      c8y completion zsh > "${fpath[1]}/_c8y"
      c8y completion fish > ~/.config/fish/completions/c8y.fish
      c8y completion powershell | Out-String | Invoke-Expression
    """
    sys.stdout.write(completion_script(shell).rstrip("\n") + "\n")
