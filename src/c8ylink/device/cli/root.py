"""`tedge`: the root command.

Global options (``--config-dir``, ``--debug``, ``--log-level``) are accepted before or after the
subcommand, as upstream's clap ``global = true`` options are: ``main`` moves them to the front before
click parses the line.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NoReturn

import click

from c8ylink.device.cli.context import TedgeContext
from c8ylink.device.cli.errors import render_tedge_error
from c8ylink.device.cli.spec import (
    CONFIG_DIR_HELP,
    DEBUG_HELP,
    DOC,
    GLOBAL_FLAGS,
    GLOBAL_OPTIONS_WITH_VALUE,
    LOG_LEVEL_HELP,
    LOG_LEVELS,
    PROG,
    SUBCOMMANDS,
)
from c8ylink.infra.cli.lazy import LazyGroup
from c8ylink.infra.cli.run import run_cli


@click.group(
    cls=LazyGroup,
    lazy_subcommands={name: target for name, (target, _) in SUBCOMMANDS.items()},
    lazy_help={name: text for name, (_, text) in SUBCOMMANDS.items()},
    context_settings={"help_option_names": ["-h", "--help"]},
    help=DOC,
)
@click.option(
    "--config-dir",
    # readable=False: an unreadable directory is reported by the command, naming it, as for TEDGE_CONFIG_DIR
    type=click.Path(file_okay=False, readable=False, path_type=str),
    default=None,
    help=CONFIG_DIR_HELP,
)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    default=None,
    help=LOG_LEVEL_HELP,
)
@click.version_option(
    None, "-V", "--version", package_name="c8ylink", prog_name=PROG, message="%(prog)s %(version)s"
)
@click.pass_context
def tedge(ctx: click.Context, config_dir: str | None, debug: bool, log_level: str | None) -> None:
    ctx.obj = TedgeContext.from_environment(config_dir, os.environ, debug=debug, log_level=log_level)


def hoist_global_options(args: Sequence[str]) -> list[str]:
    """Move global options found after the subcommand to the front (stops at ``--``)."""
    front: list[str] = []
    rest: list[str] = []
    items = list(args)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--":
            rest += items[i:]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS_WITH_VALUE:
            if "=" in arg:
                front.append(arg)
            else:
                front += items[i : i + 2]
                i += 1
        elif arg in GLOBAL_FLAGS:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def main(args: Sequence[str] | None = None) -> NoReturn:
    import sys

    argv = list(sys.argv[1:] if args is None else args)
    run_cli(tedge, render_tedge_error, args=hoist_global_options(argv), prog_name=PROG)
