"""``c8ylink tenant serve``: run the local tenant in the foreground until Ctrl-C/SIGTERM.

aiohttp, cryptography and ssl are imported inside the command so that ``--help`` stays cheap.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from c8ylink.tenant.server import TenantInfo

_TENANT_ID = "letters, digits, '-' or '_', starting with a letter or digit (e.g. t100)"


def _check_tenant_id(ctx: click.Context, param: click.Parameter, value: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", value):
        raise click.BadParameter(f"'{value}' is not a tenant id: use {_TENANT_ID}")
    return value


def _check_password(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from c8ylink.tenant.state.users import MIN_PASSWORD_LENGTH

    if value is not None and len(value) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    return value


def _check_host(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A bare host name or IP address (no scheme, port or path), for ``--domain`` and ``--hostname``."""
    from c8ylink.core.settings.errors import ValueParseError
    from c8ylink.core.settings.hosts import parse_host

    for text in value if isinstance(value, tuple) else (value,):
        try:
            parse_host(text)
        except ValueParseError:
            raise click.BadParameter(
                f"'{text}' is not a host name: give only the name or address, e.g. localhost or 127.0.0.1"
            ) from None
    return value


@click.command(name="serve")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the tenant keeps its state, TLS files and tenant.json [default: a fresh temporary dir]",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on")
@click.option(
    "--https-port",
    type=click.IntRange(0, 65535),
    default=8443,
    show_default=True,
    help="HTTPS REST port (0: pick a free port)",
)
@click.option(
    "--mtls-port",
    type=click.IntRange(0, 65535),
    default=9443,
    show_default=True,
    help="Mutual-TLS REST port for device certificates (0: pick a free port)",
)
@click.option(
    "--mqtt-tls-port",
    type=click.IntRange(0, 65535),
    default=8883,
    show_default=True,
    help="MQTT over TLS: device certificates or username/password (0: pick a free port)",
)
@click.option(
    "--mqtt-port",
    type=click.IntRange(0, 65535),
    default=11883,
    show_default=True,
    help="Plain MQTT with username/password; never 1883, the device's own broker (0: pick a free port)",
)
@click.option(
    "--hostname",
    "hostnames",
    multiple=True,
    callback=_check_host,
    help="Extra name for the server certificate (besides localhost and 127.0.0.1); repeatable",
)
@click.option(
    "--domain",
    default="localhost",
    show_default=True,
    callback=_check_host,
    help="Tenant domain (the iss of its tokens)",
)
@click.option(
    "--tenant-id",
    default="t100",
    show_default=True,
    callback=_check_tenant_id,
    help="Tenant id of a new tenant",
)
@click.option(
    "--admin-password",
    default=None,
    callback=_check_password,
    help="Password of the admin user of a new tenant [default: generated]",
)
@click.option("--strict-basic", is_flag=True, help="Refuse Basic credentials without the '<tenant>/' prefix")
@click.option(
    "--no-device-ca", is_flag=True, help="Do not create the tenant certificate authority on first start"
)
def serve_cmd(  # noqa: PLR0917 (click passes options positionally)
    data_dir: Path | None,
    host: str,
    https_port: int,
    mtls_port: int,
    mqtt_tls_port: int,
    mqtt_port: int,
    hostnames: tuple[str, ...],
    domain: str,
    tenant_id: str,
    admin_password: str | None,
    strict_basic: bool,
    no_device_ca: bool,
) -> None:
    """Serve the tenant until Ctrl-C; prints its endpoints and writes DIR/tenant.json."""
    import asyncio

    from c8ylink.tenant.server import TenantConfig, serve_until_stopped

    config = TenantConfig(
        data_dir=data_dir,
        host=host,
        https_port=https_port,
        mtls_port=mtls_port,
        mqtt_tls_port=mqtt_tls_port,
        mqtt_port=mqtt_port,
        hostnames=hostnames,
        domain=domain,
        tenant_id=tenant_id,
        admin_password=admin_password,
        strict_basic=strict_basic,
        device_ca=not no_device_ca,
    )
    asyncio.run(serve_until_stopped(config, _announce))
    click.echo("Tenant stopped.", err=True)


_LABELS = {"mqtt_tls": "MQTT over TLS:", "mqtt": "MQTT (plain):"}


def _announce(info: TenantInfo) -> None:
    lines = [
        f"Local Cumulocity tenant {info.tenant} ({info.domain}) is ready.",
        f"  HTTPS REST:       {info.https_url}",
        f"  mutual-TLS REST:  {info.mtls_url}",
        *(f"  {_LABELS.get(key, key + ':'):<17} {value}" for key, value in info.extra.items()),
        f"  trust this CA:    {info.ca_file}",
        f"  admin user:       {info.admin.username}",
        f"  admin password:   {info.admin.password}",
        f"  data dir:         {info.data_dir}  (tenant.json has all of this as JSON)",
        "Press Ctrl-C to stop.",
    ]
    click.echo("\n".join(lines), err=True)
    sys.stderr.flush()
