"""``c8y notification2 subscriptions subscribe``: a Notifications 2.0 consumer (``core.notification2``)
over a WebSocket of the CLI's one HTTP client (``C8yClient.open_websocket``).

    for notification in consume(open_socket, ConsumeOptions(duration=30, count=5)):
        print(notification.body)

Each notification is acknowledged once it was handed on (the caller printed it). When the connection
drops, the consumer connects again with the same token (waiting a little between attempts); the tenant
then sends again what was not acknowledged, and an ack id seen before is acknowledged again but not
handed on a second time. ``--actionTypes`` filters on the client, as upstream.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from c8ylink.core.errors import ApiError, C8yLinkError, NetworkError, UsageError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.core.notification2 import CONSUMER_PATH, MessageFormatError, Notification, parse_message

if TYPE_CHECKING:
    from c8ylink.operator.api.execute import Executor
    from c8ylink.operator.api.plan import RequestPlan

TOKEN_PATH = "/notification2/token"
DEFAULT_SUBSCRIBER = "goc8ycli"
RETRY_WAITS = (0.0, 0.2, 0.5, 1.0, 2.0, 5.0)  # between attempts to connect again after a drop
LONGEST_WAIT = 30.0  # seconds one receive waits (then the deadline is checked)
SEEN_IDS = 10_000


class Socket(Protocol):
    def receive(self, timeout: float) -> str | None: ...
    def send_text(self, text: str) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ConsumeOptions:
    duration: float = 0.0  # seconds; 0: until interrupted
    count: int = 0  # 0: no limit
    action_types: frozenset[str] = frozenset()  # empty: every action


def build_token_request(subscription: str, subscriber: str, minutes: int) -> dict[str, Any]:
    return {"subscriber": subscriber, "subscription": subscription, "expiresInMinutes": minutes}


def consumer_params(token: str, consumer: str) -> dict[str, str]:
    return {"token": token, **({"consumer": consumer} if consumer else {})}


def decode_body(notification: Notification) -> Any:
    """The notification's JSON body; the text itself when it is not JSON."""
    try:
        return json.loads(notification.body)
    except ValueError:
        return notification.body


class _Seen:
    def __init__(self) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, ack_id: str) -> bool:
        if ack_id in self._ids:
            return False
        self._ids[ack_id] = None
        if len(self._ids) > SEEN_IDS:
            self._ids.popitem(last=False)
        return True


def consume(
    open_socket: Callable[[], Socket],
    options: ConsumeOptions,
    *,
    now: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Generator[Notification, None, None]:
    """Each new notification, until ``duration`` passed or ``count`` were handed on. The first connection
    failing is the caller's error; later drops are retried (``RETRY_WAITS``)."""
    deadline = now() + options.duration if options.duration > 0 else float("inf")
    seen = _Seen()
    delivered = 0
    socket: Socket | None = open_socket()
    failures = 0
    try:
        while now() < deadline:
            if socket is None:
                socket, failures = _reconnect(open_socket, failures, deadline, now, sleep)
                continue
            try:
                text = socket.receive(min(deadline - now(), LONGEST_WAIT))
            except NetworkError:
                socket = None
                continue
            failures = 0  # the connection held for a while
            if text is None:
                continue
            try:
                notification = parse_message(text)
            except MessageFormatError:
                continue  # not a notification (nothing to acknowledge)
            wanted = seen.first_time(notification.ack_id) and (
                not options.action_types or notification.action.upper() in options.action_types
            )
            if wanted:
                yield notification
                delivered += 1
            try:
                socket.send_text(notification.ack_id)
            except NetworkError:
                socket = None  # sent again after the reconnect, then acknowledged
            if options.count and delivered >= options.count:
                return
    finally:
        if socket is not None:
            socket.close()


def _reconnect(
    open_socket: Callable[[], Socket],
    failures: int,
    deadline: float,
    now: Callable[[], float],
    sleep: Callable[[float], None],
) -> tuple[Socket | None, int]:
    """One attempt to connect again, after the wait its number calls for; the last failure is raised."""
    if failures >= len(RETRY_WAITS):
        raise NetworkError("the notification2 consumer connection dropped and could not be opened again")
    sleep(max(0.0, min(RETRY_WAITS[failures], deadline - now())))
    try:
        return open_socket(), failures + 1
    except ApiError as exc:
        if exc.status < 500:
            raise  # the token expired, the subscription was deleted: trying again will not help
        return None, failures + 1
    except NetworkError:
        return None, failures + 1


def fetch_token(
    request: Callable[[str, str, Mapping[str, Any]], Any], subscription: str, subscriber: str, minutes: int
) -> str:
    """A new token for ``subscription`` (``request(method, path, body) -> JSON``)."""
    answer = request("POST", TOKEN_PATH, build_token_request(subscription, subscriber, minutes))
    token = answer.get("token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise C8yLinkError(f"the tenant answered no token for subscription {subscription!r}")
    return token


# -- the command's handler (``CommandSpec.handler``) -------------------------------------------------------
def parse_options(values: Mapping[str, Any]) -> ConsumeOptions:
    from c8ylink.operator.api.waits import parse_wait_duration
    from c8ylink.operator.realtime import parse_action_types

    duration = str(values.get("duration") or "")
    count = int(values.get("count") or 0)
    if count < 0:
        raise UsageError(f"invalid --count {count}: must not be negative", exit_code=int(C8yExit.USER))
    return ConsumeOptions(
        parse_wait_duration("--duration", duration) if duration else 0.0,
        count,
        parse_action_types(list(values.get("actionTypes") or [])),
    )


def run_subscribe(executor: Executor, values: dict[str, Any]) -> None:
    name = str(values.get("name") or "")
    if not name:
        raise UsageError("missing --name: the subscription to consume", exit_code=int(C8yExit.USER))
    options = parse_options(values)
    token = str(values.get("token") or "")
    if executor.run.dry:
        executor.print_dry(_consumer_plan(values))
        return
    client = executor.client()
    if not token:

        def post(method: str, path: str, body: Mapping[str, Any]) -> Any:
            return client.request(method, path, json=dict(body)).json_or_none()

        subscriber = str(values.get("subscriber") or DEFAULT_SUBSCRIBER)
        token = fetch_token(post, name, subscriber, int(values.get("expiresInMinutes") or 1440))
    params = consumer_params(token, str(values.get("consumer") or ""))
    stream = consume(lambda: client.open_websocket(CONSUMER_PATH, params=params), options)
    try:
        for notification in stream:
            body = decode_body(notification)
            if isinstance(body, dict):
                executor.printer.items([body])
            else:
                executor.printer.document(body)
    except KeyboardInterrupt:
        pass  # Ctrl-C ends the subscription, as --duration does
    finally:
        stream.close()


def _consumer_plan(values: Mapping[str, Any]) -> RequestPlan:
    """What ``--dry`` shows: the consumer's connection (the token, given or to be created, is a secret)."""
    from c8ylink.operator.api.plan import RequestPlan

    query = tuple(consumer_params("{token}", str(values.get("consumer") or "")).items())
    return RequestPlan("GET", CONSUMER_PATH, query=query)
