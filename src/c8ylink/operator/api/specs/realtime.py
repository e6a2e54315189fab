"""``c8y realtime subscribe|subscribeAll`` (go-c8y-cli writes them by hand): real-time notifications of
any channel, or every kind for one device (``operator.api.realtime``)."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import ACTION_TYPES, COUNT, PIPED_IDS, REALTIME, SUBSCRIBE_DURATION
from c8ylink.operator.api.spec import CONTEXT, CommandSpec, ExampleSpec, GroupSpec, ParamSpec

ENDPOINT = "/notification/realtime"

SUBSCRIBE = CommandSpec(
    "subscribe",
    "Subscribe to a real-time channel",
    "POST",
    ENDPOINT,
    long="Prints each notification's object, one JSON object a line, until --duration or --count.",
    action="read",
    params=(
        ParamSpec("channel", "string", CONTEXT, "Channel, e.g. /measurements/* or /alarms/12345",
                  required=True),
        SUBSCRIBE_DURATION, COUNT, ACTION_TYPES,
    ),
    handler=REALTIME,
    examples=(ExampleSpec("c8y realtime subscribe --channel '/measurements/*' --count 5",
                          "The next 5 measurements of any device", "POST", ENDPOINT),),
)  # fmt: skip

SUBSCRIBE_ALL = CommandSpec(
    "subscribeAll",
    "Subscribe to all real-time notifications of a device",
    "POST",
    ENDPOINT,
    long="Measurements, events, alarms, operations and inventory changes of one device (or all).",
    action="read",
    params=(
        ParamSpec("device", "device[]", CONTEXT, "Device (id or name; default: all)", pipeline=True,
                  pipeline_aliases=PIPED_IDS),
        SUBSCRIBE_DURATION, COUNT, ACTION_TYPES,
    ),
    handler=REALTIME,
    examples=(ExampleSpec("c8y realtime subscribeAll --device 12345 --duration 1m",
                          "Everything of one device for a minute", "POST", ENDPOINT),),
)  # fmt: skip

GROUP = GroupSpec("realtime", "Real-time notifications", (SUBSCRIBE, SUBSCRIBE_ALL))
