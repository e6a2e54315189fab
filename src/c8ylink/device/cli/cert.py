"""`tedge cert`: create, create-csr, show, needs-renewal, remove, renew, upload c8y, download c8y.

Every local command takes an optional trailing ``c8y [--profile P]`` that selects the cloud profile's
``c8y.device.*`` paths (``device.*`` without it). Only click and the light settings code are imported
here; each command imports what it needs (cryptography, the HTTP client) when it runs, so
``tedge cert --help`` stays cheap. The actions live in ``cert_actions`` (local files) and
``cert_cloud`` (Cumulocity).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from c8ylink.core.errors import UsageError
from c8ylink.core.settings.durations import Duration, parse_duration
from c8ylink.core.settings.errors import ValueParseError
from c8ylink.core.settings.hosts import HostPort, HostPortType
from c8ylink.core.settings.types import ParseContext
from c8ylink.device.cli.errors import invalid_value
from c8ylink.device.cli.options import profile_option, selected_profile

if TYPE_CHECKING:
    from c8ylink.device.cli.context import TedgeContext

HELP = {"help_option_names": ["-h", "--help"]}
PROFILE_HELP = "The cloud profile whose c8y.device.* settings are used"
DEFERRED = "c8ylink.cert.deferred"


@dataclass(frozen=True, slots=True)
class Target:
    """Whose files a command works on: the device (``cloud=None``) or a Cumulocity profile."""

    cloud: str | None = None
    profile: str | None = None


Action = Callable[..., int | None]


def _run_or_defer(ctx: click.Context, action: Action, **options: Any) -> int | None:
    """Run now when no ``c8y`` follows; else leave it to the ``c8y`` subcommand (which knows the profile)."""
    if ctx.invoked_subcommand is None:
        return action(ctx.obj, Target(), **options)
    ctx.meta[DEFERRED] = (action, options)
    return None


def _cloud_subcommand() -> click.Command:
    @click.command("c8y", context_settings=HELP)
    @profile_option(PROFILE_HELP)
    @click.pass_context
    def c8y_cmd(ctx: click.Context, profile: str | None) -> int | None:
        """Use the settings of a Cumulocity profile"""
        action, options = ctx.meta[DEFERRED]
        return action(ctx.obj, Target("c8y", selected_profile(profile, ctx.obj.env)), **options)  # type: ignore[no-any-return]

    return c8y_cmd


def _with_cloud(group: click.Group) -> click.Group:
    group.add_command(_cloud_subcommand())
    return group


def _local(name: str) -> Action:
    def run(tedge: TedgeContext, target: Target, **options: Any) -> int | None:
        from c8ylink.device.cli import cert_actions

        return getattr(cert_actions, name)(tedge, target, **options)  # type: ignore[no-any-return]

    return run


def _cloud(name: str) -> Action:
    def run(tedge: TedgeContext, target: Target, **options: Any) -> int | None:
        from c8ylink.device.cli import cert_cloud

        return getattr(cert_cloud, name)(tedge, target, **options)  # type: ignore[no-any-return]

    return run


def _duration(ctx: click.Context, param: click.Parameter, value: str) -> Duration:
    try:
        return parse_duration(value)
    except ValueParseError as exc:
        raise invalid_value(
            value, f"--{param.name and param.name.replace('_', '-')} <DURATION>", str(exc)
        ) from None


def _host_port(ctx: click.Context, param: click.Parameter, value: str | None) -> HostPort | None:
    if value is None:
        return None
    try:
        return HostPortType(default_port=443).parse(value, ParseContext("/"))
    except ValueParseError as exc:
        raise invalid_value(value, "--url <URL>", str(exc)) from None


@click.group("cert", context_settings=HELP)
def cert_cmd() -> None:
    """Create and manage device certificate"""


@cert_cmd.group("create", invoke_without_command=True, context_settings=HELP)
@click.option(
    "--device-id",
    default=None,
    help="The device identifier to be used as the common name for the certificate",
)
@click.pass_context
def create_cmd(ctx: click.Context, device_id: str | None) -> int | None:
    """Create a self-signed device certificate"""
    return _run_or_defer(ctx, _local("create"), device_id=device_id)


@cert_cmd.group("create-csr", invoke_without_command=True, context_settings=HELP)
@click.option(
    "--device-id",
    default=None,
    help="The device identifier to be used as the common name for the certificate",
)
@click.option("--output-path", default=None, help="Path where a Certificate signing request will be stored")
@click.pass_context
def create_csr_cmd(ctx: click.Context, device_id: str | None, output_path: str | None) -> int | None:
    """Create a certificate signing request"""
    return _run_or_defer(ctx, _local("create_csr"), device_id=device_id, output_path=output_path)


@cert_cmd.group("show", invoke_without_command=True, context_settings=HELP)
@click.option(
    "--cert-path", default=None, help="Path to the certificate - default to the configured device certificate"
)
@click.option("--new", "new", is_flag=True, help="Show the new certificate, if any (<cert_path>.new)")
@click.pass_context
def show_cmd(ctx: click.Context, cert_path: str | None, new: bool) -> int | None:
    """Show the device certificate, if any"""
    return _run_or_defer(ctx, _local("show"), cert_path=cert_path, new=new)


@cert_cmd.group("needs-renewal", invoke_without_command=True, context_settings=HELP)
@click.option(
    "--cert-path", default=None, help="Path to the certificate - default to the configured device certificate"
)
@click.pass_context
def needs_renewal_cmd(ctx: click.Context, cert_path: str | None) -> int | None:
    """Tell if the certificate needs to be renewed (exit 0: yes, 1: no, 2: it cannot be checked)"""
    return _run_or_defer(ctx, _local("needs_renewal"), cert_path=cert_path)


@cert_cmd.group("remove", invoke_without_command=True, context_settings=HELP)
@click.pass_context
def remove_cmd(ctx: click.Context) -> int | None:
    """Remove the device certificate"""
    return _run_or_defer(ctx, _local("remove"))


@cert_cmd.group("renew", invoke_without_command=True, context_settings=HELP)
@click.option(
    "--csr-path", default=None, help="Path to a certificate signing request to use instead of a new one"
)
@click.option(
    "--ca",
    type=click.Choice(["c8y", "self-signed"]),
    default=None,
    help="Who signs the new certificate [default: self-signed for a self-signed certificate, else c8y]",
)
@click.pass_context
def renew_cmd(ctx: click.Context, csr_path: str | None, ca: str | None) -> int | None:
    """Renew the device certificate (the new one is written to <cert_path>.new)"""
    return _run_or_defer(ctx, _cloud("renew"), csr_path=csr_path, ca=ca)


for _group in (create_cmd, create_csr_cmd, show_cmd, needs_renewal_cmd, remove_cmd, renew_cmd):
    _with_cloud(_group)


@cert_cmd.group("upload", context_settings=HELP)
def upload_cmd() -> None:
    """Upload the device certificate to the cloud"""


@upload_cmd.command("c8y", context_settings=HELP)
@click.option(
    "--user",
    envvar="C8Y_USER",
    default=None,
    help="A Cumulocity user with tenant management permissions [env: C8Y_USER] (prompted for when left out)",
)
@click.option(
    "--password",
    envvar="C8Y_PASSWORD",
    default=None,
    help="The password of the user [env: C8Y_PASSWORD] (prompted for, without echo, when left out)",
)
@profile_option(PROFILE_HELP)
@click.pass_obj
def upload_c8y_cmd(tedge: TedgeContext, user: str | None, password: str | None, profile: str | None) -> None:
    """Upload the device certificate to Cumulocity (as a trusted certificate)"""
    _cloud("upload")(tedge, Target("c8y", selected_profile(profile, tedge.env)), user=user, password=password)


@cert_cmd.group("download", context_settings=HELP)
def download_cmd() -> None:
    """Download a device certificate from the cloud"""


@download_cmd.command("c8y", context_settings=HELP)
@click.option(
    "--device-id",
    envvar="DEVICE_ID",
    default=None,
    help="The device id, the certificate's common name [env: DEVICE_ID]",
)
@click.option(
    "-p",
    "--one-time-password",
    envvar="DEVICE_ONE_TIME_PASSWORD",
    default=None,
    help="The one-time password registered for the device on the tenant [env: DEVICE_ONE_TIME_PASSWORD] "
    "(generated when left out)",
)
@click.option("--prompt", is_flag=True, help="Ask for the one-time password (without echo)")
@click.option(
    "--no-registration-url",
    is_flag=True,
    envvar="DEVICE_NO_REGISTRATION_URL",
    help="Do not print the registration URL [env: DEVICE_NO_REGISTRATION_URL]",
)
@click.option(
    "--csr-path", default=None, help="Path to a certificate signing request to use instead of a new one"
)
@click.option(
    "--url", default=None, callback=_host_port, help="The tenant's HTTPS endpoint [default: c8y.http]"
)
@click.option(
    "--retry-every", default="30s", show_default=True, callback=_duration, help="Delay between two attempts"
)
@click.option(
    "--max-timeout",
    default="10m",
    show_default=True,
    callback=_duration,
    help="How long to wait for the registration",
)
@profile_option(PROFILE_HELP)
@click.pass_context
def download_c8y_cmd(ctx: click.Context, /, profile: str | None, **options: Any) -> None:
    """Download a device certificate from Cumulocity's certificate authority"""
    given_on_command_line = (
        ctx.get_parameter_source("one_time_password") is click.core.ParameterSource.COMMANDLINE
    )
    if options["prompt"] and given_on_command_line:
        raise UsageError(
            "the argument '--prompt' cannot be used with '--one-time-password <ONE_TIME_PASSWORD>'"
        )
    tedge: TedgeContext = ctx.obj
    _cloud("download")(tedge, Target("c8y", selected_profile(profile, tedge.env)), **options)
