"""``c8ylink``: the umbrella command; subcommands are imported only when invoked (cheap ``--help``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import click

from c8ylink.infra.cli.lazy import LazyGroup
from c8ylink.infra.cli.run import run_cli

# name -> ("module:attribute", one-line help); the module is imported only when the command runs
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "tenant": (
        "c8ylink.tenant.cli.root:tenant_cmd",
        "Run and administer the local Cumulocity-compatible tenant.",
    ),
    "services": (
        "c8ylink.cli.services:services_cmd",
        "Service managers for tedge's services (systemd, supervisord).",
    ),
    "completions": ("c8ylink.cli.completions:completions_cmd", "Generate shell completions."),
    "demo": ("c8ylink.demo.cli:demo_cmd", "Run the documented onboarding end to end on a local tenant."),
}


@click.group(
    cls=LazyGroup,
    lazy_subcommands={name: target for name, (target, _) in SUBCOMMANDS.items()},
    lazy_help={name: text for name, (_, text) in SUBCOMMANDS.items()},
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="c8ylink", prog_name="c8ylink", message="%(prog)s %(version)s")
def c8ylink() -> None:
    """c8ylink: a local Cumulocity-compatible tenant and the onboarding demo."""


def main(args: Sequence[str] | None = None) -> NoReturn:
    run_cli(c8ylink, args=args, prog_name="c8ylink")
