"""``c8y activitylog list``: the entries of the activity log (``operator.activity_log``), filtered by
type and date, printed with the output flags of every command (``--select``, ``--filter``, ``-o``)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from c8ylink.operator.cli.options import operator_context, rest_options
from c8ylink.operator.cli.surroundings import isatty

CONTEXT = {"help_option_names": ["-h", "--help"]}
TYPES = ("request", "command", "user", "all")


@click.group(name="activitylog", context_settings=CONTEXT)
def activitylog_cmd() -> None:
    """The activity log: the commands and requests c8y made."""


@activitylog_cmd.command(name="list", context_settings=CONTEXT)
@click.option("--type", "kind", type=click.Choice(TYPES), default="request", show_default=True,
              help="Type of entry")  # fmt: skip
@click.option("--dateFrom", "date_from", default=None, help="Entries from this time (ISO time or -1h, -2d)")
@click.option("--dateTo", "date_to", default=None, help="Entries up to this time (ISO time or -1h, -2d)")
@rest_options
def list_cmd(kind: str, date_from: str | None, date_to: str | None) -> None:
    """Get activity log entries (requests of the session's host unless --type says otherwise).

    \b
    Examples:
      c8y activitylog list --dateFrom -1h
          Show entries from the last hour
      c8y activitylog list --dateFrom -8h --filter "method match PUT|POST"
          Show entries from the last 8 hours only included PUT and POST requests
      c8y activitylog list --filter "statusCode gt 299"
          Show all failed requests
    """
    from c8ylink.core.errors import SessionError
    from c8ylink.operator.active import load_active_session, settings_of
    from c8ylink.operator.activity_log import log_folder, read_entries
    from c8ylink.operator.api.output import Printer
    from c8ylink.operator.api.runner import Streams, output_options
    from c8ylink.operator.settings import SettingsLayers

    ops = operator_context(click.get_current_context(), prompts="none")
    now = datetime.now(UTC)
    start, end = _moment("dateFrom", date_from, now), _moment("dateTo", date_to, now)
    try:
        session = load_active_session(ops.where, ops.flags.session)
        settings = settings_of(session, ops.where)
        host = _host(session.host)
    except SessionError:
        settings, host = SettingsLayers(env=ops.where.env, global_file=ops.where.global_settings()), ""
    streams = Streams(
        sys.stdin, sys.stdout, sys.stderr, isatty(sys.stdin), isatty(sys.stdout), isatty(sys.stderr)
    )
    printer = Printer(output_options(ops.flags, streams), sys.stdout, sys.stderr)
    try:
        folder = log_folder(settings, str(ops.where.session_home))
        printer.items(list(read_entries(folder, kind=kind, date_from=start, date_to=end, host=host)))
    finally:
        printer.close()


def _moment(flag: str, text: str | None, now: datetime) -> datetime | None:
    if not text:
        return None
    from c8ylink.operator.api.times import parse_datetime

    moment = datetime.fromisoformat(parse_datetime(flag, text, now).replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url if "://" in url else f"https://{url}").netloc if url else ""
