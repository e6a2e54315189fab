"""`tedge-apt-plugin`: the sm-plugin of Debian packages (thin-edge.io's, ``device.sm_plugins.apt``).

Linked as ``<config-dir>/sm-plugins/apt``, tedge-agent calls it with ``list``, ``prepare``, ``install
NAME [--module-version V] [--file PATH]``, ``remove NAME [--module-version V]``, ``update-list`` (stdin)
and ``finalize``. It reads ``apt.name``, ``apt.maintainer`` (the ``list`` filters when no flag gives
them) and ``apt.dpk.options.config`` from tedge.toml. Exit codes, as the plugin API says: 0 done, 1 bad
usage, 2 the package command failed, 4 it was killed by a signal, 5 the plugin failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from c8ylink.core.errors import C8yLinkError, UsageError

FAILED, SIGNALLED, INTERNAL = 2, 4, 5


class PluginError(C8yLinkError):
    exit_code = INTERNAL


@click.group("tedge-apt-plugin", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config-dir", default=None, help="[env: TEDGE_CONFIG_DIR] [default: /etc/tedge]")
@click.pass_context
def apt_cmd(ctx: click.Context, config_dir: str | None) -> None:
    """Thin-edge.io plugin for software management using apt"""
    ctx.obj = Path(config_dir or os.environ.get("TEDGE_CONFIG_DIR") or "/etc/tedge")


@apt_cmd.command("list")
@click.option("-n", "--name", default=None, help="Filter packages list output by name")
@click.option("-m", "--maintainer", default=None, help="Filter packages list output by maintainer")
@click.pass_obj
def list_cmd(config_dir: Path, name: str | None, maintainer: str | None) -> int:
    """List all the installed modules"""
    from c8ylink.device.sm_plugins.apt import DPKG_QUERY, build_list_filter, parse_package_list

    settings = _settings(config_dir)
    if name is None:
        name = _optional(settings, "apt.name")
    if maintainer is None:
        maintainer = _optional(settings, "apt.maintainer")
    selected = build_list_filter(name, maintainer)
    try:
        answer = subprocess.run(DPKG_QUERY, capture_output=True, text=True, errors="replace", check=False)
    except OSError as exc:
        raise PluginError(f"Failed to execute dpkg-query: {exc.strerror or exc}") from exc
    for line in parse_package_list(answer.stdout, selected):
        click.echo(line)
    return _code(answer.returncode)


@apt_cmd.command("install")
@click.argument("module")
@click.option("-v", "--module-version", "version", default=None)
@click.option("--file", "file_path", default=None)
@click.pass_obj
def install_cmd(config_dir: Path, module: str, version: str | None, file_path: str | None) -> int:
    """Install a module"""
    from c8ylink.device.sm_plugins.apt import install_argv, package_spec

    with tempfile.TemporaryDirectory(prefix="tedge-apt-") as work:
        package = _deb_file(file_path, module, version, Path(work)) if file_path else None
        return _run(install_argv(_conf(config_dir), [package or package_spec(module, version)]))


@apt_cmd.command("remove")
@click.argument("module")
@click.option("-v", "--module-version", "version", default=None)
def remove_cmd(module: str, version: str | None) -> int:
    """Uninstall a module"""
    from c8ylink.device.sm_plugins.apt import package_spec, remove_argv

    return _run(remove_argv(package_spec(module, version)))


@apt_cmd.command("update-list")
@click.pass_obj
def update_list_cmd(config_dir: Path) -> int:
    """Install or remove multiple modules at once"""
    from c8ylink.device.sm_plugins.apt import install_argv, parse_update_list, update_arguments

    updates = parse_update_list(sys.stdin.read())
    with tempfile.TemporaryDirectory(prefix="tedge-apt-") as work:
        installers = {
            update.name: _deb_file(update.path, update.name, update.version, Path(work))
            for update in updates
            if update.action == "install" and update.path
        }
        return _run(install_argv(_conf(config_dir), update_arguments(updates, installers)))


@apt_cmd.command("prepare")
def prepare_cmd() -> int:
    """Prepare a sequences of install/remove commands"""
    from c8ylink.device.sm_plugins.apt import prepare_argv

    return _run(prepare_argv())


@apt_cmd.command("finalize")
def finalize_cmd() -> int:
    """Finalize a sequences of install/remove commands"""
    from c8ylink.device.sm_plugins.apt import finalize_argv

    return _run(finalize_argv())


def _settings(config_dir: Path) -> object | None:
    """The tedge settings, or None when they cannot be read (the plugin then uses its defaults)."""
    from c8ylink.device.config.store import load_tedge_settings

    try:
        return load_tedge_settings(config_dir, os.environ)
    except C8yLinkError as exc:
        sys.stderr.write(f"WARN: Failed to load the tedge configuration: {exc}\n")
        return None


def _optional(settings: object | None, name: str) -> str | None:
    try:
        value = settings.value(name) if settings is not None else None  # type: ignore[attr-defined]
    except C8yLinkError:
        return None
    return None if value is None else str(value)


def _conf(config_dir: Path) -> str:
    """``apt.dpk.options.config``; ``keepnew`` when tedge.toml cannot be read (as upstream)."""
    return _optional(_settings(config_dir), "apt.dpk.options.config") or "keepnew"


def _deb_file(path: str, module: str, version: str | None, work: Path) -> str:
    """The package file to install, checked to be the Debian package ``module`` (at ``version``); a
    file not named ``*.deb`` is linked under that name, which apt-get needs."""
    try:
        answer = subprocess.run(["dpkg-deb", "--field", path, "Package", "Version"], capture_output=True,
                                text=True, errors="replace", check=False)  # fmt: skip
    except OSError as exc:
        raise PluginError(f"Failed to execute dpkg-deb: {exc.strerror or exc}") from exc
    if answer.returncode != 0:
        raise PluginError(f"{path} is not a Debian package: {answer.stderr.strip()}")
    found = dict(line.split(": ", 1) for line in answer.stdout.splitlines() if ": " in line)
    expected = {"Package": module, **({"Version": version} if version else {})}
    for key, value in expected.items():
        if found.get(key) != value:
            raise PluginError(
                f"Metadata mismatch in {path}: expected {key} '{value}', found '{found.get(key, '')}'"
            )
    if path.endswith(".deb"):
        return os.path.abspath(path)
    link = work / f"{module}.deb"
    link.symlink_to(os.path.abspath(path))
    return str(link)


def _run(argv: list[str]) -> int:
    click.echo(f"Executing command: {' '.join(argv)}")
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, check=False,
                              env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip
    except OSError as exc:
        raise PluginError(f"Failed to execute {argv[0]}: {exc.strerror or exc}") from exc
    return _code(done.returncode)


def _code(returncode: int) -> int:
    if returncode < 0:
        sys.stderr.write("Interrupted by a signal!\n")
        return SIGNALLED
    return FAILED if returncode else 0


def main(args: Sequence[str] | None = None) -> NoReturn:
    argv = list(sys.argv[1:] if args is None else args)
    try:
        code = apt_cmd.main(args=argv, prog_name="tedge-apt-plugin", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(int(exc.exit_code))
    except click.ClickException as exc:
        exc.show()
        sys.exit(1)  # the plugin API's usage error (click says 2)
    except UsageError as exc:
        sys.stderr.write(f"{exc}\n")
        sys.exit(1)
    except C8yLinkError as exc:
        sys.stderr.write(f"ERROR: {exc}\n")
        sys.exit(INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)
