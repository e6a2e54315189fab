"""``c8ylink tenant info | users | registrations | faults | sso``: administer a running tenant.

Every command talks to the running tenant's ``/__local__`` control API, found through
``<data-dir>/tenant.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from c8ylink.tenant.cli.options import admin_client, data_dir_option, print_json


@click.command(name="info")
@data_dir_option
def info_cmd(data_dir: Path) -> None:
    """Print the running tenant's description (endpoints, CA file) as JSON, without passwords."""
    print_json(admin_client(data_dir).request("GET", "/__local__/tenant"))


@click.group(name="users")
def users_cmd() -> None:
    """Users of the tenant."""


@users_cmd.command(name="list")
@data_dir_option
def users_list_cmd(data_dir: Path) -> None:
    """List the users (name, roles, two-factor state)."""
    print_json(admin_client(data_dir).request("GET", "/__local__/users"))


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
    print_json(admin_client(data_dir).request("POST", "/__local__/users", body))


@users_cmd.command(name="remove")
@data_dir_option
@click.argument("username")
def users_remove_cmd(data_dir: Path, username: str) -> None:
    """Delete a user."""
    admin_client(data_dir).request("DELETE", f"/__local__/users/{username}")


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
    print_json(
        admin_client(data_dir).request(
            "POST", f"/__local__/users/{username}/tfa", {"mode": "require" if require else "enable"}
        )
    )


@users_cmd.command(name="disable-tfa")
@data_dir_option
@click.argument("username")
def users_disable_tfa_cmd(data_dir: Path, username: str) -> None:
    """Switch off two-factor authentication."""
    admin_client(data_dir).request("DELETE", f"/__local__/users/{username}/tfa")


@click.group(name="registrations")
def registrations_cmd() -> None:
    """Device registrations (new device requests, certificate enrollments)."""


@registrations_cmd.command(name="list")
@data_dir_option
def registrations_list_cmd(data_dir: Path) -> None:
    """List the registrations with their status and enrollment state."""
    print_json(admin_client(data_dir).request("GET", "/__local__/registrations"))


@registrations_cmd.command(name="accept")
@data_dir_option
@click.argument("device_id")
def registrations_accept_cmd(data_dir: Path, device_id: str) -> None:
    """Accept a device request whatever its status."""
    admin_client(data_dir).request("POST", f"/__local__/registrations/{device_id}/accept")


@click.group(name="faults")
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
    print_json(admin_client(data_dir).request("POST", "/__local__/faults", body))


@faults_cmd.command(name="list")
@data_dir_option
def faults_list_cmd(data_dir: Path) -> None:
    """List the pending injected faults."""
    print_json(admin_client(data_dir).request("GET", "/__local__/faults"))


@faults_cmd.command(name="clear")
@data_dir_option
def faults_clear_cmd(data_dir: Path) -> None:
    """Drop every pending injected fault."""
    admin_client(data_dir).request("DELETE", "/__local__/faults")


@click.group(name="sso")
def sso_cmd() -> None:
    """The tenant's SSO identity provider (login type OAUTH2: browser and device flows)."""


@sso_cmd.group(name="users")
def sso_users_cmd() -> None:
    """Users of the identity provider (separate from the tenant's own users)."""


@sso_users_cmd.command(name="list")
@data_dir_option
def sso_users_list_cmd(data_dir: Path) -> None:
    """List the SSO users."""
    print_json(admin_client(data_dir).request("GET", "/__local__/sso/users"))


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
    print_json(admin_client(data_dir).request("POST", "/__local__/sso/users", body))


@sso_users_cmd.command(name="remove")
@data_dir_option
@click.argument("username")
def sso_users_remove_cmd(data_dir: Path, username: str) -> None:
    """Delete an SSO user."""
    admin_client(data_dir).request("DELETE", f"/__local__/sso/users/{username}")
