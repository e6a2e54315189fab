"""``tedge mqtt pub|sub``: publish to and subscribe on the local broker (``mqtt.client.*`` settings).

    publish_messages(options, PublishRequest("te/device/main///m/", '{"t": 1}', qos=1), sleep=time.sleep)
    subscribe_messages(options, SubscribeRequest("c8y/#"), write=print_line, info=console_line)

``sub`` prints ``[<topic>] <payload>`` per message on stdout (only the payload with ``--no-topic``),
``INFO: Connected`` on stderr once subscribed; it stops after ``--count`` messages, after
``--duration``, at the first message that is not retained with ``--retained-only``, or when the
broker goes away (``INFO: Disconnected``). Connecting is retried until ``connection_timeout``
(``None``: forever), as upstream's ``--connection-timeout`` does.
"""

from __future__ import annotations

import base64
import binascii
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from c8ylink.core.errors import BrokerError, C8yLinkError
from c8ylink.core.mqtt.topic import topic_filter_problem, topic_name_problem

if TYPE_CHECKING:
    from c8ylink.infra.net.mqtt_client import MqttClient
    from c8ylink.infra.net.mqtt_options import MqttMessage, MqttOptions

QOS_NAMES = ("AtMostOnce", "AtLeastOnce", "ExactlyOnce")
RETRY_EVERY = 0.2


@dataclass(frozen=True, slots=True)
class PublishRequest:
    topic: str
    message: str
    qos: int = 0
    retain: bool = False
    base64: bool = False
    repeat: int = 1
    pause: float = 1.0

    def payload(self) -> bytes:
        if not self.base64:
            return self.message.encode("utf-8")
        try:
            return base64.b64decode(self.message, validate=True)
        except (binascii.Error, ValueError):
            raise C8yLinkError(f"The message is not valid base64: {self.message!r}") from None


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    topic: str
    qos: int = 0
    hide_topic: bool = False
    base64: bool = False
    duration: float | None = None
    count: int | None = None
    retained_only: bool = False


def check_publish_topic(topic: str) -> str:
    """A topic one can publish to (``core.mqtt.topic``: not empty, no wildcards, no NUL)."""
    if topic_name_problem(topic) is not None:
        raise C8yLinkError(f"Invalid topic name: '{topic}' (publish to a topic without + or #)")
    return topic


def check_topic_filter(topic: str) -> str:
    """A valid MQTT topic filter (``core.mqtt.topic``: ``#`` only last, wildcards only as whole levels)."""
    problem = topic_filter_problem(topic)
    if problem is not None:
        raise C8yLinkError(f"Invalid topic filter: '{topic}' ({problem})")
    return topic


def connect_with_retries(options: MqttOptions, timeout: float | None) -> MqttClient:
    """Connect, trying again while the broker refuses or cannot be reached, until ``timeout`` s."""
    from c8ylink.infra.net.mqtt_client import MqttClient

    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        client = MqttClient(options)
        try:
            client.connect()
        except BrokerError as exc:
            refused = "refused the connection" in str(exc)  # the broker answered: trying again won't help
            if refused or (deadline is not None and time.monotonic() + RETRY_EVERY > deadline):
                raise
            time.sleep(RETRY_EVERY)
            continue
        return client


def publish_messages(
    options: MqttOptions, request: PublishRequest, *, timeout: float | None, sleep: Callable[[float], None]
) -> None:
    payload = request.payload()
    client = connect_with_retries(_named(options, "tedge-pub"), timeout)
    try:
        for index in range(request.repeat):
            if index:
                sleep(request.pause)
            client.publish(request.topic, payload, qos=request.qos, retain=request.retain)
    finally:
        client.disconnect()


def subscribe_messages(
    options: MqttOptions,
    request: SubscribeRequest,
    *,
    timeout: float | None,
    write: Callable[[str], None],
    info: Callable[[str], None],
) -> None:
    client = connect_with_retries(_named(options, "tedge-sub"), timeout)
    try:
        client.subscribe([(request.topic, request.qos)])
        info("INFO: Connected")
        _print_messages(client, request, write=write, info=info)
    finally:
        client.disconnect()


def _print_messages(
    client: MqttClient,
    request: SubscribeRequest,
    *,
    write: Callable[[str], None],
    info: Callable[[str], None],
) -> None:
    deadline = None if request.duration is None else time.monotonic() + request.duration
    received = 0
    while request.count is None or received < request.count:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            return
        try:
            message = client.next_message(timeout=wait)
        except BrokerError:
            info("INFO: Disconnected")
            return
        if message is None:
            return
        if request.retained_only and not message.retain:
            return
        write(format_message(message, hide_topic=request.hide_topic, as_base64=request.base64))
        received += 1


def format_message(message: MqttMessage, *, hide_topic: bool, as_base64: bool) -> str:
    """``[topic] payload`` (a trailing NUL dropped; ``--base64``: the payload base64-encoded)."""
    payload = message.payload.removesuffix(b"\0")
    if as_base64:
        text = base64.b64encode(payload).decode("ascii")
    else:
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            text = payload.decode("utf-8", errors="replace")
    return text if hide_topic else f"[{message.topic}] {text}"


def _named(options: MqttOptions, prefix: str) -> MqttOptions:
    return replace(options, client_id=f"{prefix}-{os.getpid()}", clean_session=True)
