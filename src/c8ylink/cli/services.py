"""``c8ylink services systemd | supervisord``: the tedge services under systemd or supervisord.

    c8ylink services systemd [--unit-dir /etc/systemd/system] [--user tedge]
    c8ylink services supervisord --dir /var/lib/tedge/supervisord [--config-dir /etc/tedge]
    supervisord -c /var/lib/tedge/supervisord/supervisord.conf
    tedge connect c8y

The click plumbing only: what is written, and how, is ``device.services.supervisord_setup``. Programs
whose executable cannot be found are left out (and named on stderr); run the command again once they
are installed.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

HELP = {"help_option_names": ["-h", "--help"]}
DEFAULT_DIR = "/var/lib/tedge/supervisord"


@click.group("services", context_settings=HELP)
def services_cmd() -> None:
    """Service managers for the tedge services: systemd units, or supervisord off systemd."""


@services_cmd.command("systemd", context_settings=HELP)
@click.option(
    "--unit-dir",
    default="/etc/systemd/system",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the unit files go",
)
@click.option("--user", default="tedge", show_default=True, help="The user the services run as")
@click.option(
    "--bin-dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where tedge-mapper and tedge-agent are [default: next to this Python, else PATH]",
)
def systemd_cmd(unit_dir: Path, user: str, bin_dir: Path | None) -> None:
    """Write the systemd units of tedge-mapper-c8y, tedge-mapper-c8y@<profile> and tedge-agent"""
    from c8ylink.core.errors import C8yLinkError
    from c8ylink.device.install.apply import install_units, write_units
    from c8ylink.device.install.units import render_units

    units = install_units(user, str(bin_dir) if bin_dir else None)
    if units is None:
        raise C8yLinkError(f"tedge-mapper or tedge-agent not found in {bin_dir or 'this install or PATH'}")
    written = write_units(str(unit_dir.absolute()), render_units(units))
    for name in written:
        click.echo(unit_dir.absolute() / name)
    if written:
        click.echo("then: systemctl daemon-reload", err=True)


@services_cmd.command("supervisord", context_settings=HELP)
@click.option(
    "--dir",
    "work_dir",
    default=DEFAULT_DIR,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where supervisord.conf, mosquitto.conf, the socket and the logs go",
)
@click.option(
    "--config-dir",
    envvar="TEDGE_CONFIG_DIR",
    default="/etc/tedge",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The tedge configuration directory [env: TEDGE_CONFIG_DIR]",
)
@click.option("--mosquitto", default=None, help="The mosquitto executable [default: found on PATH]")
@click.option(
    "--bin-dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where supervisorctl, tedge-mapper and tedge-agent are [default: next to this Python, else PATH]",
)
def supervisord_cmd(work_dir: Path, config_dir: Path, mosquitto: str | None, bin_dir: Path | None) -> None:
    """Write a supervisord setup for mosquitto, the mapper and the agent; point system.toml at it"""
    from c8ylink.device.services.supervisord_setup import (
        build_supervisord_spec,
        missing_programs,
        write_supervisord_setup,
    )

    work_dir, config_dir = work_dir.absolute(), config_dir.absolute()
    spec = build_supervisord_spec(work_dir, config_dir, mosquitto=mosquitto, bin_dir=bin_dir, env=os.environ)
    for name in missing_programs(spec):
        click.echo(f"warning: {name} is not installed: supervisord will not run it", err=True)
    write_supervisord_setup(spec, work_dir, config_dir, env=os.environ)
    click.echo(f"supervisord -c {spec.supervisord_conf}")
