"""`tedge-agent`: runs the commands of the main device (restart, software list/update) in the foreground.

Logs go to stderr; SIGTERM stops it cleanly (exit 0); invalid settings or system.toml exit 1 with the
usual ``Error: ...`` lines.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NoReturn

import click

from c8ylink.device.cli.context import TedgeContext
from c8ylink.device.cli.errors import failing_to, render_tedge_error
from c8ylink.device.cli.options import service_options, service_version
from c8ylink.infra.cli.run import run_cli


@click.command("tedge-agent", context_settings={"help_option_names": ["-h", "--help"]})
@service_options
@click.option(
    "--mqtt-topic-root", default=None, help="The root of the MQTT topics [default: mqtt.topic_root]"
)
@click.option(
    "--mqtt-device-topic-id",
    default=None,
    help="The topic identifier of the device the agent runs for [default: mqtt.device_topic_id]",
)
@service_version("tedge-agent")
def agent_cmd(config_dir: str | None, debug: bool, log_level: str | None, mqtt_topic_root: str | None,
              mqtt_device_topic_id: str | None) -> None:  # fmt: skip
    """tedge-agent interacts with a Cloud Mapper and one or more Software Plugins"""
    from c8ylink.device.agent.main import run_agent

    ctx = TedgeContext.from_environment(config_dir, os.environ, debug=debug, log_level=log_level)
    level = log_level or ("debug" if debug else "info")
    with failing_to("start tedge-agent"):
        run_agent(ctx.config_dir, ctx.env, log_level=level, topic_root=mqtt_topic_root,
                  device_topic_id=mqtt_device_topic_id)  # fmt: skip


def main(args: Sequence[str] | None = None) -> NoReturn:
    import sys

    run_cli(
        agent_cmd,
        render_tedge_error,
        args=list(sys.argv[1:] if args is None else args),
        prog_name="tedge-agent",
    )
