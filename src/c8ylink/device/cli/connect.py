"""`tedge connect c8y [--test] [--offline] [--profile P]`: for now, only checks the configuration.

It resolves everything the connection needs (``device.c8y_connection``) and reports the first missing
or invalid value exactly as upstream does (``Error: failed to execute `tedge connect`.`` /
``Caused by:``). With a complete configuration it prints what it would connect with and stops with an
error, because the connection itself (bridge, certificates, services) is not built yet.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from c8ylink.core.errors import C8yLinkError
from c8ylink.device.c8y_connection import C8yConnection, build_c8y_connection
from c8ylink.device.cli.errors import failing_to
from c8ylink.device.cli.options import profile_option, selected_profile
from c8ylink.device.config_store import TedgeConfigStore

if TYPE_CHECKING:
    from c8ylink.device.cli.context import TedgeContext

NOT_IMPLEMENTED = (
    "connecting is not implemented yet in c8ylink: the configuration above is complete, but writing the "
    "bridge configuration, checking the certificate and starting the services are still to come"
)


@click.group("connect", context_settings={"help_option_names": ["-h", "--help"]})
def connect_cmd() -> None:
    """Connect to cloud provider"""


@connect_cmd.command("c8y")
@click.option("--test", is_flag=True, help="Test an existing connection to the cloud")
@click.option("--offline", is_flag=True, help="Skip the steps that need the cloud (device creation, checks)")
@profile_option("The cloud profile to connect.")
@click.pass_obj
def c8y_cmd(ctx: TedgeContext, test: bool, offline: bool, profile: str | None) -> None:
    """Connect to Cumulocity"""
    with failing_to("execute `tedge connect`."):
        chosen = selected_profile(profile, ctx.env)
        settings = TedgeConfigStore(ctx.config_dir, env=ctx.env).load()
        for warning in settings.warnings:
            ctx.console.warning(warning)
        connection = build_c8y_connection(settings, chosen, path_exists=os.path.exists)
    title = "Testing connection to Cumulocity" if test else "connect to Cumulocity cloud.:"
    ctx.console.line(render_summary(title, connection))
    with failing_to("connect to Cumulocity cloud."):
        raise C8yLinkError(NOT_IMPLEMENTED)


def render_summary(title: str, connection: C8yConnection) -> str:
    """The summary block (tedge.md §3.2) with what the configuration alone can tell."""
    entries = [
        ("device id", connection.device_id),
        ("cloud profile", connection.profile_label),
        ("cloud host", str(connection.mqtt)),
        ("auth type", connection.auth.capitalize()),
    ]
    if connection.auth == "certificate":
        entries.append(("certificate file", connection.cert_path))
    else:
        entries.append(("credentials path", connection.credentials_path))
    entries.append(("bridge", "built-in" if connection.built_in_bridge else "mosquitto"))
    return title + "".join(f"\n\t{name}: {value}" for name, value in entries)
