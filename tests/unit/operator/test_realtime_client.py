"""The realtime client's protocol (``operator.realtime.subscribe``) against scripted Bayeux answers: a
server that forgets the client, one that replays a notification, a dropped connection, action filters,
and the end of ``--duration``/``--count``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from c8ylink.core.errors import NetworkError, UsageError
from c8ylink.infra.net.transport import MemoryTransport, Reply, Request
from c8ylink.operator.client import C8yClient, ClientConfig
from c8ylink.operator.realtime import RealtimeError, SubscribeOptions, parse_action_types, subscribe


def note(message_id: str, action: str, item_id: str) -> dict[str, Any]:
    return {
        "channel": "/events/1",
        "id": message_id,
        "data": {"realtimeAction": action, "data": {"id": item_id}},
    }


class Server:
    """Answers each connect with the next scripted step: a list of notifications, "forget" (402),
    or "drop" (the connection fails)."""

    def __init__(self, steps: list[Any]) -> None:
        self.steps: Iterator[Any] = iter(steps)
        self.handshakes = 0
        self.subscriptions: list[str] = []
        self.disconnected = False

    def __call__(self, request: Request) -> Reply:
        replies: list[dict[str, Any]] = []
        for message in request.json():
            channel = message["channel"]
            if channel == "/meta/handshake":
                self.handshakes += 1
                replies.append({"channel": channel, "successful": True, "clientId": f"c{self.handshakes}"})
            elif channel == "/meta/subscribe":
                self.subscriptions.append(message["subscription"])
                replies.append(
                    {"channel": channel, "successful": True, "subscription": message["subscription"]}
                )
            elif channel == "/meta/disconnect":
                self.disconnected = True
                replies.append({"channel": channel, "successful": True})
            else:
                step = next(self.steps, [])
                if step == "drop":
                    raise NetworkError("Fail to connect to t:443: connection reset")
                if step == "forget":
                    replies.append(
                        {
                            "channel": channel,
                            "successful": False,
                            "error": "402::Unknown client",
                            "advice": {"reconnect": "handshake"},
                        }
                    )
                else:
                    replies += [*step, {"channel": channel, "successful": True}]
        return Reply.json(replies)


def run(server: Server, options: SubscribeOptions, clock: list[float] | None = None) -> list[Any]:
    ticks = clock if clock is not None else [0.0]
    client = C8yClient(ClientConfig("https://t"), http=MemoryTransport(server, base_url="https://t"))

    def now() -> float:
        ticks[0] += 0.001
        return ticks[0]

    return list(subscribe(client, ["/events/1"], options, now=now, sleep=lambda _: None))


def test_a_forgotten_client_handshakes_again_and_a_replayed_notification_is_printed_once() -> None:
    server = Server(
        [[note("1", "CREATE", "a")], "forget", [note("1", "CREATE", "a"), note("2", "UPDATE", "a")]]
    )
    assert run(server, SubscribeOptions(duration=60, count=2)) == [{"id": "a"}, {"id": "a"}]
    assert server.handshakes == 2 and server.subscriptions == ["/events/1", "/events/1"]
    assert server.disconnected


def test_a_dropped_connection_is_retried_with_the_same_client() -> None:
    server = Server([[note("1", "CREATE", "a")], "drop", "drop", [note("2", "CREATE", "b")]])
    assert run(server, SubscribeOptions(duration=60, count=2)) == [{"id": "a"}, {"id": "b"}]
    assert server.handshakes == 1


def test_a_connection_that_stays_down_fails_with_its_reason() -> None:
    with pytest.raises(NetworkError, match="connection reset"):
        run(Server(["drop"] * 10), SubscribeOptions(duration=60))


def test_action_types_filter_and_count_ends() -> None:
    steps = [
        [
            note("1", "CREATE", "a"),
            note("2", "DELETE", "a"),
            note("3", "UPDATE", "b"),
            note("4", "UPDATE", "c"),
        ]
    ]
    options = SubscribeOptions(duration=60, count=2, action_types=parse_action_types(["update"]))
    assert run(Server(steps), options) == [{"id": "b"}, {"id": "c"}]


def test_duration_ends_the_subscription() -> None:
    clock = [0.0]
    server = Server([[]] * 100_000)
    assert run(server, SubscribeOptions(duration=5), clock) == []
    assert clock[0] >= 5


def test_refused_subscriptions_and_bad_action_types_say_why() -> None:
    class Refusing(Server):
        def __call__(self, request: Request) -> Reply:
            if request.json()[0]["channel"] == "/meta/subscribe":
                return Reply.json(
                    [
                        {
                            "channel": "/meta/subscribe",
                            "successful": False,
                            "error": "403::Forbidden",
                            "subscription": "/events/1",
                        }
                    ]
                )
            return super().__call__(request)

    with pytest.raises(RealtimeError, match="cannot subscribe to /events/1: 403::Forbidden"):
        run(Refusing([]), SubscribeOptions(duration=60))
    with pytest.raises(UsageError, match="EXPLODE"):
        parse_action_types(["CREATE,explode"])
