"""``c8y cache delete | renew``: the response cache of ``--cache`` (``operator.response_cache``)."""

from __future__ import annotations

import click

from c8ylink.operator.cli.options import OperatorContext, global_options, operator_context

CONTEXT = {"help_option_names": ["-h", "--help"]}


@click.group(name="cache", context_settings=CONTEXT)
def cache_cmd() -> None:
    """The response cache of --cache: delete or renew it."""


def _folder_and_ttl(ops: OperatorContext) -> tuple[str, float]:
    from c8ylink.core.errors import SessionError
    from c8ylink.operator.active import load_active_session, settings_of
    from c8ylink.operator.response_cache import cache_folder
    from c8ylink.operator.settings import SettingsLayers

    try:
        settings = settings_of(load_active_session(ops.where, ops.flags.session), ops.where)
    except SessionError:
        settings = SettingsLayers(env=ops.where.env, global_file=ops.where.global_settings())
    return cache_folder(settings, str(ops.where.session_home)), settings.seconds("defaults.cacheTTL")


@cache_cmd.command(name="delete", context_settings=CONTEXT)
@click.option("--age", default=None, help="Only cached answers older than this, e.g. 30s, 2m, 1h, 1d")
@click.option("--expired", is_flag=True, help="Only cached answers older than the cache TTL")
@global_options
def delete_cmd(age: str | None, expired: bool) -> None:
    """Delete the cache, or the cached answers older than --age or the TTL.

    \b
    Examples:
      c8y cache delete
          Remove all of the cache
      c8y cache delete --age 1h
          Remove cached answers older than 1 hour
    """
    from c8ylink.operator.response_cache import delete_cache, parse_ttl

    ops = operator_context(click.get_current_context(), prompts="none")
    folder, ttl = _folder_and_ttl(ops)
    older_than = ttl if expired else (parse_ttl(age.lstrip("-")) if age else None)
    removed = delete_cache(folder, older_than=older_than)
    click.echo(f"✓ Deleted {removed} cached answer{'s' if removed != 1 else ''} in {folder}", err=True)


@cache_cmd.command(name="renew", context_settings=CONTEXT)
@global_options
def renew_cmd() -> None:
    """Renew the cached answers: each gets a full time-to-live again.

    \b
    Examples:
      c8y cache renew
    """
    from c8ylink.operator.response_cache import renew_cache

    ops = operator_context(click.get_current_context(), prompts="none")
    folder, _ = _folder_and_ttl(ops)
    renewed = renew_cache(folder)
    click.echo(f"✓ Renewed {renewed} cached answer{'s' if renewed != 1 else ''} in {folder}", err=True)
