"""`tedge config get|set|unset|add|remove|list`: every verb derived from the TEDGE schema.

stdout carries values only; warnings and errors go to stderr. Exit codes as upstream: 0 ok, 1 error
(including "not set"), 2 for a key or profile name that is not valid on the command line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any, NoReturn

import click

from c8ylink.core.errors import C8yLinkError, ConfigNotSetError
from c8ylink.core.settings.errors import DerivedValueMissingError, KeyParseError
from c8ylink.core.settings.resolve import Settings
from c8ylink.core.settings.schema import KeyRef
from c8ylink.core.settings.types import ParseContext
from c8ylink.device.cli.errors import failing_to, invalid_value
from c8ylink.device.cli.options import env_profile, option_profile, profile_option
from c8ylink.device.config.settings import TEDGE
from c8ylink.device.config.store import TedgeConfigStore

if TYPE_CHECKING:
    from c8ylink.core.settings.edit import DocumentEdit
    from c8ylink.device.cli.context import TedgeContext

PROFILE_HELP = (
    "The cloud profile to use when the key is a cloud setting (c8y.*); leave it out for the default profile."
)
SECRET_MASK = "********"
NewTable = Callable[[], MutableMapping[str, Any]]


@click.group("config", context_settings={"help_option_names": ["-h", "--help"]})
def config_cmd() -> None:
    """Configure Thin Edge."""


def _store(ctx: TedgeContext) -> TedgeConfigStore:
    return TedgeConfigStore(ctx.config_dir, env=ctx.env)


def _key(ctx: TedgeContext, text: str, profile: str | None, *, writing: bool) -> KeyRef:
    """The key the user means, with ``--profile`` (or ``TEDGE_CLOUD_PROFILE``) applied."""
    try:
        parsed = TEDGE.parse_key(text, writing=writing)
    except KeyParseError as exc:
        raise invalid_value(exc.argument, "<KEY>", str(exc)) from None
    if parsed.warning:
        ctx.console.warning(parsed.warning)
    chosen = option_profile(profile)
    if chosen is not None:
        return TEDGE.with_profile(parsed.ref, chosen)
    from_env = env_profile(ctx.env)
    if from_env is not None and parsed.ref.group is not None and parsed.ref.profile is None:
        return TEDGE.with_profile(parsed.ref, from_env)
    return parsed.ref


def _warn(ctx: TedgeContext, warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        ctx.console.warning(warning)


@config_cmd.command("get")
@click.argument("key")
@profile_option(PROFILE_HELP)
@click.pass_obj
def get_cmd(ctx: TedgeContext, key: str, profile: str | None) -> None:
    """Get the value of the provided configuration key"""
    ref = _key(ctx, key, profile, writing=False)
    with failing_to(f"get the configuration value for key: '{ref.name}'"):
        settings = _store(ctx).load()
        _warn(ctx, settings.warnings)
        try:
            text = settings.display(ref)
        except ConfigNotSetError:
            _fail(f"The provided config key: '{ref.name}' is not set")
        except DerivedValueMissingError as exc:
            _fail(f"The provided config key: '{ref.name}' is not configured: {exc.detail}")
    click.echo(text)


def _fail(message: str) -> NoReturn:
    """Print ``message`` to stderr and exit 1 without the ``Error:`` trailer (upstream's get)."""
    click.echo(message, err=True)
    click.get_current_context().exit(1)


def _change(
    ctx: TedgeContext, description: str, verb: Callable[[DocumentEdit, MutableMapping[str, Any]], None]
) -> None:
    """Run one edit of tedge.toml; errors read ``Error: failed to <description>``."""
    from c8ylink.core.settings.edit import DocumentEdit

    parse_context = ParseContext(cwd=os.getcwd())

    def edit(current: Callable[[], Settings], doc: MutableMapping[str, Any], new_table: NewTable) -> None:
        verb(DocumentEdit(TEDGE, current, parse_context, new_table), doc)

    with failing_to(description):
        _warn(ctx, _store(ctx).update(edit))


@config_cmd.command("set")
@click.argument("key")
@click.argument("value")
@profile_option(PROFILE_HELP)
@click.pass_obj
def set_cmd(ctx: TedgeContext, key: str, value: str, profile: str | None) -> None:
    """Set or update the provided configuration key with the given value"""
    ref = _key(ctx, key, profile, writing=True)
    description = f"set the configuration key: '{ref.name}' with value: {value}."
    _change(ctx, description, lambda edit, doc: edit.set(doc, ref, value))


@config_cmd.command("unset")
@click.argument("key")
@profile_option(PROFILE_HELP)
@click.pass_obj
def unset_cmd(ctx: TedgeContext, key: str, profile: str | None) -> None:
    """Unset the provided configuration key"""
    ref = _key(ctx, key, profile, writing=True)
    _change(ctx, f"unset the configuration key: '{ref.name}'.", lambda edit, doc: edit.unset(doc, ref))


@config_cmd.command("add")
@click.argument("key")
@click.argument("value")
@profile_option(PROFILE_HELP)
@click.pass_obj
def add_cmd(ctx: TedgeContext, key: str, value: str, profile: str | None) -> None:
    """Append or set the provided configuration key with the given value"""
    ref = _key(ctx, key, profile, writing=True)
    description = f"add the configuration key: '{ref.name}' with value: {value}."
    _change(ctx, description, lambda edit, doc: edit.add(doc, ref, value))


@config_cmd.command("remove")
@click.argument("key")
@click.argument("value")
@profile_option(PROFILE_HELP)
@click.pass_obj
def remove_cmd(ctx: TedgeContext, key: str, value: str, profile: str | None) -> None:
    """Remove value from the provided configuration key"""
    ref = _key(ctx, key, profile, writing=True)
    description = f"remove the configuration key: '{ref.name}' with value: {value}."
    _change(ctx, description, lambda edit, doc: edit.remove(doc, ref, value))


@config_cmd.command("list")
@click.option(
    "--all",
    "is_all",
    is_flag=True,
    help="Prints all the configuration keys, even those without a configured value",
)
@click.option("--doc", "is_doc", is_flag=True, help="Prints all keys and descriptions with example values")
@click.argument("filter", required=False)
@click.pass_obj
def list_cmd(ctx: TedgeContext, is_all: bool, is_doc: bool, filter: str | None) -> None:
    """Print the configuration keys and their values"""
    if is_doc:
        from c8ylink.core.settings.docs import render_key_docs

        keys = [key for key in TEDGE.keys if not filter or filter in key.name]
        tty = sys.stdout.isatty()
        color = tty and sys.stderr.isatty() and "NO_COLOR" not in ctx.env
        click.echo(render_key_docs(keys, blank_lines=not tty, color=color), nl=False)
        return
    with failing_to("list the configuration keys and values"):
        settings = _store(ctx).load()
    _warn(ctx, settings.warnings)
    missing: list[str] = []
    lines: list[str] = []
    for ref in settings.listing():
        if filter and filter not in ref.name:
            continue
        try:
            text = settings.display(ref)
        except C8yLinkError:
            missing.append(ref.name)
            continue
        lines.append(f"{ref.name}={SECRET_MASK if ref.key.secret else text}")
    if is_all and missing:
        lines += ["", *(f"{name}=" for name in missing)]
    if lines:
        click.echo("\n".join(lines))
