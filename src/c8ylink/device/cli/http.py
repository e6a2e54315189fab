"""`tedge http get|post|put|delete URI`: the device's local HTTP services from the command line.

A URI starting with ``/c8y/`` goes to the mapper's Cumulocity proxy (``c8y.proxy.client.*``, which
authenticates), one starting with ``/te/`` to the agent's file transfer service and entity store
(``http.client.*``). ``post``/``put`` send ``CONTENT``, ``--data`` or ``--file`` (streamed) with
``--content-type`` (default: ``application/json`` for text, ``application/octet-stream`` for a file);
``--accept-type`` sets ``Accept``. The answer's body goes to stdout; an HTTP error status is an error
(exit 1) showing the status and the body.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from c8ylink.core.errors import ApiError, UsageError
from c8ylink.device.cli.errors import failing_to

if TYPE_CHECKING:
    from c8ylink.core.settings.resolve import Settings
    from c8ylink.device.cli.context import TedgeContext

HELP = {"help_option_names": ["-h", "--help"]}


@click.group("http", context_settings=HELP)
def http_cmd() -> None:
    """Send HTTP requests to local thin-edge HTTP servers"""


def _base_url(uri: str, settings: Settings, profile: str | None) -> str:
    if uri.startswith("/c8y/") or uri == "/c8y":
        from c8ylink.device.c8y.proxy import c8y_proxy_url

        return c8y_proxy_url(settings, profile).removesuffix("/c8y")
    if uri.startswith("/te/"):
        from c8ylink.device.local_http import local_http

        return local_http(settings).base_url  # https:// with http.cert_path
    raise UsageError(f"invalid value '{uri}' for '<URI>': the URI must start with /c8y/ or /te/")


def _send(
    tedge: TedgeContext, method: str, uri: str, *, profile: str | None, accept_type: str | None,
    content_type: str | None = None, content: str | None = None, file: str | None = None,
) -> None:  # fmt: skip
    from c8ylink.device.config.store import TedgeConfigStore
    from c8ylink.infra.net.http import HttpClient

    settings = TedgeConfigStore(tedge.config_dir, env=tedge.env).load()
    for warning in settings.warnings:
        tedge.console.warning(warning)
    url = _base_url(uri, settings, profile) + uri
    context = None
    if uri.startswith("/te/"):
        from c8ylink.device.local_http import local_http

        with failing_to(f"send the {method} request to {url}"):
            context = local_http(settings).client_context()
    headers = {"Accept": accept_type} if accept_type else {}
    body: Any = None
    handle = None
    if file is not None:
        handle = open(file, "rb")  # noqa: SIM115 - closed below
        headers["Content-Type"] = content_type or "application/octet-stream"
        headers["Content-Length"] = str(os.fstat(handle.fileno()).st_size)
        body = handle
    elif content is not None:
        headers["Content-Type"] = content_type or "application/json"
        body = content.encode()
    try:
        with (
            failing_to(f"send the {method} request to {url}"),
            HttpClient(proxy="", timeout=120, ssl_context=context) as client,
        ):
            response = client.request(method, url, content=body, headers=headers)
            if not response.ok:
                text = response.content.decode("utf-8", errors="replace")
                raise ApiError(response.status, url, response.json_or_none() or text[:500], method=method)
    finally:
        if handle is not None:
            handle.close()
    sys.stdout.buffer.write(response.content)
    if response.content and not response.content.endswith(b"\n") and sys.stdout.isatty():
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()


def _content_options(command: Any) -> Any:
    command = click.argument("content", required=False)(command)
    command = click.option("--data", default=None, help="Content to send")(command)
    command = click.option("--file", "file", default=None, type=click.Path(exists=True, dir_okay=False),
                           help="File whose content is sent")(command)  # fmt: skip
    return click.option("--content-type", default=None, help="MIME type of the content")(command)


def _common(command: Any) -> Any:
    command = click.argument("uri")(command)
    command = click.option("--accept-type", default=None, help="MIME type of the expected answer")(command)
    command = click.option("--profile", default=None, help="The cloud profile (for /c8y/ URIs)")(command)
    return click.pass_obj(command)


def _body(content: str | None, data: str | None, file: str | None) -> tuple[str | None, str | None]:
    given = [value for value in (content, data, file) if value is not None]
    if len(given) > 1:
        raise UsageError("give the content once: CONTENT, --data or --file")
    return (content if content is not None else data), file


@http_cmd.command("get", context_settings=HELP)
@_common
def get_cmd(tedge: TedgeContext, *, uri: str, accept_type: str | None, profile: str | None) -> None:
    """GET a resource"""
    _send(tedge, "GET", uri, profile=profile, accept_type=accept_type)


@http_cmd.command("delete", context_settings=HELP)
@_common
def delete_cmd(tedge: TedgeContext, *, uri: str, accept_type: str | None, profile: str | None) -> None:
    """DELETE a resource"""
    _send(tedge, "DELETE", uri, profile=profile, accept_type=accept_type)


@http_cmd.command("post", context_settings=HELP)
@_common
@_content_options
def post_cmd(
    tedge: TedgeContext, *, uri: str, accept_type: str | None, profile: str | None, content: str | None,
    data: str | None, file: str | None, content_type: str | None,
) -> None:  # fmt: skip
    """POST content to a resource"""
    text, path = _body(content, data, file)
    _send(tedge, "POST", uri, profile=profile, accept_type=accept_type, content_type=content_type,
          content=text, file=path)  # fmt: skip


@http_cmd.command("put", context_settings=HELP)
@_common
@_content_options
def put_cmd(
    tedge: TedgeContext, *, uri: str, accept_type: str | None, profile: str | None, content: str | None,
    data: str | None, file: str | None, content_type: str | None,
) -> None:  # fmt: skip
    """PUT content to a resource"""
    text, path = _body(content, data, file)
    _send(tedge, "PUT", uri, profile=profile, accept_type=accept_type, content_type=content_type,
          content=text, file=path)  # fmt: skip
