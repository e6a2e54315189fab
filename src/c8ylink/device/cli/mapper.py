"""`tedge-mapper c8y [--profile P]`: the Cumulocity mapper as a foreground service.

Global options (``--config-dir``, ``--debug``, ``--log-level``) are accepted before or after ``c8y``.
Logs go to stderr; SIGTERM stops it cleanly (exit 0); invalid settings exit 1 with the usual
``Error: ...`` lines.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NoReturn

import click

from c8ylink.device.cli.context import TedgeContext
from c8ylink.device.cli.errors import failing_to, render_tedge_error
from c8ylink.device.cli.options import profile_option, selected_profile, service_options, service_version
from c8ylink.device.cli.root import hoist_global_options
from c8ylink.infra.cli.run import run_cli


@click.group("tedge-mapper", context_settings={"help_option_names": ["-h", "--help"]})
@service_options
@service_version("tedge-mapper")
@click.pass_context
def mapper_cmd(ctx: click.Context, config_dir: str | None, debug: bool, log_level: str | None) -> None:
    """tedge-mapper translates thin-edge.io data model to cloud provider data model"""
    ctx.obj = TedgeContext.from_environment(config_dir, os.environ, debug=debug, log_level=log_level)


@mapper_cmd.command("c8y")
@profile_option("The cloud profile to use.")
@click.option(
    "--operation-source",
    type=click.Choice(["json", "smartrest"]),
    default="json",
    show_default=True,
    help="Read cloud operations from c8y/devicecontrol/notifications (json) or c8y/s/ds (smartrest)",
)
@click.pass_obj
def c8y_cmd(ctx: TedgeContext, profile: str | None, operation_source: str) -> None:
    """Run the Cumulocity mapper (and its local HTTP proxy)"""
    from c8ylink.device.mapper.main import run_c8y_mapper

    level = ctx.log_level or ("debug" if ctx.debug else "info")
    with failing_to("start tedge-mapper c8y"):
        chosen = selected_profile(profile, ctx.env)
        run_c8y_mapper(
            ctx.config_dir, ctx.env, profile=chosen, log_level=level, operation_source=operation_source
        )


def main(args: Sequence[str] | None = None) -> NoReturn:
    import sys

    argv = list(sys.argv[1:] if args is None else args)
    run_cli(mapper_cmd, render_tedge_error, args=hoist_global_options(argv), prog_name="tedge-mapper")
