"""`tedge connect c8y [--test] [--offline] [--profile P]`, `tedge disconnect c8y`, `tedge reconnect c8y`,
`tedge refresh-bridges`.

Each resolves the configuration first (a missing ``c8y.url`` is ``Error: failed to execute `tedge
connect`.``, as the user docs show), prints the summary block, then runs the steps of
``device.connect.connector``; errors after the summary are ``Error: failed to connect to Cumulocity cloud.``.
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

import click

from c8ylink.device.cli.errors import failing_to
from c8ylink.device.cli.options import profile_option, selected_profile

if TYPE_CHECKING:
    from c8ylink.core.settings.resolve import Settings
    from c8ylink.device.cli.context import TedgeContext
    from c8ylink.device.connect.config import ConnectConfig
    from c8ylink.device.connect.connector import Connector
    from c8ylink.device.connect.disconnect import Disconnector
    from c8ylink.device.services.manager import ServiceManager

HELP = {"help_option_names": ["-h", "--help"]}
PROFILE_HELP = "The cloud profile to connect"
DISCONNECT_DESCRIPTION = "disconnect from Cumulocity cloud."


@click.group("connect", context_settings=HELP)
def connect_cmd() -> None:
    """Connect to cloud provider"""


@connect_cmd.command("c8y", context_settings=HELP)
@click.option("--test", is_flag=True, help="Test an existing connection to the cloud")
@click.option(
    "--offline", is_flag=True, help="Skip the steps that need the cloud (device creation, connection checks)"
)
@profile_option(PROFILE_HELP)
@click.pass_obj
def connect_c8y_cmd(ctx: TedgeContext, test: bool, offline: bool, profile: str | None) -> int:
    """Create connection to Cumulocity"""
    from c8ylink.device.connect.summary import CONNECT_TITLE, TEST_TITLE

    title = TEST_TITLE if test else CONNECT_TITLE
    connector = build_connector(ctx, profile, title)
    with failing_to(title):
        return connector.test() if test else connector.connect(offline=offline)


@click.group("disconnect", context_settings=HELP)
def disconnect_cmd() -> None:
    """Remove bridge connection for a provider"""


@disconnect_cmd.command("c8y", context_settings=HELP)
@profile_option("The cloud profile to disconnect")
@click.pass_obj
def disconnect_c8y_cmd(ctx: TedgeContext, profile: str | None) -> int:
    """Remove bridge connection to Cumulocity"""
    with failing_to(DISCONNECT_DESCRIPTION):
        return build_disconnector(ctx, profile).disconnect()


@click.group("reconnect", context_settings=HELP)
def reconnect_cmd() -> None:
    """Reconnect command, calls disconnect followed by connect"""


@reconnect_cmd.command("c8y", context_settings=HELP)
@click.option(
    "--offline", is_flag=True, help="Skip the steps that need the cloud (device creation, connection checks)"
)
@profile_option("The cloud profile to reconnect")
@click.pass_obj
def reconnect_c8y_cmd(ctx: TedgeContext, offline: bool, profile: str | None) -> int:
    """Reconnect to Cumulocity (applies configuration changes, adopts a renewed certificate)"""
    from c8ylink.device.connect.summary import DISCONNECT_TITLE, RECONNECT_TITLE

    ctx.console.line(DISCONNECT_TITLE)
    with failing_to(DISCONNECT_DESCRIPTION):
        build_disconnector(ctx, profile).disconnect()
    connector = build_connector(ctx, profile, RECONNECT_TITLE)
    with failing_to(RECONNECT_TITLE):
        return connector.connect(offline=offline)


@click.command("refresh-bridges", context_settings=HELP)
@click.pass_obj
def refresh_bridges_cmd(ctx: TedgeContext) -> int:
    """Refresh all currently active mosquitto bridges (restarts mosquitto)

    The bridge file of every connected Cumulocity profile is written again from the current tedge
    configuration, then mosquitto is restarted; the connection is not checked.
    """
    from c8ylink.device.config.store import TedgeConfigStore
    from c8ylink.device.connect.bridge import MOSQUITTO_CONF_DIR, bridge_file_name
    from c8ylink.device.services.manager import MOSQUITTO, load_service_manager

    with failing_to("refresh the bridges."):
        settings = TedgeConfigStore(ctx.config_dir, env=ctx.env).load()
        directory = ctx.config_dir / MOSQUITTO_CONF_DIR
        connected = [
            profile
            for profile in (None, *settings.profile_names("c8y"))
            if (directory / bridge_file_name(profile)).exists()
        ]
        if not connected:
            click.echo("No bridges to refresh.")
            return 0
        for profile in connected:
            click.echo(f"Refreshing bridge c8y{'' if profile is None else '@' + profile}")
            connector = build_connector(ctx, profile, None)
            connector.refresh()
        click.echo("Restarting mosquitto service.\n")
        load_service_manager(str(ctx.config_dir)).restart(MOSQUITTO)
    return 0


def which(ctx: TedgeContext, name: str) -> str | None:
    return shutil.which(name, path=ctx.env.get("PATH", os.defpath))


def build_connector(ctx: TedgeContext, profile: str | None, title: str | None) -> Connector:
    """Resolve the configuration (errors: ``failed to execute `tedge connect```), print the summary
    block when ``title`` is given, and return the steps ready to run."""
    from c8ylink.device.c8y.http import root_cert_key, trust_paths
    from c8ylink.device.connect.c8y_checks import MqttCloudChecks
    from c8ylink.device.connect.connector import Connector
    from c8ylink.device.connect.summary import render_summary
    from c8ylink.device.mqtt.local_broker import local_broker_options

    with failing_to("execute `tedge connect`."):
        settings, config, services = _resolve(ctx, profile, announce=title is not None)
        checks = MqttCloudChecks(
            local=local_broker_options(settings, ""),
            trust=trust_paths(settings, config.profile),
            root_cert_key=root_cert_key(settings, config.profile),
            now=ctx.clock.now,
        )
    if title is not None:
        ctx.console.line(render_summary(title, config, services.name))
        if config.proxy is not None and not config.connection.built_in_bridge:
            ctx.console.warning(
                "The mosquitto bridge does not use proxy.address: its MQTT connection to Cumulocity goes "
                "out directly"
            )
    return Connector(
        config=config,
        services=services,
        console=ctx.console,
        checks=checks,
        stdout=click.echo,
        which=lambda name: which(ctx, name),
        sleep=ctx.sleep,
    )


def build_disconnector(ctx: TedgeContext, profile: str | None) -> Disconnector:
    from c8ylink.device.connect.disconnect import Disconnector
    from c8ylink.device.services.manager import load_service_manager

    with failing_to("execute `tedge disconnect`."):
        chosen = selected_profile(profile, ctx.env)
        services = load_service_manager(str(ctx.config_dir))
    return Disconnector(
        config_dir=str(ctx.config_dir),
        profile=chosen,
        services=services,
        console=ctx.console,
        stdout=click.echo,
        which=lambda name: which(ctx, name),
    )


def _resolve(
    ctx: TedgeContext, profile: str | None, *, announce: bool
) -> tuple[Settings, ConnectConfig, ServiceManager]:
    from c8ylink.device.c8y.connection import build_c8y_connection
    from c8ylink.device.c8y.credentials import load_c8y_credentials
    from c8ylink.device.config.store import TedgeConfigStore
    from c8ylink.device.connect.config import build_connect_config
    from c8ylink.device.connect.mosquitto import UNDETECTED, detect_mosquitto_version
    from c8ylink.device.services.manager import load_service_manager

    chosen = selected_profile(profile, ctx.env)
    settings = TedgeConfigStore(ctx.config_dir, env=ctx.env).load()
    for warning in settings.warnings:
        ctx.console.warning(warning)
    connection = build_c8y_connection(settings, chosen, path_exists=os.path.exists)
    credentials = load_c8y_credentials(connection.credentials_path) if connection.auth == "basic" else None
    services = load_service_manager(str(ctx.config_dir))
    version = None
    if str(settings.value("c8y.bridge.include.local_cleansession", chosen)) == "auto":
        version = detect_mosquitto_version(which(ctx, "mosquitto"))
        if version is None and announce:
            ctx.console.line(UNDETECTED)
    config = build_connect_config(
        settings,
        connection,
        config_dir=str(ctx.config_dir),
        credentials=credentials,
        mosquitto_version=version,
        root_cert_is_dir=os.path.isdir(connection.root_cert_path),
    )
    return settings, config, services
