"""`c8y settings list | update` (go-c8y-cli.md §1.1, §1.8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from c8ylink.core.errors import SessionError, UsageError
from c8ylink.operator.cli.options import OperatorContext, global_options, operator_context


@click.group(name="settings", context_settings={"help_option_names": ["-h", "--help"]})
def settings_cmd() -> None:
    """Settings of the CLI and of the active session."""


def _active(ops: OperatorContext) -> Any:
    from c8ylink.operator.active import load_active_session

    try:
        return load_active_session(ops.where, ops.flags.session)
    except SessionError as exc:
        if exc.exit_code == 102:  # no session: the defaults and the global file still apply
            return None
        raise


def settings_document(ops: OperatorContext) -> dict[str, Any]:
    from c8ylink.operator.sessions.model import with_setting
    from c8ylink.operator.settings import SettingsLayers, listed_keys

    session = _active(ops)
    layers = SettingsLayers(
        env=ops.where.env,
        session=session.settings if session else {},
        global_file=ops.where.global_settings(),
    )
    document: dict[str, Any] = {}
    for key in listed_keys():
        document = with_setting(document, key, layers.value(key))
    home = ops.where.session_home
    document = with_setting(document, "session.home", str(home))
    document = with_setting(document, "session.file", session.path if session else "")
    return with_setting(document, "activitylog.currentPath", str(home / "activitylog"))


@settings_cmd.command(name="list")
@global_options
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """Print the resolved settings (``--select session.home`` for one value)."""
    from c8ylink.infra.output.render import render_document, select_document

    ops = operator_context(ctx, prompts="none")
    document = settings_document(ops)
    output = ops.flags.output or ("table" if ops.where.stdout_tty else "json")
    selected = select_document(document, ops.flags.select, output) if ops.flags.select else document
    click.echo(render_document(selected, output), nl=False)


def _setting_key(key: str) -> tuple[str, str]:
    """``(settings key, environment variable)`` for ``update``; ``mode`` is ``session.mode``/``C8Y_MODE``."""
    from c8ylink.operator.settings import ENV_ALIASES, env_name, listed_keys

    if key.lower() == "mode":
        return "session.mode", ENV_ALIASES["session.mode"][0]
    wanted = key.lower().removeprefix("settings.")
    for known in listed_keys():
        if known.lower() == wanted:
            return known, env_name(known)
    raise UsageError(f"unknown setting {key!r}: use mode or one of {', '.join(sorted(listed_keys()))}")


@settings_cmd.command(name="update")
@click.argument("key")
@click.argument("value")
@click.option(
    "--shell", default=None, help="Print shell code setting it for this shell only (auto, bash, ...)"
)
@global_options
@click.pass_context
def update_cmd(ctx: click.Context, key: str, value: str, shell: str | None) -> None:
    """Change a setting in the active session file (or, with --shell, for this shell only)."""
    from c8ylink.operator.modes import check_mode_name
    from c8ylink.operator.sessions.env import choose_shell, render_env
    from c8ylink.operator.sessions.store import load_session, save_session

    ops = operator_context(ctx, prompts="none")
    setting, variable = _setting_key(key)
    if setting == "session.mode":
        value = check_mode_name(value)
    if shell is not None:
        click.echo(render_env({variable: value}, choose_shell(shell, ops.where.env)), nl=False)
        return
    session = _active(ops)
    if session is None:
        from c8ylink.operator.active import no_session_loaded

        raise no_session_loaded()
    if not session.path:
        raise SessionError("no session file is active: run set-session first (or pass --session NAME)")
    stored = load_session(Path(session.path))
    save_session(stored.with_setting(setting, _typed(value)), Path(session.path))
    click.echo(f"✓ Updated {setting}={value} in {session.path} (run set-session to reload)", err=True)


def _typed(value: str) -> Any:
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return value
