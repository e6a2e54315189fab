"""What the ``c8ylink tenant`` admin commands share: the ``--data-dir`` option, the control API client,
JSON output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from c8ylink.tenant.admin_client import AdminClient

DATA_DIR_ENV = "C8YLINK_TENANT_DATA_DIR"

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=DATA_DIR_ENV,
    required=True,
    help=f"Data directory of the running tenant (holds tenant.json) [env: {DATA_DIR_ENV}]",
)


def admin_client(data_dir: Path) -> AdminClient:
    from c8ylink.tenant.admin_client import AdminClient

    return AdminClient.from_data_dir(data_dir)


def print_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2))
