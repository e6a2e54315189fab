"""`tedge completions bash|zsh|fish`: print the shell completion script of `tedge`.

tedge completions bash > /etc/bash_completion.d/tedge       # or: source <(tedge completions bash)
"""

from __future__ import annotations

import click

from c8ylink.infra.cli.completion import SHELLS

HELP = {"help_option_names": ["-h", "--help"]}


@click.command("completions", context_settings=HELP)
@click.argument("shell", type=click.Choice(SHELLS))
def completions_cmd(shell: str) -> None:
    """Generate shell completions"""
    from c8ylink.device.cli.root import tedge
    from c8ylink.device.cli.spec import PROG
    from c8ylink.infra.cli.completion import render_completion_script

    click.echo(render_completion_script(tedge, PROG, shell), nl=False)
