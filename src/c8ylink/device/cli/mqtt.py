"""`tedge mqtt pub TOPIC MESSAGE` and `tedge mqtt sub TOPIC`: the local broker from the command line.

Flags as upstream's: ``-q/--qos``, ``-r/--retain``, ``--base64``, ``--repeat``/``--sleep`` (pub);
``--no-topic``, ``--base64``, ``-W/--duration``, ``-C/--count``, ``--retained-only`` (sub);
``--connection-timeout`` (both; 0 = keep trying). The broker is ``mqtt.client.host:port`` with the
``mqtt.client.auth.*`` TLS and credentials settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from c8ylink.core.settings.durations import Duration
from c8ylink.device.cli.errors import failing_to, invalid_value
from c8ylink.device.cli.options import duration_option

if TYPE_CHECKING:
    from c8ylink.device.cli.context import TedgeContext
    from c8ylink.infra.net.mqtt_options import MqttOptions

HELP = {"help_option_names": ["-h", "--help"]}
QOS_NAMES = ("AtMostOnce", "AtLeastOnce", "ExactlyOnce")
QOS_HELP = "QoS level (0, 1, 2) [default: 0]"
NO_TOPIC_HELP = "Avoid printing the message topics on the console"


def _qos(ctx: click.Context, param: click.Parameter, value: str) -> int:
    if value not in ("0", "1", "2"):
        raise invalid_value(value, "--qos <QOS>", "The input QoS should be 0, 1, or 2")
    return int(value)


def _seconds(value: Duration | None) -> float | None:
    return None if value is None else float(value.seconds)


def _timeout(value: Duration | None) -> float | None:
    """``--connection-timeout``: 0 means no timeout (keep trying)."""
    seconds = _seconds(value)
    return seconds if seconds else None


def _options(tedge: TedgeContext) -> MqttOptions:
    from c8ylink.device.config.store import TedgeConfigStore
    from c8ylink.device.mqtt.local_broker import local_broker_options

    settings = TedgeConfigStore(tedge.config_dir, env=tedge.env).load()
    for warning in settings.warnings:
        tedge.console.warning(warning)
    return local_broker_options(settings, "tedge")


@click.group("mqtt", context_settings=HELP)
def mqtt_cmd() -> None:
    """Publish a message on a topic and subscribe a topic"""


@mqtt_cmd.command("pub", context_settings=HELP)
@click.argument("topic")
@click.argument("message")
@click.option(
    "-q", "--qos", default="0", callback=_qos, metavar="QOS", help="QoS level (0, 1, 2) [default: 0]"
)
@click.option("-r", "--retain", is_flag=True, help="Retain flag")
@click.option("--base64", "as_base64", is_flag=True, help="Decode the payload before publishing")
@click.option("--repeat", type=click.IntRange(min=1), default=None, help="Repeat the message")
@click.option(
    "--sleep", default="1s", callback=duration_option, help="Pause between repeated messages (e.g., 60s, 1h)"
)
@click.option(
    "--connection-timeout",
    default="10s",
    callback=duration_option,
    help="Give up connecting to the broker after this duration (e.g., 10s); 0 for no timeout",
)
@click.pass_obj
def pub_cmd(
    tedge: TedgeContext,
    *,
    topic: str,
    message: str,
    qos: int,
    retain: bool,
    as_base64: bool,
    repeat: int | None,
    sleep: Duration,
    connection_timeout: Duration,
) -> None:
    """Publish a MQTT message on a topic."""
    from c8ylink.device.mqtt.pub_sub import PublishRequest, check_publish_topic, publish_messages

    with failing_to(f'publish the message "{message}" on the topic "{topic}" with QoS "{QOS_NAMES[qos]}".'):
        request = PublishRequest(
            check_publish_topic(topic), message, qos, retain, as_base64, repeat or 1, _seconds(sleep) or 0.0
        )
        publish_messages(_options(tedge), request, timeout=_timeout(connection_timeout), sleep=tedge.sleep)


@mqtt_cmd.command("sub", context_settings=HELP)
@click.argument("topic")
@click.option(
    "-q", "--qos", default="0", callback=_qos, metavar="QOS", help="QoS level (0, 1, 2) [default: 0]"
)
@click.option(
    "--no-topic", "hide_topic", is_flag=True, help="Avoid printing the message topics on the console"
)
@click.option("--base64", "as_base64", is_flag=True, help="Encode the received payloads")
@click.option(
    "-W", "--duration", default=None, callback=duration_option,
    help="Disconnect and exit after the specified timeout (e.g., 60s, 1h)",
)  # fmt: skip
@click.option(
    "-C", "--count", type=click.IntRange(min=1), default=None,
    help="Disconnect and exit after receiving the specified number of messages",
)  # fmt: skip
@click.option(
    "--retained-only", is_flag=True,
    help="Only show retained messages and exit after receiving the first non-retained message",
)  # fmt: skip
@click.option(
    "--connection-timeout",
    default="10s",
    callback=duration_option,
    help="Give up connecting to the broker after this duration (e.g., 10s); 0 for no timeout",
)
@click.pass_obj
def sub_cmd(
    tedge: TedgeContext,
    *,
    topic: str,
    qos: int,
    hide_topic: bool,
    as_base64: bool,
    duration: Duration | None,
    count: int | None,
    retained_only: bool,
    connection_timeout: Duration,
) -> None:
    """Subscribe a MQTT topic."""
    from c8ylink.device.mqtt.pub_sub import SubscribeRequest, check_topic_filter, subscribe_messages

    with failing_to(f'subscribe the topic "{topic}" with QoS "{QOS_NAMES[qos]}".'):
        request = SubscribeRequest(
            check_topic_filter(topic), qos, hide_topic, as_base64, _seconds(duration), count, retained_only
        )
        subscribe_messages(
            _options(tedge),
            request,
            timeout=_timeout(connection_timeout),
            write=click.echo,
            info=tedge.console.line,
        )
