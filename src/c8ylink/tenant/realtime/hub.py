"""``RealtimeHub``: the realtime clients of one tenant, their subscriptions and their queues.

Every commit hands the hub what was written (``publish``, from ``TenantService.watch_records``): each
record becomes one notification on its device's channel, queued for every client subscribed to that
channel or to the resource's ``*``. A client's queue is bounded (the oldest notifications give way, and
are counted); a long-poll ``wait``s on it. Clients that stop polling are forgotten after
``idle_timeout`` seconds, as CometD's server does.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from c8ylink.core.realtime import RESOURCES, WILDCARD, build_notification, channel_of, source_of
from c8ylink.tenant.state.journal import DELETE, FeedEntry

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HubLimits:
    """``queue``: notifications kept per client; ``clients``: clients at once; ``idle_timeout``: seconds
    without a connect before a client is forgotten; ``max_poll``: the longest a connect is held."""

    queue: int = 10_000
    clients: int = 1_000
    idle_timeout: float = 60.0
    max_poll: float = 30.0


@dataclass(eq=False, slots=True)
class RealtimeClient:
    id: str
    owner: str  # "<tenant>/<username>": only its owner may use a client id
    queue: deque[dict[str, Any]]
    last_seen: float
    subscriptions: set[str] = field(default_factory=set)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: set[asyncio.BaseTransport] = field(default_factory=set)  # connections of pending connects
    dropped: int = 0
    gone: bool = False


class RealtimeHub:
    def __init__(self, limits: HubLimits | None = None, *, now: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or HubLimits()
        self._now = now
        self.clients: dict[str, RealtimeClient] = {}
        self._by_channel: dict[str, set[RealtimeClient]] = {}
        self._ids = itertools.count(1)

    # -- clients ----------------------------------------------------------------------------------
    def handshake(self, owner: str) -> RealtimeClient | None:
        """A new client, or None when the hub is full (after forgetting idle ones)."""
        self.expire()
        if len(self.clients) >= self.limits.clients:
            return None
        client = RealtimeClient(secrets.token_hex(12), owner, deque(maxlen=self.limits.queue), self._now())
        self.clients[client.id] = client
        return client

    def find(self, client_id: object, owner: str) -> RealtimeClient | None:
        client = self.clients.get(client_id) if isinstance(client_id, str) else None
        if client is None or client.owner != owner:
            return None
        client.last_seen = self._now()
        return client

    def subscribe(self, client: RealtimeClient, channel: str) -> None:
        client.subscriptions.add(channel)
        self._by_channel.setdefault(channel, set()).add(client)

    def unsubscribe(self, client: RealtimeClient, channel: str) -> None:
        client.subscriptions.discard(channel)
        members = self._by_channel.get(channel)
        if members is not None:
            members.discard(client)
            if not members:
                del self._by_channel[channel]

    def disconnect(self, client: RealtimeClient) -> None:
        for channel in list(client.subscriptions):
            self.unsubscribe(client, channel)
        client.gone = True
        client.wake.set()
        self.clients.pop(client.id, None)

    def expire(self) -> None:
        deadline = self._now() - self.limits.idle_timeout
        for client in [c for c in self.clients.values() if not c.waiting and c.last_seen < deadline]:
            self.disconnect(client)

    def drop_all(self) -> int:
        """Forget every client and close the connections of their pending connects (what a restarted
        server does to its clients: they must handshake again). The number of clients dropped."""
        dropped = list(self.clients.values())
        for client in dropped:
            for transport in list(client.waiting):
                if isinstance(transport, asyncio.Transport):
                    transport.abort()
            self.disconnect(client)
        return len(dropped)

    # -- notifications ----------------------------------------------------------------------------
    def publish(self, entries: Iterable[FeedEntry]) -> None:
        if not self._by_channel:
            return
        for entry in entries:
            resource = RESOURCES[entry.kind]
            if entry.action == DELETE or entry.value is None:
                data: Any = entry.key
                device = entry.key if entry.kind == "managedObject" else None
            else:
                document = (
                    entry.value.get("document", entry.value) if entry.kind == "managedObject" else entry.value
                )
                data = dict(document)
                device = source_of(entry.kind, document)
            channels = [channel_of(resource, WILDCARD)]
            if device is not None:
                channels.insert(0, channel_of(resource, device))
            targets = {client for channel in channels for client in self._by_channel.get(channel, ())}
            if not targets:
                continue
            message = build_notification(channels[0], str(next(self._ids)), entry.action, data)
            for client in targets:
                if len(client.queue) == client.queue.maxlen:
                    client.dropped += 1
                    if client.dropped == 1:
                        log.warning(
                            "realtime client %s is not keeping up: oldest notifications dropped", client.id
                        )
                client.queue.append(message)
                client.wake.set()

    async def wait(
        self, client: RealtimeClient, timeout: float, *, still_open: Callable[[], bool] = lambda: True
    ) -> list[dict[str, Any]]:
        """The client's queued notifications; when there are none, wait up to ``timeout`` seconds for
        some. Nothing is taken when the connection closed while waiting (the next connect gets it)."""
        if not client.queue and timeout > 0 and not client.gone:
            client.wake.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(client.wake.wait(), min(timeout, self.limits.max_poll))
        client.last_seen = self._now()
        if client.gone or not still_open():
            return []
        taken = list(client.queue)
        client.queue.clear()
        return taken
