"""`c8y sessions ...`: list, get, clone, clear here; create, login/set and the passphrase commands in
their own modules (imported only when they run)."""

from __future__ import annotations

from pathlib import Path

import click

from c8ylink.core.errors import SessionError
from c8ylink.infra.cli.lazy import LazyGroup
from c8ylink.operator.cli.options import OperatorContext, global_options, operator_context

LAZY: dict[str, tuple[str, str]] = {
    "create": ("c8ylink.operator.cli.create:create_cmd", "Create a new session"),
    "login": ("c8ylink.operator.cli.login:login_cmd", "Activate a session (prints shell code to eval)"),
    "set": ("c8ylink.operator.cli.login:set_cmd", "Pick and activate a session (as login)"),
    "encryptText": ("c8ylink.operator.cli.passphrase:encrypt_text_cmd", "Encrypt a text with the passphrase"),
    "decryptText": ("c8ylink.operator.cli.passphrase:decrypt_text_cmd", "Decrypt an {encrypted} text"),
    "rotatePassphrase": (
        "c8ylink.operator.cli.passphrase:rotate_passphrase_cmd",
        "Re-encrypt every session with a new passphrase",
    ),
}


@click.group(
    name="sessions",
    cls=LazyGroup,
    lazy_subcommands={name: target for name, (target, _) in LAZY.items()},
    lazy_help={name: text for name, (_, text) in LAZY.items()},
    context_settings={"help_option_names": ["-h", "--help"]},
)
def sessions_cmd() -> None:
    """Cumulocity sessions: files under C8Y_SESSION_HOME (default ~/.cumulocity)."""


def pick_session(ops: OperatorContext, terms: list[str]) -> Path:
    """The picker (go-c8y-cli.md §1.7): one match is taken as is; several are offered on a terminal."""
    from c8ylink.operator.sessions.listing import filtered, session_entries

    home = ops.where.session_home
    entries = filtered(session_entries(str(home)), terms) if home.is_dir() else []
    if not entries:
        raise SessionError(
            f"no sessions found in {home}" + (f" matching {' '.join(terms)!r}" if terms else "")
        )
    if len(entries) == 1:
        return Path(entries[0]["path"])
    prompter = ops.where.prompter
    if not prompter.interactive:
        raise SessionError(
            f"{len(entries)} sessions match: name one with --session NAME (no terminal to pick one on)"
        )
    labels = [_picker_label(index, entry) for index, entry in enumerate(entries, 1)]
    paths = {label.split(" ", 1)[0]: entry["path"] for label, entry in zip(labels, entries, strict=True)}
    choices = [(label.split(" ", 1)[0], label) for label in labels]  # "#01": shown as its label alone
    return Path(paths[prompter.select("Select a session", choices, default=choices[0][0])])


def _picker_label(index: int, entry: dict[str, str]) -> str:
    name = Path(entry["path"]).name
    ext = Path(name).suffix.lstrip(".")[:4]
    host = entry["host"].split("://", 1)[-1]
    who = "/".join(part for part in (entry["tenant"], entry["username"]) if part)
    return f"#{index:02d} {ext:<4} {Path(name).stem[:30]:<30} {host} ({who})"


@sessions_cmd.command(name="list")
@click.option("--sessionFilter", "session_filter", default="", help="Only sessions matching all these words")
@click.argument("terms", nargs=-1)
@global_options
@click.pass_context
def list_cmd(ctx: click.Context, session_filter: str, terms: tuple[str, ...]) -> None:
    """Pick a session on a terminal (prints its path); JSON lines of every session when piped."""
    from c8ylink.operator.sessions.listing import filtered, render_lines, session_entries
    from c8ylink.operator.sessions.store import ensure_home

    ops = operator_context(ctx)
    words = [*session_filter.split(), *terms]
    home = ensure_home(ops.where.session_home)
    if not ops.where.stdout_tty:
        click.echo(render_lines(filtered(session_entries(str(home)), words)), nl=False)
        return
    click.echo(str(pick_session(ops, words)))


def _public_document(ops: OperatorContext) -> dict[str, object]:
    from c8ylink.operator.active import load_active_session
    from c8ylink.operator.sessions.model import format_session_document, normalize_host

    session = load_active_session(ops.where, ops.flags.session)
    document = format_session_document(session)
    document.pop("$schema", None)
    for secret in ("password", "token"):
        if document.get(secret):
            document[secret] = "********"
    credential = document.get("credential")
    if credential:
        document["credential"] = "********"
    document["host"] = normalize_host(session.host) if session.host else ""
    document["path"] = session.path
    if session.session_uri:
        document["sessionUri"] = session.session_uri
    return document


@sessions_cmd.command(name="get")
@global_options
@click.pass_context
def get_cmd(ctx: click.Context) -> None:
    """Print the active session (secrets masked)."""
    from c8ylink.infra.output.render import render_document, select_document

    ops = operator_context(ctx, prompts="none")
    document = _public_document(ops)
    output = ops.flags.output or ("table" if ops.where.stdout_tty and ops.flags.select else "json")
    selected = select_document(document, ops.flags.select, output)
    click.echo(render_document(selected, output), nl=False)


@sessions_cmd.command(name="clone")
@click.option("--newName", "new_name", required=True, help="Name of the new session file")
@click.option("--mode", "--type", "mode", default=None, help="Session mode of the copy: dev, qual, prod, ci")
@click.option("--fileType", "file_type", type=click.Choice(["json"]), default="json", show_default=True)
@global_options
@click.pass_context
def clone_cmd(ctx: click.Context, new_name: str, mode: str | None, file_type: str) -> None:
    """Copy the active session's file (encrypted values too) under a new name."""
    from c8ylink.operator.active import active_session_name, no_session_loaded
    from c8ylink.operator.modes import check_mode_name
    from c8ylink.operator.sessions.model import session_file_name
    from c8ylink.operator.sessions.store import find_session_file, load_session, save_session

    ops = operator_context(ctx, prompts="none")
    name, _ = active_session_name(ops.where, ops.flags.session)
    if not name:
        raise no_session_loaded()
    if "://" in name.removeprefix("file://"):
        raise SessionError("no session file is active to clone: run set-session or pass --session NAME")
    source = find_session_file(name, ops.where.session_home, ops.where.cwd)
    session = load_session(source)
    if mode:
        session = session.with_setting("session.mode", check_mode_name(mode))
        session = session._replace(mode="")
    target = ops.where.session_home / session_file_name(new_name)
    if target.exists():
        raise SessionError(f"{target} already exists: choose another --newName or remove it first")
    path = save_session(session._replace(path=str(target)), target)
    if ops.where.stderr_tty:
        click.echo(f"✓ Cloned session file to {path}", err=True)
    if not ops.where.stdout_tty or not ops.where.stderr_tty:
        click.echo(str(path))


@sessions_cmd.command(name="clear")
@click.option("--shell", "shell", default="auto", show_default=True, help="auto, bash, zsh, fish, powershell")
@global_options
@click.pass_context
def clear_cmd(ctx: click.Context, shell: str) -> None:
    """Print the shell code that unsets every session variable."""
    from c8ylink.operator.sessions.env import choose_shell, render_clear

    ops = operator_context(ctx, prompts="none")
    click.echo(render_clear(choose_shell(shell, ops.where.env)), nl=False)
