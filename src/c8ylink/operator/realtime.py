"""``c8y realtime subscribe`` and each group's ``subscribe``: Cumulocity's realtime notifications over
CometD long-polling, through the CLI's one HTTP client (``C8yClient``).

    for data in subscribe(client, ["/measurements/12"], SubscribeOptions(duration=30, count=5)):
        print(data)          # the measurement (event, alarm, ...) of each notification

A connect is held by the server until a notification arrives or the advised timeout, which is never
longer than what is left of ``--duration``. When the server forgets the client (``402::Unknown client``)
or the connection drops mid-stream, the client handshakes and subscribes again; a notification that
arrives twice (same message id) is yielded once. What go-c8y-cli's ``subscribeAll`` ignores,
``--actionTypes``, is honoured everywhere.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from c8ylink.core.errors import ApiError, C8yLinkError, NetworkError, UsageError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.core.realtime import (
    ACTIONS,
    CONNECT,
    DISCONNECT,
    HANDSHAKE,
    SUBSCRIBE,
    VERSION,
    ChannelError,
    error_code,
    parse_channel,
)
from c8ylink.operator.client import C8yClient

PATH = "/notification/realtime"
LONGEST_POLL = 25.0  # seconds a connect may be held (the tenant may hold it shorter)
RETRY_WAITS = (0.0, 0.2, 0.5, 1.0, 2.0)  # between attempts after a dropped connection
SEEN_IDS = 10_000  # message ids remembered for "nothing twice"

# c8y <group> subscribe -> the channel resource
GROUP_RESOURCES: dict[str, str] = {
    "measurements": "measurements",
    "events": "events",
    "alarms": "alarms",
    "operations": "operations",
    "inventory": "managedobjects",
}
SUBSCRIBE_ALL = ("alarms", "events", "measurements", "operations")  # what subscribeAll listens to


class RealtimeError(C8yLinkError):
    """The realtime endpoint refused (a handshake, a subscription)."""


@dataclass(frozen=True, slots=True)
class SubscribeOptions:
    duration: float = 30.0  # seconds
    count: int = 0  # 0: no limit
    action_types: frozenset[str] = frozenset()  # empty: every action


def parse_action_types(values: Sequence[str]) -> frozenset[str]:
    actions = {part.strip().upper() for value in values for part in value.split(",") if part.strip()}
    unknown = sorted(actions - set(ACTIONS))
    if unknown:
        raise UsageError(
            f"invalid --actionTypes {', '.join(unknown)}: use {', '.join(ACTIONS)}",
            exit_code=int(C8yExit.USER),
        )
    return frozenset(actions)


def check_channels(channels: Sequence[str]) -> list[str]:
    if not channels:
        raise UsageError("missing --channel, e.g. /measurements/*", exit_code=int(C8yExit.USER))
    try:
        for channel in channels:
            parse_channel(channel)
    except ChannelError as exc:
        raise UsageError(str(exc), exit_code=int(C8yExit.USER)) from None
    return list(channels)


class _Seen:
    """The last ``SEEN_IDS`` message ids."""

    def __init__(self) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, message_id: object) -> bool:
        if message_id is None:
            return True
        key = str(message_id)
        if key in self._ids:
            return False
        self._ids[key] = None
        if len(self._ids) > SEEN_IDS:
            self._ids.popitem(last=False)
        return True


class _Connection:
    """One handshaken client: its id, and how to ask the server."""

    def __init__(self, client: C8yClient, channels: Sequence[str]) -> None:
        self._client = client
        self._channels = channels
        self.client_id = ""

    def send(self, *messages: dict[str, Any]) -> list[dict[str, Any]]:
        replies = self._client.request("POST", PATH, json=list(messages)).json_or_none()
        if not isinstance(replies, list):
            raise NetworkError(
                f"the realtime endpoint answered something that is not a list of messages: {replies!r}"[:200]
            )
        return [reply for reply in replies if isinstance(reply, dict)]

    def open(self) -> None:
        (reply, *_) = self.send(
            {
                "channel": HANDSHAKE,
                "version": VERSION,
                "minimumVersion": VERSION,
                "supportedConnectionTypes": ["long-polling"],
            }
        ) or [{}]
        if not reply.get("successful") or not reply.get("clientId"):
            raise RealtimeError(f"the realtime handshake was refused: {reply.get('error') or reply}")
        self.client_id = str(reply["clientId"])
        wanted = [
            {"channel": SUBSCRIBE, "clientId": self.client_id, "subscription": c} for c in self._channels
        ]
        for answer in self.send(*wanted):
            if answer.get("channel") == SUBSCRIBE and not answer.get("successful"):
                raise RealtimeError(
                    f"cannot subscribe to {answer.get('subscription')}: {answer.get('error', 'refused')}"
                )

    def connect(self, timeout: float) -> list[dict[str, Any]]:
        advice = {"timeout": int(max(timeout, 0) * 1000)}
        return self.send(
            {
                "channel": CONNECT,
                "clientId": self.client_id,
                "connectionType": "long-polling",
                "advice": advice,
            }
        )

    def close(self) -> None:
        if self.client_id:
            with suppress(C8yLinkError):  # the server forgets an idle client anyway
                self.send({"channel": DISCONNECT, "clientId": self.client_id})


def subscribe(
    client: C8yClient,
    channels: Sequence[str],
    options: SubscribeOptions,
    *,
    now: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Any]:
    """The ``data`` of each notification on ``channels`` until ``duration`` passed or ``count`` arrived."""
    deadline = now() + options.duration
    connection = _Connection(client, channels)
    seen = _Seen()
    delivered = 0
    failures = 0
    try:
        connection.open()
        while now() < deadline:
            try:
                replies = connection.connect(min(deadline - now(), LONGEST_POLL))
            except (NetworkError, ApiError) as exc:
                if isinstance(exc, ApiError) and exc.status < 500:
                    raise
                # the same client again: the server kept its queue, or answers 402 and it handshakes
                failures = _pause(failures, exc, deadline, now, sleep)
                continue
            failures = 0
            for reply in replies:
                channel = reply.get("channel")
                if channel == CONNECT:
                    if not reply.get("successful"):
                        if error_code(reply) != "402" and _advice(reply) != "handshake":
                            raise RealtimeError(f"the realtime connect failed: {reply.get('error') or reply}")
                        _reopen(connection, deadline, now)
                    continue
                data = reply.get("data")
                if not isinstance(data, dict) or not seen.first_time(reply.get("id")):
                    continue
                action = str(data.get("realtimeAction", "")).upper()
                if options.action_types and action not in options.action_types:
                    continue
                yield data.get("data")
                delivered += 1
                if options.count and delivered >= options.count:
                    return
    finally:
        connection.close()


def _advice(reply: dict[str, Any]) -> str:
    advice = reply.get("advice")
    return str(advice.get("reconnect", "")) if isinstance(advice, dict) else ""


def _pause(
    failures: int,
    exc: C8yLinkError,
    deadline: float,
    now: Callable[[], float],
    sleep: Callable[[float], None],
) -> int:
    """Wait before the next attempt after a dropped connection; give up when the waits are used up."""
    if failures >= len(RETRY_WAITS):
        raise exc
    sleep(max(0.0, min(RETRY_WAITS[failures], deadline - now())))
    return failures + 1


def _reopen(connection: _Connection, deadline: float, now: Callable[[], float]) -> None:
    """Handshake and subscribe again (the server forgot the client, or a connection dropped)."""
    if now() >= deadline:
        return
    with suppress(NetworkError):  # then the next connect fails too, and waits before trying again
        connection.open()
