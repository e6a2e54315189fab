"""The ``c8y notification2 subscriptions subscribe`` loop without a network: scripted sockets stand for
the tenant's connections (what each receive returns, in order). Each notification is handed on once and
acknowledged after; a redelivery after a reconnect is acknowledged but not handed on again; drops are
retried with waits; a refused reconnect and a bad first connection are the caller's errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from c8ylink.core.errors import ApiError, NetworkError, UsageError
from c8ylink.core.notification2 import encode_message
from c8ylink.operator.notification2 import (
    RETRY_WAITS,
    ConsumeOptions,
    consume,
    consumer_params,
    fetch_token,
    parse_options,
)

DROP = object()  # the connection drops at this point


def frame(ack_id: str, action: str = "CREATE") -> str:
    return encode_message(ack_id, "/t1/measurements/5", action, f'{{"id":"{ack_id}"}}')


class Script:
    """Sockets that return the given items in order (None: nothing in time; DROP: the connection ends)."""

    def __init__(self, *connections: list[object]) -> None:
        self.connections = list(connections)
        self.acks: list[str] = []
        self.opened = 0
        self.closed = 0

    def open(self) -> Script.Socket:
        if not self.connections:
            raise NetworkError("no more connections")
        self.opened += 1
        return Script.Socket(self, iter(self.connections.pop(0)))

    class Socket:
        def __init__(self, script: Script, items: Iterator[object]) -> None:
            self.script, self.items = script, items

        def receive(self, timeout: float) -> str | None:
            item = next(self.items, None)
            if item is DROP:
                raise NetworkError("dropped")
            assert item is None or isinstance(item, str)
            return item

        def send_text(self, text: str) -> None:
            self.script.acks.append(text)

        def close(self) -> None:
            self.script.closed += 1


class Clock:
    def __init__(self) -> None:
        self.time = 0.0
        self.waits: list[float] = []

    def now(self) -> float:
        self.time += 0.01
        return self.time

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.time += seconds


def run(script: Script, options: ConsumeOptions, clock: Clock | None = None) -> list[str]:
    clock = clock or Clock()
    return [n.ack_id for n in consume(script.open, options, now=clock.now, sleep=clock.sleep)]


def test_each_notification_is_handed_on_then_acknowledged_and_count_ends_it() -> None:
    script = Script([frame("a"), None, frame("b"), frame("c")])
    assert run(script, ConsumeOptions(count=2)) == ["a", "b"]
    assert script.acks == ["a", "b"] and script.closed == 1


def test_a_redelivery_after_a_drop_is_acknowledged_but_not_handed_on_twice() -> None:
    script = Script([frame("a"), DROP], [frame("a"), frame("b")])  # "a"'s ack was lost with the drop
    clock = Clock()
    assert run(script, ConsumeOptions(count=2), clock) == ["a", "b"]
    assert script.opened == 2 and script.acks == ["a", "a", "b"]
    assert clock.waits == [RETRY_WAITS[0]]


def test_action_types_filter_on_the_client_and_the_others_are_still_acknowledged() -> None:
    script = Script([frame("a", "UPDATE"), frame("b", "DELETE"), frame("c", "CREATE")])
    options = ConsumeOptions(count=1, action_types=frozenset({"CREATE"}))
    assert run(script, options) == ["c"]
    assert script.acks == ["a", "b", "c"]


def test_frames_that_are_no_notification_are_skipped() -> None:
    script = Script(["hello", frame("a")])
    assert run(script, ConsumeOptions(count=1)) == ["a"] and script.acks == ["a"]


def test_duration_ends_it() -> None:
    script = Script([None] * 1000)
    assert run(script, ConsumeOptions(duration=0.5)) == []
    assert script.closed == 1


def test_a_bad_first_connection_is_the_callers_error() -> None:
    def refuse() -> Script.Socket:
        raise ApiError(401, "https://x/notification2/consumer/?token={token}", "bad token")

    with pytest.raises(ApiError):
        list(consume(refuse, ConsumeOptions(count=1)))


def test_a_reconnect_the_tenant_refuses_ends_it() -> None:
    opened: list[int] = []

    def open_socket() -> Script.Socket:
        opened.append(1)
        if len(opened) > 1:
            raise ApiError(404, "https://x/notification2/consumer/", "no such subscription")
        return Script([DROP]).open()

    clock = Clock()
    with pytest.raises(ApiError):
        list(consume(open_socket, ConsumeOptions(count=1), now=clock.now, sleep=clock.sleep))


def test_drops_are_retried_with_growing_waits_then_given_up() -> None:
    script = Script([DROP])  # then every connection attempt fails
    clock = Clock()
    with pytest.raises(NetworkError, match="could not be opened again"):
        run(script, ConsumeOptions(count=1), clock)
    assert clock.waits == list(RETRY_WAITS)


def test_options_and_token_request() -> None:
    assert parse_options({"duration": "10m", "count": 3, "actionTypes": ["create,update"]}) == ConsumeOptions(
        600.0, 3, frozenset({"CREATE", "UPDATE"})
    )
    assert parse_options({}) == ConsumeOptions()
    for bad in ({"duration": "soon"}, {"count": -1}, {"actionTypes": ["EXPLODE"]}):
        with pytest.raises(UsageError):
            parse_options(bad)
    assert consumer_params("tok", "") == {"token": "tok"}
    assert consumer_params("tok", "c1") == {"token": "tok", "consumer": "c1"}
    sent: list[tuple[str, str, object]] = []

    def request(method: str, path: str, body: object) -> object:
        sent.append((method, path, body))
        return {"token": "jwt"}

    assert fetch_token(request, "sub", "goc8ycli", 60) == "jwt"
    assert sent == [("POST", "/notification2/token",
                     {"subscriber": "goc8ycli", "subscription": "sub", "expiresInMinutes": 60})]  # fmt: skip
    no_token: Callable[[str, str, object], object] = lambda *_: {}  # noqa: E731
    with pytest.raises(Exception, match="no token"):
        fetch_token(no_token, "sub", "goc8ycli", 60)
