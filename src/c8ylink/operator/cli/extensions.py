"""``c8y extensions list | install | update | delete | create``: go-c8y-cli's extension manager
(``operator.extensions``). Messages for people go to stderr; ``list`` prints JSON lines when piped."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from c8ylink.operator.cli.options import OperatorContext, global_options, operator_context

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group(name="extensions", context_settings=CONTEXT)
def extensions_cmd() -> None:
    """Manage c8y extensions: git repositories of aliases, commands, templates and views.

    An extension's repository name starts with "c8y-"; its commands run as `c8y <name> ...` (without
    the prefix), its templates and views are named `<name>::<file>`. An extension cannot override a
    built-in command.
    """


def extensions_root(ops: OperatorContext) -> Path:
    """``<extensions.datadir or the session home>/extensions`` for this run."""
    from c8ylink.core.errors import C8yLinkError
    from c8ylink.operator.active import load_active_session
    from c8ylink.operator.extensions.store import extensions_root as root_of
    from c8ylink.operator.settings import SettingsLayers

    try:
        session = load_active_session(ops.where, ops.flags.session).settings
    except C8yLinkError:
        session = {}
    settings = SettingsLayers(env=ops.where.env, session=session, global_file=ops.where.global_settings())
    return root_of(settings, ops.where.session_home)


def _say(text: str) -> None:
    click.echo(text, err=True)


@extensions_cmd.command(name="list", context_settings=CONTEXT)
@global_options
def list_cmd() -> None:
    """List the installed extensions.

    \b
    Examples:
      c8y extensions list
      c8y extensions list -o json
    """
    from c8ylink.operator.extensions.manager import describe
    from c8ylink.operator.extensions.manifest import no_extensions
    from c8ylink.operator.extensions.store import installed

    ops = operator_context(click.get_current_context(), prompts="none")
    rows = [describe(item) for item in installed(extensions_root(ops))]
    if not rows:
        raise no_extensions()
    if ops.flags.output == "json" or (ops.flags.output is None and not ops.where.stdout_tty):
        for row in rows:
            click.echo(json.dumps(row.as_json()))
        return
    width = max(len(row.name) for row in rows)
    for row in rows:
        origin = "local" if row.is_local else f"{row.repo} {row.version}".strip()
        click.echo(f"{row.name:<{width}}  {origin}  {row.path}")


@extensions_cmd.command(name="install", context_settings=CONTEXT)
@click.argument("repository")
@click.option("--name", "name_flag", default="", help="Use a custom name for the extension")
@click.option("--pin", default="", help="Pin the extension to a release tag or commit ref")
@global_options
def install_cmd(repository: str, name_flag: str, pin: str) -> None:
    """Install an extension from a git repository or a local folder.

    The repository is "owner/repo" (GitHub), "host/owner/repo" or any git URL (file:// too); a local
    folder is linked, not copied ("." for the one you develop in).

    \b
    Examples:
      c8y extensions install owner/c8y-extension
      c8y extensions install https://git.example.com/owner/c8y-extension.git
      c8y extensions install .
    """
    from c8ylink.operator.cli.spec import is_command
    from c8ylink.operator.extensions.manager import install_git, install_local
    from c8ylink.operator.extensions.manifest import ExtensionError

    ops = operator_context(click.get_current_context(), prompts="none")
    root = extensions_root(ops)
    local = (ops.where.cwd / Path(repository).expanduser()) if "://" not in repository else None
    if local is not None and local.is_dir():
        if pin:
            raise ExtensionError("local extensions cannot be pinned")
        folder = install_local(root, local, name_flag, is_command)
    elif local is not None and local.exists():
        raise ExtensionError(f"not an extension folder nor a git repository: {repository}")
    else:
        folder = install_git(root, repository, name_flag, pin, is_command)
    _say(f"✓ Installed extension {folder}")
    if pin:
        _say(f"✓ Pinned extension at {pin}")


@extensions_cmd.command(name="update", context_settings=CONTEXT)
@click.argument("name", required=False, default="")
@click.option("--all", "update_all", is_flag=True, help="Update all extensions")
@global_options
def update_cmd(name: str, update_all: bool) -> None:
    """Update installed extensions (git pull); local ones are left as they are.

    \b
    Examples:
      c8y extensions update myext
      c8y extensions update --all
    """
    from c8ylink.operator.extensions.manager import UP_TO_DATE, is_failure, update
    from c8ylink.operator.extensions.manifest import ExtensionError

    if not name and not update_all:
        raise ExtensionError("specify an extension to update or `--all`")
    if name and update_all:
        raise ExtensionError("cannot use `--all` with extension name")
    ops = operator_context(click.get_current_context(), prompts="none")
    lines = update(extensions_root(ops), name, force=ops.flags.force)
    if name:
        outcome = lines[0][1]
        _say("✓ Extension already up to date" if outcome == UP_TO_DATE else f"✓ Updated extension {name}")
        return
    for extension, outcome in lines:
        _say(f"[{extension}]: {outcome}")
    if any(is_failure(outcome) for _, outcome in lines):
        raise ExtensionError("some extensions failed to upgrade")


@extensions_cmd.command(name="delete", context_settings=CONTEXT)
@click.argument("names", nargs=-1)
@global_options
def delete_cmd(names: tuple[str, ...]) -> None:
    """Remove installed extensions (a local one: only its link); names may be piped.

    \b
    Examples:
      c8y extensions delete myext
      c8y extensions list | c8y extensions delete
    """
    from c8ylink.operator.extensions.manager import remove
    from c8ylink.operator.extensions.manifest import ExtensionError

    ops = operator_context(click.get_current_context(), prompts="none")
    wanted = list(names) or ([] if ops.where.stdin_tty else _piped_names(sys.stdin.read()))
    if not wanted:
        raise ExtensionError("missing required argument or pipeline input: name")
    root = extensions_root(ops)
    errors: list[str] = []
    for item in wanted:
        try:
            _say(f"✓ Removed extension {remove(root, item)}")
        except ExtensionError as exc:
            errors.append(str(exc))
    if len(errors) == 1:
        raise ExtensionError(errors[0])
    if errors:
        raise ExtensionError(f"failed to remove {len(errors)} extension/s. errors={', '.join(errors)}")


def _piped_names(text: str) -> list[str]:
    """Names from piped lines: plain text, or the ``name`` of JSON lines (``extensions list``)."""
    found = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("{"):
            try:
                line = str(json.loads(line).get("name") or "")
            except (ValueError, AttributeError):
                line = raw.strip()
        if line:
            found.append(line)
    return found


@extensions_cmd.command(name="create", context_settings=CONTEXT)
@click.argument("name")
@global_options
def create_cmd(name: str) -> None:
    """Create a new extension (a git repository in the working directory, named c8y-<name>).

    \b
    Examples:
      c8y extensions create myext
    """
    from c8ylink.operator.extensions.scaffold import create

    ops = operator_context(click.get_current_context(), prompts="none")
    target = create(ops.where.cwd, name)
    short = target.name.removeprefix("c8y-")
    _say(
        f"✓ Created directory {target.name}\n✓ Initialized git repository\n✓ Set up extension scaffolding\n"
        f"\n{target.name} is ready for development!\n\nNext Steps\n"
        f"- run 'cd {target.name}; c8y extensions install .; c8y {short} list' to see it in action\n"
        "- commit and push it to a git repository to share it: c8y extensions install <url>"
    )
