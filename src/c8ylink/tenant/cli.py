"""``c8ylink tenant``: serve the local tenant and administer a running one.

``serve`` runs in the foreground until Ctrl-C/SIGTERM; every other command talks to the running
tenant's ``/__local__`` control API, found through ``<data-dir>/tenant.json``. Heavy modules (aiohttp,
cryptography, ssl) are imported inside the commands so that ``--help`` stays cheap.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from c8ylink.tenant.admin_client import AdminClient
    from c8ylink.tenant.server import TenantInfo

DATA_DIR_ENV = "C8YLINK_TENANT_DATA_DIR"

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=DATA_DIR_ENV,
    required=True,
    help=f"Data directory of the running tenant (holds tenant.json) [env: {DATA_DIR_ENV}]",
)


def _client(data_dir: Path) -> AdminClient:
    from c8ylink.tenant.admin_client import AdminClient

    return AdminClient.from_data_dir(data_dir)


def _print_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2))


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


@click.group(name="tenant", context_settings={"help_option_names": ["-h", "--help"]})
def tenant_cmd() -> None:
    """Run and administer the local Cumulocity-compatible tenant."""


@tenant_cmd.command(name="serve")
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


@tenant_cmd.command(name="info")
@data_dir_option
def info_cmd(data_dir: Path) -> None:
    """Print the running tenant's description (endpoints, CA file) as JSON, without passwords."""
    _print_json(_client(data_dir).request("GET", "/__local__/tenant"))


@tenant_cmd.group(name="users")
def users_cmd() -> None:
    """Users of the tenant."""


@users_cmd.command(name="list")
@data_dir_option
def users_list_cmd(data_dir: Path) -> None:
    """List the users (name, roles, two-factor state)."""
    _print_json(_client(data_dir).request("GET", "/__local__/users"))


@users_cmd.command(name="add")
@data_dir_option
@click.argument("username")
@click.option("--password", default=None, help="Password [default: generated and printed]")
@click.option(
    "--role",
    "roles",
    type=click.Choice(["admin", "user"]),
    multiple=True,
    help="Role (admin: everything; user: everything but tenant management) [default: admin]",
)
def users_add_cmd(data_dir: Path, username: str, password: str | None, roles: tuple[str, ...]) -> None:
    """Add a user; prints the generated password if none was given."""
    body: dict[str, Any] = {"username": username, "roles": list(roles or ("admin",))}
    if password is not None:
        body["password"] = password
    _print_json(_client(data_dir).request("POST", "/__local__/users", body))


@users_cmd.command(name="remove")
@data_dir_option
@click.argument("username")
def users_remove_cmd(data_dir: Path, username: str) -> None:
    """Delete a user."""
    _client(data_dir).request("DELETE", f"/__local__/users/{username}")


@users_cmd.command(name="enable-tfa")
@data_dir_option
@click.argument("username")
@click.option(
    "--require",
    is_flag=True,
    help="Do not create a secret: the user must enrol (TOTP setup) at the next login",
)
def users_enable_tfa_cmd(data_dir: Path, username: str, require: bool) -> None:
    """Switch on TOTP two-factor authentication; prints the secret to give to the user."""
    _print_json(
        _client(data_dir).request(
            "POST", f"/__local__/users/{username}/tfa", {"mode": "require" if require else "enable"}
        )
    )


@users_cmd.command(name="disable-tfa")
@data_dir_option
@click.argument("username")
def users_disable_tfa_cmd(data_dir: Path, username: str) -> None:
    """Switch off two-factor authentication."""
    _client(data_dir).request("DELETE", f"/__local__/users/{username}/tfa")


@tenant_cmd.group(name="registrations")
def registrations_cmd() -> None:
    """Device registrations (new device requests, certificate enrollments)."""


@registrations_cmd.command(name="list")
@data_dir_option
def registrations_list_cmd(data_dir: Path) -> None:
    """List the registrations with their status and enrollment state."""
    _print_json(_client(data_dir).request("GET", "/__local__/registrations"))


@registrations_cmd.command(name="accept")
@data_dir_option
@click.argument("device_id")
def registrations_accept_cmd(data_dir: Path, device_id: str) -> None:
    """Accept a device request whatever its status."""
    _client(data_dir).request("POST", f"/__local__/registrations/{device_id}/accept")


@tenant_cmd.group(name="faults")
def faults_cmd() -> None:
    """Inject failures for tests: the next N matching requests fail."""


@faults_cmd.command(name="inject")
@data_dir_option
@click.option("--status", type=click.IntRange(400, 599), default=503, show_default=True)
@click.option("--count", type=click.IntRange(1), default=1, show_default=True, help="How many requests fail")
@click.option("--path", "path_prefix", default="/", show_default=True, help="Only requests below this path")
@click.option("--method", default=None, help="Only this HTTP method")
@click.option("--message", default="Injected fault", show_default=True)
def faults_inject_cmd(  # noqa: PLR0917 (click passes options positionally)
    data_dir: Path, status: int, count: int, path_prefix: str, method: str | None, message: str
) -> None:
    """Make the next COUNT requests below PATH fail with STATUS."""
    body = {"status": status, "count": count, "pathPrefix": path_prefix, "method": method, "message": message}
    _print_json(_client(data_dir).request("POST", "/__local__/faults", body))


@faults_cmd.command(name="list")
@data_dir_option
def faults_list_cmd(data_dir: Path) -> None:
    """List the pending injected faults."""
    _print_json(_client(data_dir).request("GET", "/__local__/faults"))


@faults_cmd.command(name="clear")
@data_dir_option
def faults_clear_cmd(data_dir: Path) -> None:
    """Drop every pending injected fault."""
    _client(data_dir).request("DELETE", "/__local__/faults")


@tenant_cmd.group(name="sso")
def sso_cmd() -> None:
    """The tenant's SSO identity provider (login type OAUTH2: browser and device flows)."""


@sso_cmd.group(name="users")
def sso_users_cmd() -> None:
    """Users of the identity provider (separate from the tenant's own users)."""


@sso_users_cmd.command(name="list")
@data_dir_option
def sso_users_list_cmd(data_dir: Path) -> None:
    """List the SSO users."""
    _print_json(_client(data_dir).request("GET", "/__local__/sso/users"))


@sso_users_cmd.command(name="add")
@data_dir_option
@click.argument("username")
@click.option("--password", required=True, help="Password at the SSO login page")
@click.option(
    "--role",
    "roles",
    type=click.Choice(["admin", "user"]),
    multiple=True,
    help="Role of the tenant user created at the first login [default: user]",
)
def sso_users_add_cmd(data_dir: Path, username: str, password: str, roles: tuple[str, ...]) -> None:
    """Add an SSO user."""
    body = {"username": username, "password": password, "roles": list(roles or ("user",))}
    _print_json(_client(data_dir).request("POST", "/__local__/sso/users", body))


@sso_users_cmd.command(name="remove")
@data_dir_option
@click.argument("username")
def sso_users_remove_cmd(data_dir: Path, username: str) -> None:
    """Delete an SSO user."""
    _client(data_dir).request("DELETE", f"/__local__/sso/users/{username}")
