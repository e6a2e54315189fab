"""Cumulocity's real-time notifications (Bayeux over long-polling, ``POST /notification/realtime``): the
clients, their subscriptions and queued messages, and the messages a commit makes. PURE (no clock,
no I/O): ``tenant.rest.realtime`` waits for the messages.

Channels: ``/measurements/<source id>``, ``/events/...``, ``/alarms/...``, ``/operations/<device id>``,
``/managedobjects/<id>``; ``*`` in place of the id subscribes to all. A message's ``data`` is
``{"realtimeAction": CREATE|UPDATE|DELETE, "data": <the document, or {"id"} when deleted>}``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]
MAX_QUEUE = 10_000  # a client that stops polling loses its oldest messages beyond this


def channel_of(kind: str, key: str, document: dict[str, Any] | None) -> str | None:
    """The channel a stored change is published on (None: not one real-time notifications carry)."""
    if kind == "managedObject":
        return f"/managedobjects/{key}"
    if document is None:
        return None  # only the id is left: the source of a deleted event is unknown
    if kind in ("event", "alarm", "measurement"):
        source = (document.get("source") or {}).get("id")
        return f"/{kind}s/{source}" if source else None
    if kind == "operation":
        return f"/operations/{document.get('deviceId')}"
    return None


def notifications(changes: tuple[tuple[str, str, dict[str, Any] | None, bool], ...]) -> list[Message]:
    """The messages of what a commit persisted (``created``: a new record, else an update)."""
    found: list[Message] = []
    for kind, key, record, created in changes:
        document = record.get("document") if kind == "managedObject" and record is not None else record
        channel = channel_of(kind, key, document)
        if channel is None:
            continue
        action = "DELETE" if document is None else "CREATE" if created else "UPDATE"
        data = document if document is not None else {"id": key}
        found.append({"channel": channel, "data": {"realtimeAction": action, "data": data}})
    return found


def matches(subscription: str, channel: str) -> bool:
    if subscription == channel:
        return True
    prefix, _, last = subscription.rpartition("/")
    return last == "*" and channel.startswith(prefix + "/")


@dataclass
class RealtimeClient:
    client_id: str
    username: str
    subscriptions: set[str] = field(default_factory=set)
    queue: deque[Message] = field(default_factory=lambda: deque(maxlen=MAX_QUEUE))


class RealtimeHub:
    def __init__(self) -> None:
        self.clients: dict[str, RealtimeClient] = {}

    def handshake(self, client_id: str, username: str) -> RealtimeClient:
        client = RealtimeClient(client_id, username)
        self.clients[client_id] = client
        return client

    def client(self, client_id: str, username: str) -> RealtimeClient | None:
        client = self.clients.get(client_id)
        return client if client is not None and client.username == username else None

    def disconnect(self, client_id: str) -> None:
        self.clients.pop(client_id, None)

    def publish(self, messages: list[Message]) -> list[RealtimeClient]:
        """Queue each message for the clients subscribed to its channel; the clients that got any."""
        woken: dict[str, RealtimeClient] = {}
        for client in self.clients.values():
            for message in messages:
                if any(matches(subscription, message["channel"]) for subscription in client.subscriptions):
                    client.queue.append(message)
                    woken[client.client_id] = client
        return list(woken.values())
