"""``c8y <alarms|events|measurements|operations|inventory> subscribe`` and ``c8y realtime
subscribe|subscribeAll``: Cumulocity's real-time notifications (Bayeux long-polling on
``/notification/realtime``), printed one JSON object a line as they arrive, until ``--duration`` is over
or ``--count`` objects were printed (exit 0 either way, as upstream).

The Bayeux messages are built by pure functions; ``run_subscribe`` is the handler (``CommandSpec``)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from c8ylink.core.errors import C8yLinkError, UsageError
from c8ylink.operator.api.plan import RequestPlan
from c8ylink.operator.api.waits import parse_wait_duration

if TYPE_CHECKING:
    from c8ylink.operator.api.execute import Executor

USER_ERROR = 101
ENDPOINT = "/notification/realtime"
POLL_SECONDS = 5.0  # the longest one connect waits (the server's limit is 30 s)
# the group -> its channel prefix
PREFIXES = {
    "alarms": "/alarms/",
    "events": "/events/",
    "measurements": "/measurements/",
    "operations": "/operations/",
    "inventory": "/managedobjects/",
}
HEADERS = (("Accept", "application/json"), ("Content-Type", "application/json"))


def handshake() -> list[dict[str, Any]]:
    return [{"channel": "/meta/handshake", "version": "1.0", "supportedConnectionTypes": ["long-polling"]}]


def subscribe(client_id: str, channels: Sequence[str]) -> list[dict[str, Any]]:
    return [{"channel": "/meta/subscribe", "clientId": client_id, "subscription": c} for c in channels]


def connect(client_id: str, wait: float) -> list[dict[str, Any]]:
    return [{"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling",
             "advice": {"timeout": int(wait * 1000)}}]  # fmt: skip


def channels_for(group: str, device: str, channel: str) -> list[str]:
    if group == "realtime" and channel:
        return [channel]
    if group == "realtime":  # subscribeAll: every kind of notification of the device
        return [prefix + device for prefix in PREFIXES.values()]
    return [PREFIXES[group] + device]


def objects_of(messages: Sequence[Mapping[str, Any]], actions: Sequence[str]) -> list[dict[str, Any]]:
    """The objects the data messages carry (``--actionTypes``: only those actions)."""
    found: list[dict[str, Any]] = []
    for message in messages:
        if str(message.get("channel", "")).startswith("/meta/"):
            continue
        data = message.get("data") or {}
        if not isinstance(data, Mapping):
            continue
        if actions and str(data.get("realtimeAction", "")) not in actions:
            continue
        item = data.get("data")
        if isinstance(item, Mapping):
            found.append(dict(item))
    return found


def _plan(body: list[dict[str, Any]], label: str = "") -> RequestPlan:
    return RequestPlan("POST", ENDPOINT, body=body, headers=HEADERS, label=label)


def _answers(executor: Executor, body: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answer = executor.send(_plan(body)).json_or_none()
    messages = answer if isinstance(answer, list) else []
    for message in messages:
        if str(message.get("channel", "")).startswith("/meta/") and message.get("successful") is False:
            raise C8yLinkError(f"real-time notifications: {message.get('channel')}: {message.get('error')}")
    return [message for message in messages if isinstance(message, dict)]


def run_subscribe(executor: Executor, values: dict[str, Any]) -> None:
    group = executor.command.split()[1]
    devices = values.get("device") or ["*"]
    device = str(devices[0] if isinstance(devices, list) else devices)
    channel = str(values.get("channel") or "")
    if group == "realtime" and executor.spec.name == "subscribe" and not channel:
        raise UsageError("missing --channel (e.g. /measurements/*)", exit_code=USER_ERROR)
    duration = parse_wait_duration("--duration", str(values.get("duration") or "30s"))
    count = int(values.get("count") or 0)
    actions = [str(action).upper() for action in values.get("actionTypes") or []]
    channels = channels_for(group, device, channel)
    if executor.run.dry:
        executor.print_dry(_plan(handshake()))
        return
    [welcome] = [m for m in _answers(executor, handshake()) if m.get("channel") == "/meta/handshake"] or [{}]
    client_id = str(welcome.get("clientId", ""))
    _answers(executor, subscribe(client_id, channels))
    deadline = time.monotonic() + duration
    printed = 0
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            for item in objects_of(
                _answers(executor, connect(client_id, min(remaining, POLL_SECONDS))), actions
            ):
                executor.printer.items([item])
                printed += 1
                if count and printed >= count:
                    return
    finally:
        _answers(executor, [{"channel": "/meta/disconnect", "clientId": client_id}])
