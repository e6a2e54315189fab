"""`tedge upload c8y --file PATH`: a file as the binary of a new event of the device (thin-edge.io 1.x).

Through the mapper's local proxy (``c8y.proxy.client.*``; the mapper must run): the event is created on
the device (``--device-id``, default ``device.id``) with ``--type`` (default ``tedge_UploadedFile``)
and ``--text`` (default ``Uploaded file: "<path>"``), then the file is streamed as its binary with
``--mime-type`` (default guessed from the name, else ``application/octet-stream``). Prints the event id.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

import click

from c8ylink.core.errors import ConfigError
from c8ylink.device.cli.errors import failing_to

if TYPE_CHECKING:
    from c8ylink.device.cli.context import TedgeContext

HELP = {"help_option_names": ["-h", "--help"]}
DEFAULT_TYPE = "tedge_UploadedFile"


@click.group("upload", context_settings=HELP)
def upload_cmd() -> None:
    """Upload files to the cloud"""


@upload_cmd.command("c8y", context_settings=HELP)
@click.option(
    "--file", "path", required=True, type=click.Path(exists=True, dir_okay=False), help="Path to the file"
)
@click.option("--type", "event_type", default=DEFAULT_TYPE, show_default=True, help="Type of the event")
@click.option("--text", default=None, help='Text of the event [default: Uploaded file: "<path>"]')
@click.option("--mime-type", default=None, help="MIME type of the file [default: guessed from its name]")
@click.option("--device-id", default=None, help="External id of the device [default: device.id]")
@click.option("--profile", default=None, help="The cloud profile")
@click.pass_obj
def upload_c8y_cmd(
    tedge: TedgeContext, *, path: str, event_type: str, text: str | None, mime_type: str | None,
    device_id: str | None, profile: str | None,
) -> None:  # fmt: skip
    """Upload a file to Cumulocity as the binary of a new event"""
    import mimetypes

    from c8ylink.device.c8y.event_binary import upload_event_binary
    from c8ylink.device.c8y.proxy import c8y_proxy_url
    from c8ylink.device.config.store import TedgeConfigStore
    from c8ylink.infra.net.http import HttpClient

    settings = TedgeConfigStore(tedge.config_dir, env=tedge.env).load()
    for warning in settings.warnings:
        tedge.console.warning(warning)
    external_id = device_id or settings.value("c8y.device.id", profile)
    if not external_id:
        raise ConfigError("No device id: give --device-id or set device.id")
    content_type = mime_type or mimetypes.guess_type(path)[0] or "application/octet-stream"
    event = {
        "type": event_type,
        "text": text if text is not None else f'Uploaded file: "{path}"',
        "time": tedge.clock.now().astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    with failing_to(f"upload {path} to Cumulocity"), HttpClient(proxy="", timeout=120) as client:
        uploaded = upload_event_binary(
            client, c8y_proxy_url(settings, profile), external_id=str(external_id), event=event, path=path,
            content_type=content_type,
        )  # fmt: skip
    click.echo(uploaded.event_id)
