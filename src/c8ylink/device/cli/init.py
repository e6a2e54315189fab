"""`tedge init [--user U] [--group G] [--relative-links]`: prepare the machine for the tedge services.

Creates (or corrects) ``/etc/tedge`` and its sub-directories, ``/var/tedge`` and ``/var/log/tedge``
owned by the user and group with mode 0775, adds ``include_dir /etc/tedge/mosquitto-conf`` to
``/etc/mosquitto/mosquitto.conf`` once and, when systemd is the service manager (``system.toml`` and
the running init), installs the units of ``tedge-mapper-c8y``, ``tedge-mapper-c8y@<profile>`` and
``tedge-agent`` pointing at this install's executables (``device.install``). Where ``tedge-agent`` or
``tedge-mapper`` is missing next to ``tedge``, it links them to ``tedge`` (absolute, or with
``--relative-links`` relative), which answers to those names (``device.install.links``). Where
``apt-get`` is on PATH, it links ``<config-dir>/sm-plugins/apt`` to this install's ``tedge-apt-plugin``
(a plugin the user put there is left alone), and writes the diagnostic plugins of `tedge diag collect`
into ``/usr/share/tedge/diag-plugins`` (the default of ``diag.plugin_paths``). Safe to run again.

The hidden ``--root DIR`` option (env ``C8YLINK_ROOT``) puts ``DIR`` in front of every path written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from c8ylink.device.cli.context import TedgeContext

HELP = {"help_option_names": ["-h", "--help"]}


@click.command("init", context_settings=HELP)
@click.option(
    "--user", default="tedge", show_default=True, help="The user who will own the directories created"
)
@click.option(
    "--group", default="tedge", show_default=True, help="The group who will own the directories created"
)
@click.option(
    "--relative-links",
    is_flag=True,
    help="Create symlinks to the tedge binary using a relative path (e.g. ./tedge) instead of an absolute "
    "path (e.g. /usr/bin/tedge)",
)
@click.option("--root", default="/", envvar="C8YLINK_ROOT", hidden=True, type=click.Path(file_okay=False))
@click.pass_obj
def init_cmd(ctx: TedgeContext, user: str, group: str, relative_links: bool, root: str) -> None:
    """Initialize Thin Edge"""
    from c8ylink.core.errors import C8yLinkError
    from c8ylink.device.install.apply import init_failed, run_init
    from c8ylink.device.install.layout import InitSpec

    spec = InitSpec(config_dir=str(ctx.config_dir), user=user, group=group)
    try:
        report = run_init(spec, root=root, relative_links=relative_links)
    except C8yLinkError as exc:
        raise init_failed(exc) from exc
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
