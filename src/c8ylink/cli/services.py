"""``c8ylink services supervisord``: set up supervisord as tedge's service manager in a directory.

    c8ylink services supervisord --dir /var/lib/tedge/supervisord [--config-dir /etc/tedge]
    supervisord -c /var/lib/tedge/supervisord/supervisord.conf
    tedge connect c8y

Writes ``supervisord.conf`` and ``mosquitto.conf`` into the directory (``device.supervisord``), the
``[init]`` table of ``<config-dir>/system.toml`` (other tables of an existing file are kept), and,
when there is none yet, ``<config-dir>/mosquitto-conf/tedge-mosquitto.conf`` so that mosquitto listens
on ``mqtt.bind.port`` from its first start. Programs whose executable cannot be found are left out
(and named on stderr); run the command again once they are installed.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from c8ylink.core.errors import C8yLinkError

if TYPE_CHECKING:
    from c8ylink.device.supervisord import SupervisordSpec

HELP = {"help_option_names": ["-h", "--help"]}
DEFAULT_DIR = "/var/lib/tedge/supervisord"


@click.group("services", context_settings=HELP)
def services_cmd() -> None:
    """Service managers for the tedge services on machines without systemd."""


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
    from c8ylink.device.supervisord import SupervisordSpec

    work_dir, config_dir = work_dir.absolute(), config_dir.absolute()
    spec = SupervisordSpec(
        work_dir=str(work_dir),
        config_dir=str(config_dir),
        supervisorctl=_find("supervisorctl", bin_dir) or "supervisorctl",
        true=shutil.which("true") or "/bin/true",
        mosquitto=mosquitto or shutil.which("mosquitto"),
        tedge_mapper=_find("tedge-mapper", bin_dir),
        tedge_agent=_find("tedge-agent", bin_dir),
        profiles=_profiles(config_dir),
    )
    for name, path in (("mosquitto", spec.mosquitto), ("tedge-mapper", spec.tedge_mapper),
                       ("tedge-agent", spec.tedge_agent)):  # fmt: skip
        if path is None:
            click.echo(f"warning: {name} is not installed: supervisord will not run it", err=True)
    _write_setup(spec, work_dir, config_dir)
    click.echo(f"supervisord -c {spec.supervisord_conf}")


def _find(name: str, bin_dir: Path | None) -> str | None:
    directory = bin_dir or Path(sys.executable).parent
    candidate = directory / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return None if bin_dir is not None else shutil.which(name)


def _profiles(config_dir: Path) -> tuple[str, ...]:
    from c8ylink.device.config_store import TedgeConfigStore

    try:
        settings = TedgeConfigStore(config_dir, env=os.environ).load()
    except C8yLinkError:
        return ()
    return tuple(settings.profile_names("c8y"))


def _write_setup(spec: SupervisordSpec, work_dir: Path, config_dir: Path) -> None:
    from c8ylink.device.bridge import MOSQUITTO_CONF_DIR, TEDGE_MOSQUITTO_CONF, render_tedge_mosquitto_conf
    from c8ylink.device.config_store import TedgeConfigStore
    from c8ylink.device.connect_config import build_listeners
    from c8ylink.device.supervisord import SYSTEM_TOML, init_table, render_supervisord_setup
    from c8ylink.infra.files import access_error, update_toml_document, write_atomic

    try:
        for directory in (work_dir / "log", config_dir / MOSQUITTO_CONF_DIR):
            directory.mkdir(mode=0o755, parents=True, exist_ok=True)
    except OSError as exc:
        raise access_error(exc.filename or work_dir, exc, "create") from None
    files = render_supervisord_setup(spec)
    system_toml = files.pop(SYSTEM_TOML)
    for name, text in files.items():
        write_atomic(work_dir / name, text, mode=0o644)
    system_path = config_dir / SYSTEM_TOML
    if system_path.exists():
        table = init_table(spec)

        def replace_init(
            document: MutableMapping[str, Any], new_table: Callable[[], MutableMapping[str, Any]]
        ) -> None:
            document["init"] = table

        update_toml_document(system_path, replace_init)
    else:
        write_atomic(system_path, system_toml, mode=0o644)
    listener_conf = config_dir / MOSQUITTO_CONF_DIR / TEDGE_MOSQUITTO_CONF
    if not listener_conf.exists():
        internal, external = build_listeners(TedgeConfigStore(config_dir, env=os.environ).load())
        write_atomic(listener_conf, render_tedge_mosquitto_conf(internal, external), mode=0o644)
