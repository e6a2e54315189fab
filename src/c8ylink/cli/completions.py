"""`c8ylink completions bash|zsh|fish`: print the shell completion script of `c8ylink`."""

from __future__ import annotations

import click

from c8ylink.infra.cli.completion import SHELLS

HELP = {"help_option_names": ["-h", "--help"]}


@click.command("completions", context_settings=HELP)
@click.argument("shell", type=click.Choice(SHELLS))
def completions_cmd(shell: str) -> None:
    """Generate shell completions."""
    from c8ylink.cli.root import c8ylink
    from c8ylink.infra.cli.completion import render_completion_script

    click.echo(render_completion_script(c8ylink, "c8ylink", shell), nl=False)
