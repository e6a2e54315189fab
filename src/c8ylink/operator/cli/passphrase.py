"""`c8y sessions encryptText | decryptText | rotatePassphrase` (go-c8y-cli.md §1.8, §3)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from c8ylink.core.errors import SessionError
from c8ylink.operator.cli.options import OperatorContext, global_options, operator_context


def _passphrase(ops: OperatorContext, given: str | None) -> str:
    from c8ylink.operator.sessions.passphrase import Passphrases

    passphrases = Passphrases(ops.where.session_home, ops.where.env, ops.where.prompter)
    if given:
        return passphrases.verify_only(given)
    return passphrases.unlock().passphrase


@click.command(name="encryptText")
@click.option("--text", required=True, help="The text to encrypt")
@click.option("--passphrase", default=None, help="Passphrase [default: C8Y_PASSPHRASE or prompt]")
@click.option("--raw", is_flag=True, help="Print only the encrypted value")
@global_options
@click.pass_context
def encrypt_text_cmd(ctx: click.Context, text: str, passphrase: str | None, raw: bool) -> None:
    """Encrypt a text as {encrypted}<hex> (an encrypted text is printed unchanged)."""
    from c8ylink.operator.sessions.secrets import encrypt_text

    ops = operator_context(ctx)
    value = encrypt_text(text, _passphrase(ops, passphrase), os.urandom)
    click.echo(value if raw else f"Password: {value}")


@click.command(name="decryptText")
@click.option("--text", required=True, help="The {encrypted} text")
@click.option("--passphrase", default=None, help="Passphrase [default: C8Y_PASSPHRASE or prompt]")
@global_options
@click.pass_context
def decrypt_text_cmd(ctx: click.Context, text: str, passphrase: str | None) -> None:
    """Decrypt an {encrypted} text (a plain text is printed unchanged)."""
    from c8ylink.operator.sessions.secrets import decrypt_text, is_encrypted

    ops = operator_context(ctx)
    if not is_encrypted(text):
        click.echo(text)
        return
    # a passphrase given on the command line opens the text directly (it may come from elsewhere)
    click.echo(decrypt_text(text, passphrase or _passphrase(ops, None)))


@click.command(name="rotatePassphrase")
@click.option("--passphrase", default=None, help="The current passphrase [default: C8Y_PASSPHRASE or prompt]")
@click.option("--newPassphrase", "new_passphrase", default=None, help="The new passphrase [default: prompt]")
@global_options
@click.pass_context
def rotate_passphrase_cmd(ctx: click.Context, passphrase: str | None, new_passphrase: str | None) -> None:
    """Re-encrypt every {encrypted} value of every session with a new passphrase, then rewrite .key
    (--dry: only list what would be re-encrypted)."""
    from c8ylink.infra.files import write_atomic
    from c8ylink.operator.sessions.secrets import KEY_TEXT, check_passphrase_value, encrypt_text

    ops = operator_context(ctx)
    old = _passphrase(ops, passphrase)
    new = new_passphrase or _ask_new(ops)
    check_passphrase_value(new)
    dry_run = ops.flags.dry  # the global --dry
    rotated, failed = _rotate_files(ops, old, new, dry=dry_run)
    for path in rotated:
        click.echo(f"{'would re-encrypt' if dry_run else 're-encrypted'} {path}", err=True)
    for path in failed:
        click.echo(
            f"warning: left unchanged (does not decrypt with the current passphrase): {path}", err=True
        )
    if not dry_run:
        home = ops.where.session_home
        write_atomic(home / ".key", encrypt_text(KEY_TEXT, new, os.urandom), mode=0o600)
        click.echo(f"✓ Passphrase changed ({len(rotated)} session files re-encrypted)", err=True)
        if ops.where.env.get("C8Y_PASSPHRASE"):
            click.echo("warning: C8Y_PASSPHRASE still holds the old passphrase: unset or update it", err=True)


def _ask_new(ops: OperatorContext) -> str:
    prompter = ops.where.prompter
    first = prompter.secret("Enter new encryption passphrase 🔒 [input is hidden]")
    if prompter.secret("Confirm the encryption passphrase 🔒 [input is hidden]") != first:
        raise SessionError("the new passphrases differ: nothing was changed")
    return first


def _rotate_files(ops: OperatorContext, old: str, new: str, *, dry: bool) -> tuple[list[Path], list[Path]]:
    from c8ylink.operator.sessions.secrets import DecryptionError, decrypt_text, encrypt_text, is_encrypted
    from c8ylink.operator.sessions.store import list_session_files, save_session

    rotated: list[Path] = []
    failed: list[Path] = []
    for path, session in list_session_files(ops.where.session_home):
        values = {"password": session.password, "token": session.token}
        if not any(is_encrypted(value) for value in values.values()):
            continue
        try:
            plain = {key: decrypt_text(value, old) for key, value in values.items()}
        except DecryptionError:
            failed.append(path)
            continue
        sealed = {
            key: encrypt_text(plain[key], new, os.urandom) if is_encrypted(values[key]) else values[key]
            for key in values
        }
        if not dry:
            save_session(session._replace(password=sealed["password"], token=sealed["token"]), path)
        rotated.append(path)
    return rotated, failed
