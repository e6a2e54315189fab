"""The script commands of an installed extension as a click group, built only when ``c8y <name>`` names
one: ``commands/<a>/<b>`` runs as ``c8y <name> a b [ARGS...]``; every argument after the script's name,
``--help`` included, goes to the script (as go-c8y-cli does), and its exit code is c8y's. The commands of
``api/<file>.yaml`` run as ``c8y <name> <group> <command>`` (REST commands from
``operator.extensions.api_specs``); a malformed file is left out, and running the group named like the
file gives its error in one line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from c8ylink.operator.api.spec import GroupSpec
from c8ylink.operator.extensions.manifest import ExtensionError

_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


def build_extension_group(name: str, tree: dict[str, Any], help_text: str) -> click.Group:
    group = click.Group(name=name, help=help_text, context_settings={"help_option_names": ["-h", "--help"]})
    for entry, node in tree.items():
        if isinstance(node, dict):
            group.add_command(build_extension_group(entry, node, f"Commands under {entry}/"))
        else:
            group.add_command(_script_command(entry, node))
    return group


def _script_command(name: str, script: Path) -> click.Command:
    def run(args: tuple[str, ...]) -> None:
        sys.stdout.flush()
        try:
            done = subprocess.run([str(script), *args], check=False)
        except PermissionError:
            raise ExtensionError(f"extension command is not executable: {script} (chmod +x it)") from None
        except OSError as exc:
            raise ExtensionError(f"cannot run extension command {script}: {exc.strerror}") from None
        if done.returncode:
            sys.exit(done.returncode)

    return _pass_through(name, run, f"Extension command ({script})", "Extension script command")


def extension_group(name: str) -> click.Group | None:
    """The group of the installed extension ``name`` with a ``commands/`` folder, else None."""
    from c8ylink.core.errors import C8yLinkError
    from c8ylink.operator.active import load_active_session
    from c8ylink.operator.cli.surroundings import current_surroundings
    from c8ylink.operator.extensions.store import command_tree, extensions_root, find_installed, load_api
    from c8ylink.operator.settings import SettingsLayers

    where = current_surroundings("none")
    try:
        session = load_active_session(where, None).settings
    except C8yLinkError:
        session = {}
    settings = SettingsLayers(env=where.env, session=session, global_file=where.global_settings())
    found = find_installed(extensions_root(settings, where.session_home), name)
    if found is None or found.name != name:
        return None
    tree = command_tree(found)
    broken: list[tuple[Path, ExtensionError]] = []
    apis = load_api(found.path, lambda path, error: broken.append((path, error)))
    if not tree and not apis and not broken:
        return None
    group = build_extension_group(name, tree, f"Commands of the {found.folder} extension")
    for api in apis:
        group.add_command(build_api_group(name, api))
    for path, error in broken:
        if path.stem in group.commands:  # nothing to stand in for it: say so on every run
            click.echo(f"warning: {error}", err=True)
        else:
            group.add_command(_broken_command(path.stem, error))
    return group


def build_api_group(extension: str, spec: GroupSpec) -> click.Group:
    """``api/<file>.yaml`` as ``c8y <extension> <group> <command>``: each command built as the built-in
    REST commands are, so it runs through the same pipeline (lookups, --dry, paging, output)."""
    from c8ylink.operator.cli.rest import CONTEXT, build_command

    summary = spec.description.strip().splitlines()[0] if spec.description.strip() else spec.name
    group = click.Group(
        spec.name, help=spec.description, short_help=summary, context_settings=CONTEXT, hidden=spec.hidden
    )
    for command in spec.commands:
        group.add_command(build_command(f"{extension} {spec.name}", command))
    return group


def _broken_command(name: str, error: ExtensionError) -> click.Command:
    """Stands in for a malformed ``api/<name>.yaml`` (upstream names a file after its group): running
    it, ``--help`` included, is the error in one line; the other commands are not touched."""

    def fail(args: tuple[str, ...]) -> None:
        raise error

    return _pass_through(
        name, fail, f"Malformed api spec: {error}", "(malformed api spec: run it to see why)"
    )


def _pass_through(
    name: str, callback: Callable[[tuple[str, ...]], None], help_text: str, short_help: str
) -> click.Command:
    """A command that takes every argument as it is (``--help`` included) and hands them to ``callback``."""
    return click.Command(
        name=name,
        callback=callback,
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        help=help_text,
        short_help=short_help,
        context_settings=_PASS_THROUGH,
    )
