"""`c8y`: the root command (go-c8y-cli). Subcommands are imported only when they run; a REST group is
built from its spec module when it is invoked (``operator.cli.rest``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NoReturn

import click

from c8ylink.infra.cli.lazy import LazyGroup
from c8ylink.infra.cli.run import run_cli
from c8ylink.operator.cli.errors import render_c8y_error
from c8ylink.operator.cli.spec import (
    ALIASES,
    DOC,
    PROG,
    REST_GROUPS,
    SUBCOMMANDS,
    all_commands,
    extension_rows,
    hoist_global_options,
    is_command,
)


class C8yGroup(LazyGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, _ in all_commands()]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl(all_commands())
        extensions = extension_rows(os.environ)
        if extensions:
            with formatter.section("Extensions"):
                formatter.write_dl(extensions)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:  # suggest among the lazy commands too (click knows only loaded ones)
            name = args[0] if args else ""
            if not exc.message.startswith("No such command") or "Did you mean" in exc.message:
                raise
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise click.UsageError(f"No such command {name!r}.{hint}", ctx) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        name = ALIASES.get(cmd_name, cmd_name)
        if name in REST_GROUPS:
            from c8ylink.operator.cli.rest import build_group

            return build_group(name)
        found = super().get_command(ctx, name)
        if found is None and not is_command(name):  # an installed extension's commands
            from c8ylink.operator.cli.extension_commands import extension_group

            return extension_group(name)
        return found


@click.group(
    cls=C8yGroup,
    lazy_subcommands={name: target for name, (target, _) in SUBCOMMANDS.items()},
    lazy_help={**{name: text for name, (_, text) in SUBCOMMANDS.items()}, **REST_GROUPS},
    context_settings={"help_option_names": ["-h", "--help"]},
    help=DOC,
)
@click.version_option(package_name="c8ylink", prog_name=PROG, message="%(prog)s %(version)s")
def c8y() -> None:
    pass


__all__ = ["c8y", "hoist_global_options", "main"]


def main(args: Sequence[str] | None = None) -> NoReturn:
    import sys

    argv = list(sys.argv[1:] if args is None else args)
    import os

    if os.environ.get("_C8Y_COMPLETE"):  # a completion script calling back: PowerShell's class too
        import c8ylink.operator.cli.completion  # noqa: F401
    run_cli(c8y, render_c8y_error, args=hoist_global_options(argv), prog_name=PROG)
