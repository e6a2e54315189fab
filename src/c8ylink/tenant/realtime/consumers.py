"""``ConsumerHub``: the Notifications 2.0 subscribers of one tenant and their queues.

Fed by the same record feed as the CometD hub (``TenantService.watch_records``): each write that a
subscription's filter takes (context ``tenant``: every source; ``mo``: its source; ``apis``,
``typeFilter``; ``fragmentsToCopy`` trims the body) becomes one message, queued for every subscriber of
that subscription. A subscriber exists from its first connection on and keeps its queue while it is
away (in memory: a restarted tenant starts empty). A message leaves the queue only when the consumer
acknowledges it; a reconnecting consumer gets every unacknowledged one again, in order, with the same
ack id. One connection per subscriber: a new one takes over.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from c8ylink.core.notification2 import build_source, encode_message
from c8ylink.core.realtime import RESOURCES, source_of
from c8ylink.tenant.state.journal import DELETE, FeedEntry

log = logging.getLogger(__name__)
MAX_QUEUE = 10_000
# what every notification keeps when a subscription names fragmentsToCopy
STANDARD_FIELDS = frozenset(
    {"id", "self", "source", "type", "time", "text", "creationTime", "lastUpdated", "severity", "status",
     "count", "firstOccurrenceTime", "name", "owner", "deviceId", "deviceName", "description"}
)  # fmt: skip
WITH_CHILDREN = {"alarmsWithChildren": "alarms", "eventsWithChildren": "events"}

Subscriptions = Callable[[str], list[Mapping[str, Any]]]  # subscription name -> its definitions


@dataclass(eq=False, slots=True)
class Subscriber:
    subscription: str
    name: str
    queue: OrderedDict[str, str] = field(default_factory=OrderedDict)  # ack id -> frame text
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    connection: Any = None  # the consumer's websocket, when connected
    transport: Any = None  # its connection (cut by the local control API)
    dropped: int = 0


def _type_matches(expression: object, record_type: object) -> bool:
    """``typeFilter``: one type, or several joined by ``or`` (quoted or not)."""
    if not isinstance(expression, str) or not expression.strip():
        return True
    wanted = {part.strip().strip("'\"") for part in expression.split(" or ")}
    return str(record_type) in wanted


def _api_matches(apis: object, api: str) -> bool:
    names = apis if isinstance(apis, list) else ["*"]
    return any(name in ("*", api) or WITH_CHILDREN.get(str(name)) == api for name in names)


def build_body(kind: str, key: str, document: Mapping[str, Any] | None, copied: object) -> Any:
    if document is None:
        return {"id": key}
    if isinstance(copied, list) and copied:
        keep = STANDARD_FIELDS | {str(name) for name in copied}
        return {name: value for name, value in document.items() if name in keep}
    return dict(document)


def matches(
    definition: Mapping[str, Any], api: str, device: str | None, document: Mapping[str, Any] | None
) -> bool:
    """Whether a subscription takes a write of ``api`` about ``device``."""
    filters = definition.get("subscriptionFilter") or {}
    if not _api_matches(filters.get("apis"), api):
        return False
    source = str(definition.get("source", {}).get("id"))
    if definition.get("context") == "mo" and (device is None or source != device):
        return False
    return document is None or _type_matches(filters.get("typeFilter"), document.get("type"))


class ConsumerHub:
    def __init__(self, tenant: str, subscriptions: Subscriptions, *, max_queue: int = MAX_QUEUE) -> None:
        self.tenant = tenant
        self._subscriptions = subscriptions
        self.max_queue = max_queue
        self.subscribers: dict[tuple[str, str], Subscriber] = {}
        self._ids = itertools.count(1)

    def attach(self, subscription: str, name: str) -> Subscriber:
        key = (subscription, name)
        subscriber = self.subscribers.get(key)
        if subscriber is None:
            subscriber = self.subscribers[key] = Subscriber(subscription, name)
        return subscriber

    def remove(self, subscriber: Subscriber) -> None:
        self.subscribers.pop((subscriber.subscription, subscriber.name), None)
        subscriber.queue.clear()

    def acknowledge(self, subscriber: Subscriber, ack_id: str) -> bool:
        return subscriber.queue.pop(ack_id.strip(), None) is not None

    def publish(self, entries: Iterable[FeedEntry]) -> None:
        if not self.subscribers:
            return
        for entry in entries:
            self._publish_one(entry)

    def _publish_one(self, entry: FeedEntry) -> None:
        api = RESOURCES[entry.kind]
        document: Mapping[str, Any] | None = None
        if entry.action != DELETE and entry.value is not None:
            document = (
                entry.value.get("document", entry.value) if entry.kind == "managedObject" else entry.value
            )
            device = source_of(entry.kind, document)
        else:
            device = entry.key if entry.kind == "managedObject" else None
        for subscriber in list(self.subscribers.values()):
            definition = next(
                (
                    d
                    for d in self._subscriptions(subscriber.subscription)
                    if matches(d, api, device, document)
                ),
                None,
            )
            if definition is None:
                continue
            body = build_body(entry.kind, entry.key, document, definition.get("fragmentsToCopy"))
            ack_id = f"{next(self._ids):012d}"
            source = build_source(self.tenant, api, device or entry.key)
            text = encode_message(ack_id, source, entry.action, json.dumps(body, separators=(",", ":")))
            if len(subscriber.queue) >= self.max_queue:
                subscriber.queue.popitem(last=False)
                subscriber.dropped += 1
                if subscriber.dropped == 1:
                    log.warning(
                        "notification2 subscriber %s is not keeping up: oldest dropped", subscriber.name
                    )
            subscriber.queue[ack_id] = text
            subscriber.wake.set()
