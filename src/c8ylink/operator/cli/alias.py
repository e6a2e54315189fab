"""``c8y alias list | set | delete``: go-c8y-cli's command aliases, stored in the active session file
(``settings.aliases``); ``settings.commonAliases`` of the global ``settings.json`` are listed and
expanded too (``operator.aliases``; the expansion happens in ``operator.cli.main``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from c8ylink.operator.aliases import COMMON_KEY, SESSION_KEY, AliasError, aliases_of, check_new_alias
from c8ylink.operator.cli.options import OperatorContext, global_options, operator_context

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group(name="alias", context_settings=CONTEXT)
def alias_cmd() -> None:
    """Command shortcuts: list, set and delete aliases."""


def _session(ops: OperatorContext) -> Any:
    from c8ylink.core.errors import SessionError
    from c8ylink.operator.active import load_active_session, no_session_loaded

    session = load_active_session(ops.where, ops.flags.session)
    if not session.path:
        if not session.host:
            raise no_session_loaded()
        raise SessionError("no session file is active: aliases are stored in it (run set-session first)")
    return session


def _stored_aliases(path: Path) -> tuple[Any, dict[str, str]]:
    from c8ylink.operator.sessions.model import get_setting
    from c8ylink.operator.sessions.store import load_session

    stored = load_session(path)
    value = get_setting(stored.settings, SESSION_KEY, {})
    return stored, dict(value) if isinstance(value, dict) else {}


@alias_cmd.command(name="list", context_settings=CONTEXT)
@global_options
def list_cmd() -> None:
    """List the aliases: the session's, then the common ones of the global settings.json.

    \b
    Examples:
      c8y alias list
      c8y alias list -o json
    """
    from c8ylink.core.errors import SessionError
    from c8ylink.operator.active import load_active_session
    from c8ylink.operator.sessions.model import get_setting

    ops = operator_context(click.get_current_context(), prompts="none")
    try:
        session_settings = load_active_session(ops.where, ops.flags.session).settings
    except SessionError:
        session_settings = {}
    common = get_setting(ops.where.global_settings(), COMMON_KEY, {})
    sections = (
        ("session aliases", aliases_of({SESSION_KEY: get_setting(session_settings, SESSION_KEY, {})})),
        ("common aliases", aliases_of({SESSION_KEY: common})),
    )
    if ops.flags.output == "json" or (ops.flags.output is None and not ops.where.stdout_tty):
        for title, aliases in sections:
            scope = title.split(" ")[0]
            for name in sorted(aliases):
                click.echo(json.dumps({"name": name, "command": aliases[name], "scope": scope}))
        return
    if not any(aliases for _, aliases in sections):
        click.echo("no aliases configured", err=True)
    for title, aliases in sections:
        if aliases:
            click.echo(f"\n{title}")
            for name in sorted(aliases):
                click.echo(f"{name}: {aliases[name]}")


@alias_cmd.command(name="set", context_settings=CONTEXT)
@click.argument("name")
@click.argument("expansion")
@click.option("--shell", "-s", is_flag=True, help="Run the expansion through a shell interpreter (sh)")
@global_options
def set_cmd(name: str, expansion: str, shell: bool) -> None:
    """Create a shortcut for a c8y command (stored in the session file).

    The expansion may name positional placeholders ($1, $2, ...) for the arguments after the alias;
    with --shell (or an expansion starting with !) it runs through sh, so it can use | and >.

    \b
    Examples:
      c8y alias set createTestDevice 'devices create --template test.device.json'
      c8y alias set listAlarmsByType 'alarms list --type="$1"'
      c8y alias set --shell findInAudit 'c8y auditrecords list --dateFrom=-30d --includeAll | grep $1'
    """
    from c8ylink.operator.cli.spec import ALIASES, REST_GROUPS, SUBCOMMANDS
    from c8ylink.operator.sessions.store import save_session

    ops = operator_context(click.get_current_context(), prompts="none")
    if shell and not expansion.startswith("!"):
        expansion = "!" + expansion
    commands = frozenset({*SUBCOMMANDS, *REST_GROUPS, *ALIASES})
    expansion = check_new_alias(name, expansion, commands)
    path = Path(_session(ops).path)
    stored, aliases = _stored_aliases(path)
    old = aliases.get(name)
    aliases[name] = expansion
    save_session(stored.with_setting(SESSION_KEY, aliases), path)
    message = f"✓ Changed alias {name} from {old} to {expansion}" if old else "✓ Added alias."
    click.echo(message, err=True)


@alias_cmd.command(name="delete", context_settings=CONTEXT)
@click.argument("name")
@global_options
def delete_cmd(name: str) -> None:
    """Delete an alias of the session.

    \b
    Examples:
      c8y alias delete createTestDevice
    """
    from c8ylink.operator.sessions.store import save_session

    ops = operator_context(click.get_current_context(), prompts="none")
    path = Path(_session(ops).path)
    stored, aliases = _stored_aliases(path)
    if name not in aliases:
        raise AliasError(f"no such alias {name}")
    expansion = aliases.pop(name)
    save_session(stored.with_setting(SESSION_KEY, aliases or None), path)
    click.echo(f"✓ Deleted alias {name}; was {expansion}", err=True)
