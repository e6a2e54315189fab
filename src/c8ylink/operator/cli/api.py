"""``c8y api [METHOD] [PATH]``: any REST request (``operator.api.raw``), with the global flags."""

from __future__ import annotations

import click

from c8ylink.core.errors import UsageError
from c8ylink.operator.cli.options import rest_options
from c8ylink.operator.cli.rest import run_invocation
from c8ylink.operator.flags import parse_switch_value

METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


@click.command(name="api", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("words", nargs=-1, metavar="[METHOD] [PATH]")
@click.option("--method", "-X", "method", default=None, help="HTTP method (default GET)")
@click.option("--url", "url", default=None, help="Path and query, e.g. /inventory/managedObjects?pageSize=1")
@click.option("--data", "-d", "data", default=None, help="Body: JSON or shorthand a=1,b.c=x (piped JSON too)")
@click.option("--accept", "accept", default=None, help="Accept header (default application/json)")
@click.option("--contentType", "content_type", default=None, help="Content-Type (default application/json)")
@click.option("--host", "host", default=None, help="Send to this host instead of the session's")
@click.option(
    "--keepProperties",
    "keep_properties",
    default=None,
    is_flag=False,
    flag_value="true",
    help="Keep id, self, creationTime, ... of a piped body (default true; =false strips them)",
)
@rest_options
def api_cmd(  # noqa: PLR0917 (click passes the options as arguments)
    words: tuple[str, ...],
    method: str | None,
    url: str | None,
    data: str | None,
    accept: str | None,
    content_type: str | None,
    host: str | None,
    keep_properties: str | None,
) -> None:
    """Send any REST request to the tenant of the session (or --host).

    \b
    Examples:
      c8y api /inventory/managedObjects --select id,name
      c8y api POST /inventory/managedObjects --data name=hello --sessionMode dev
      c8y api PATCH /service/example --data enabled=true
      c8y devices list | c8y api GET      (the self link of each device)
      echo 12345 | c8y api PUT "/inventory/managedObjects/%s" --data name=x   (%s: the piped value)
      c8y api POST /service/raw --contentType text/plain --data 'plain text'
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
    keep = parse_switch_value(keep_properties) if keep_properties is not None else None
    if keep_properties is not None and keep is None:
        raise UsageError(f"invalid --keepProperties={keep_properties}: use true or false")
    template = url if url and ("%s" in url or "{url}" in url) else None
    json_body = content_type is None or "json" in content_type.lower()
    raw = {
        "url": None if template else url, "data": data, "accept": accept, "contentType": content_type,
        "host": host, "keepProperties": "false" if keep is False else None,
    }  # fmt: skip
    run_invocation("api", api_spec(method or "GET", url_template=template, json_body=json_body), raw)
