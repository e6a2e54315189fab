"""`c8y`: the root command (go-c8y-cli). Subcommands are imported only when they run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import click

from c8ylink.infra.cli.lazy import LazyGroup
from c8ylink.infra.cli.run import run_cli
from c8ylink.operator.cli.errors import render_c8y_error
from c8ylink.operator.cli.spec import (
    ALIASES,
    DOC,
    GLOBAL_FLAGS,
    GLOBAL_OPTIONS_WITH_VALUE,
    PROG,
    SUBCOMMANDS,
)


class C8yGroup(LazyGroup):
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, ALIASES.get(cmd_name, cmd_name))


@click.group(
    cls=C8yGroup,
    lazy_subcommands={name: target for name, (target, _) in SUBCOMMANDS.items()},
    lazy_help={name: text for name, (_, text) in SUBCOMMANDS.items()},
    context_settings={"help_option_names": ["-h", "--help"]},
    help=DOC,
)
@click.version_option(package_name="c8ylink", prog_name=PROG, message="%(prog)s %(version)s")
def c8y() -> None:
    pass


def hoist_global_options(args: Sequence[str]) -> list[str]:
    """Global flags given before the command (``c8y --session x sessions get``) move behind it."""
    items = list(args)
    moved: list[str] = []
    while items and items[0].startswith("-") and items[0] not in ("-h", "--help", "--version", "--"):
        name = items[0].split("=", 1)[0]
        if name in GLOBAL_OPTIONS_WITH_VALUE:
            take = 1 if "=" in items[0] else 2
        elif name in GLOBAL_FLAGS:
            take = 1
        else:
            break
        moved += items[:take]
        items = items[take:]
    if not moved:
        return items
    separator = items.index("--") if "--" in items else len(items)
    return items[:separator] + moved + items[separator:]


def main(args: Sequence[str] | None = None) -> NoReturn:
    import sys

    argv = list(sys.argv[1:] if args is None else args)
    run_cli(c8y, render_c8y_error, args=hoist_global_options(argv), prog_name=PROG)
