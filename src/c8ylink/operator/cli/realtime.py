"""``c8y realtime subscribe | subscribeAll`` and ``c8y <group> subscribe`` (measurements, events, alarms,
operations, inventory): realtime notifications printed as JSON lines as they arrive, with the output
flags of every command (``--select``, ``--output``, ``--filter``, ...), until ``--duration`` passed or
``--count`` notifications were printed (``operator.realtime``)."""

from __future__ import annotations

import sys
from typing import Any

import click

from c8ylink.core.errors import UsageError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.core.realtime import ACTIONS, channel_of
from c8ylink.operator.cli.options import operator_context, rest_options
from c8ylink.operator.cli.surroundings import isatty
from c8ylink.operator.realtime import GROUP_RESOURCES, SUBSCRIBE_ALL

CONTEXT = {"help_option_names": ["-h", "--help"]}
DEFAULT_DURATION = "30s"


def parse_subscribe_duration(text: str) -> float:
    """Seconds of ``--duration``: ``30s``, ``1m30s``, ``500ms``; a bare number is seconds (as upstream)."""
    from c8ylink.core.settings.durations import GO_DURATION, parse_duration
    from c8ylink.core.settings.errors import ValueParseError

    try:
        seconds = parse_duration(text, GO_DURATION._replace(bare_unit="s")).seconds
    except ValueParseError:
        seconds = -1.0
    if seconds <= 0:
        raise UsageError(
            f"invalid --duration {text!r}: use a duration such as 30s, 1m or 500ms",
            exit_code=int(C8yExit.USER),
        )
    return seconds


def _subscribe_flags(function: Any) -> Any:
    for option in reversed(
        (
            click.option(
                "--duration",
                default=DEFAULT_DURATION,
                show_default=True,
                help="How long to listen, e.g. 30s, 1m (a bare number is seconds)",
            ),
            click.option(
                "--count",
                type=click.IntRange(min=0),
                default=0,
                help="Stop after this many notifications (0: no limit)",
            ),
            click.option(
                "--actionTypes",
                "action_types",
                multiple=True,
                help=f"Only these actions: {', '.join(ACTIONS)} (comma-separated or repeated)",
            ),
        )
    ):
        function = option(function)
    return rest_options(function)


def run_subscription(
    channels: list[str], duration: str, count: int, action_types: tuple[str, ...], device: str = ""
) -> None:
    from c8ylink.operator.api.output import Printer
    from c8ylink.operator.api.runner import Streams, output_options
    from c8ylink.operator.realtime import SubscribeOptions, check_channels, parse_action_types, subscribe

    options = SubscribeOptions(parse_subscribe_duration(duration), count, parse_action_types(action_types))
    ops = operator_context(click.get_current_context())
    flags = ops.flags
    streams = Streams(
        sys.stdin, sys.stdout, sys.stderr, isatty(sys.stdin), isatty(sys.stdout), isatty(sys.stderr)
    )
    with _open_client(ops) as client:
        if device:
            resolved = _device_id(client, device)
            channels = [channel.replace("{device}", resolved) for channel in channels]
        check_channels(channels)
        printer = Printer(output_options(flags, streams), sys.stdout, sys.stderr)
        try:
            for data in subscribe(client, channels, options):
                if isinstance(data, dict):
                    printer.items([data])
                else:
                    printer.document(data)
                sys.stdout.flush()
        finally:
            printer.close()


def _open_client(ops: Any) -> Any:
    from c8ylink.operator.active import load_active_session, open_client, settings_of
    from c8ylink.operator.activity_log import open_activity_log
    from c8ylink.operator.flags import proxy_of

    flags = ops.flags
    session = load_active_session(ops.where, flags.session)
    activity = open_activity_log(
        settings_of(session, ops.where), str(ops.where.session_home), no_log=flags.no_log
    )
    if activity is not None:
        activity.command(sys.argv[1:], flags.log_message or "")
    return open_client(
        session,
        ops.where,
        insecure=flags.insecure,
        timeout=flags.timeout,
        proxy=proxy_of(flags),
        log=sys.stderr if flags.verbose or flags.debug else None,
        debug=flags.debug,
        activity=activity,
    )


def _device_id(client: Any, reference: str) -> str:
    """An id as given; a name is looked up (its first match, as upstream)."""
    from c8ylink.operator.api.lookup import resolve
    from c8ylink.operator.api.plan import RequestPlan

    def send(plan: RequestPlan) -> Any:
        return client.request(
            plan.method, plan.path, params=dict(plan.query), headers=dict(plan.headers)
        ).json()

    return resolve("device[]", [reference], send, flag="--device")[0]


@click.group(name="realtime", context_settings=CONTEXT)
def realtime_cmd() -> None:
    """Realtime notifications (CometD): measurements, events, alarms, operations, managed objects."""


@realtime_cmd.command(name="subscribe", context_settings=CONTEXT)
@click.option(
    "--channel",
    "channels",
    multiple=True,
    help='Channel, e.g. "/measurements/12345" or "/measurements/*" (repeatable)',
)
@_subscribe_flags
def subscribe_cmd(
    channels: tuple[str, ...], duration: str, count: int, action_types: tuple[str, ...]
) -> None:
    """Subscribe to realtime notifications.

    \b
    Examples:
      c8y realtime subscribe --channel "/measurements/*" --duration 90s
          Subscribe to all measurements for 90 seconds
    """
    run_subscription(list(channels), duration, count, action_types)


@realtime_cmd.command(name="subscribeAll", context_settings=CONTEXT)
@click.option("--device", default="", help="Device id or name (default: every device)")
@_subscribe_flags
def subscribe_all_cmd(device: str, duration: str, count: int, action_types: tuple[str, ...]) -> None:
    """Subscribe to all realtime notifications (alarms, events, measurements, operations).

    \b
    Examples:
      c8y realtime subscribeAll --device 12345 --duration 90s
          Subscribe to all notifications (alarms/events/operations etc.) for device 12345 for 90 seconds
    """
    channels = [channel_of(resource, "{device}" if device else "*") for resource in SUBSCRIBE_ALL]
    run_subscription(channels, duration, count, action_types, device=device)


def group_subscribe_command(group: str) -> click.Command:
    """``c8y <group> subscribe``: one resource's channel, for a device or all."""
    from c8ylink.operator.api.index import REALTIME_COMMANDS

    resource = GROUP_RESOURCES[group]
    ((_, short),) = REALTIME_COMMANDS[group]
    noun = short.removeprefix("Subscribe to realtime ")

    @click.command(
        name="subscribe",
        context_settings=CONTEXT,
        help=f"""Subscribe to realtime {noun}.

    \b
    Examples:
      c8y {group} subscribe --device 12345
          Subscribe to {noun} (in realtime) for device 12345
      c8y {group} subscribe --device 12345 --duration 30s
          Subscribe to {noun} (in realtime) for device 12345 for 30 seconds
      c8y {group} subscribe --count 10
          Subscribe to {noun} (in realtime) for all devices, and stop after receiving 10
    """,
        short_help=short,
    )
    @click.option("--device", default="", help="Device id or name (default: every device)")
    @_subscribe_flags
    def command(device: str, duration: str, count: int, action_types: tuple[str, ...]) -> None:
        run_subscription(
            [channel_of(resource, "{device}" if device else "*")],
            duration,
            count,
            action_types,
            device=device,
        )

    return command
