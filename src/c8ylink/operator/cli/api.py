"""``c8y api [METHOD] [PATH]``: any REST request (``operator.api.raw``), with the global flags."""

from __future__ import annotations

import click

from c8ylink.core.errors import UsageError
from c8ylink.operator.cli.options import rest_options
from c8ylink.operator.cli.rest import run_invocation

METHODS = ("GET", "POST", "PUT", "DELETE")


@click.command(name="api", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("words", nargs=-1, metavar="[METHOD] [PATH]")
@click.option("--method", "-X", "method", default=None, help="HTTP method (default GET)")
@click.option("--url", "url", default=None, help="Path and query, e.g. /inventory/managedObjects?pageSize=1")
@click.option("--data", "-d", "data", default=None, help="Body: JSON or shorthand a=1,b.c=x (piped JSON too)")
@click.option("--accept", "accept", default=None, help="Accept header (default application/json)")
@click.option("--contentType", "content_type", default=None, help="Content-Type (default application/json)")
@rest_options
def api_cmd(  # noqa: PLR0917 (click passes the options as arguments)
    words: tuple[str, ...],
    method: str | None,
    url: str | None,
    data: str | None,
    accept: str | None,
    content_type: str | None,
) -> None:
    """Send any REST request to the tenant of the session.

    \b
    Examples:
      c8y api /inventory/managedObjects --select id,name
      c8y api POST /inventory/managedObjects --data name=hello --sessionMode dev
      c8y devices list | c8y api GET      (the self link of each device)
    """
    from c8ylink.operator.api.raw import api_spec

    items = list(words)
    if len(items) == 2 and items[0].isalpha() and items[0].upper() not in METHODS:
        raise UsageError(f"invalid method {items[0]!r}: use one of {', '.join(METHODS)}")
    if items and items[0].upper() in METHODS:
        if method is not None and method.upper() != items[0].upper():
            raise UsageError(f"two methods given: {items[0]} and --method {method}")
        method = items.pop(0)
    if items:
        if url is not None or len(items) > 1:
            raise UsageError(f"unexpected argument(s): {' '.join(items)} (c8y api [METHOD] [PATH])")
        url = items[0]
    raw = {"url": url, "data": data, "accept": accept, "contentType": content_type}
    run_invocation("api", api_spec(method or "GET"), raw)
