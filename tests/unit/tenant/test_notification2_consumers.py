"""The tenant's Notifications 2.0 queues: what a subscription takes (context, source, apis, typeFilter),
what the frame carries (fragmentsToCopy, deletions), acknowledgements, redelivery order and bounds."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from c8ylink.core.notification2 import parse_message
from c8ylink.tenant.realtime.consumers import ConsumerHub
from c8ylink.tenant.state.journal import FeedEntry


def hub_with(*definitions: Mapping[str, Any], max_queue: int = 100) -> ConsumerHub:
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for definition in definitions:
        by_name.setdefault(str(definition["subscription"]), []).append(definition)
    return ConsumerHub("t9", lambda name: by_name.get(name, []), max_queue=max_queue)


def measurement(key: str, device: str, kind: str = "c8y_T", **fragments: Any) -> FeedEntry:
    return FeedEntry(
        "measurement", key, "CREATE", {"id": key, "source": {"id": device}, "type": kind, **fragments}
    )


def queued(hub: ConsumerHub, subscription: str, name: str = "s1") -> list[Any]:
    return [parse_message(text) for text in hub.attach(subscription, name).queue.values()]


def test_a_device_subscription_takes_its_source_and_apis_only() -> None:
    hub = hub_with({"subscription": "dev", "context": "mo", "source": {"id": "5"},
                    "subscriptionFilter": {"apis": ["measurements"]}})  # fmt: skip
    hub.attach("dev", "s1")
    hub.publish([
        measurement("1", "5"),
        measurement("2", "6"),
        FeedEntry("event", "3", "CREATE", {"id": "3", "source": {"id": "5"}, "type": "e"}),
    ])  # fmt: skip
    (message,) = queued(hub, "dev")
    assert (message.source, message.action) == ("/t9/measurements/5", "CREATE")
    assert json.loads(message.body)["id"] == "1"


def test_a_tenant_subscription_takes_every_source_and_type_filter_narrows() -> None:
    hub = hub_with({"subscription": "all", "context": "tenant",
                    "subscriptionFilter": {"apis": ["*"], "typeFilter": "'c8y_T' or c8y_H"}})  # fmt: skip
    hub.attach("all", "s1")
    hub.publish([measurement("1", "5"), measurement("2", "6", "c8y_H"), measurement("3", "7", "other")])
    assert [json.loads(m.body)["id"] for m in queued(hub, "all")] == ["1", "2"]


def test_managed_objects_and_deletions() -> None:
    hub = hub_with({"subscription": "mo", "context": "mo", "source": {"id": "5"},
                    "subscriptionFilter": {"apis": ["managedobjects"]}})  # fmt: skip
    hub.attach("mo", "s1")
    hub.publish([
        FeedEntry("managedObject", "5", "UPDATE", {"document": {"id": "5", "name": "dev"}}),
        FeedEntry("managedObject", "5", "DELETE", None),
    ])  # fmt: skip
    update, delete = queued(hub, "mo")
    assert (update.source, update.action, json.loads(update.body)) == (
        "/t9/managedobjects/5", "UPDATE", {"id": "5", "name": "dev"},
    )  # fmt: skip
    assert (delete.action, json.loads(delete.body)) == ("DELETE", {"id": "5"})


def test_fragments_to_copy_keep_the_standard_fields_and_those_fragments() -> None:
    hub = hub_with({"subscription": "few", "context": "tenant", "fragmentsToCopy": ["c8y_T"]})
    hub.attach("few", "s1")
    hub.publish([measurement("1", "5", c8y_T={"v": 1}, c8y_Other={"v": 2})])
    (message,) = queued(hub, "few")
    assert json.loads(message.body) == {"id": "1", "source": {"id": "5"}, "type": "c8y_T", "c8y_T": {"v": 1}}


def test_with_children_apis_take_the_sources_own_records() -> None:
    hub = hub_with({"subscription": "kids", "context": "mo", "source": {"id": "5"},
                    "subscriptionFilter": {"apis": ["alarmsWithChildren"]}})  # fmt: skip
    hub.attach("kids", "s1")
    hub.publish([FeedEntry("alarm", "4", "CREATE", {"id": "4", "source": {"id": "5"}, "type": "a"})])
    assert [m.api for m in queued(hub, "kids")] == ["alarms"]


def test_each_subscriber_has_its_own_queue_and_acks_remove_only_theirs() -> None:
    hub = hub_with({"subscription": "shared", "context": "tenant"})
    first, second = hub.attach("shared", "a"), hub.attach("shared", "b")
    hub.publish([measurement("1", "5"), measurement("2", "5")])
    ack_ids, others = list(first.queue), list(second.queue)
    assert len(ack_ids) == len(others) == 2 and not set(ack_ids) & set(others)  # ack ids are per message
    assert hub.acknowledge(first, ack_ids[0] + "\n") and not hub.acknowledge(first, ack_ids[0])
    assert not hub.acknowledge(first, others[1])  # another subscriber's ack id
    assert list(first.queue) == ack_ids[1:] and list(second.queue) == others
    assert hub.attach("shared", "a") is first  # the queue outlives a connection
    hub.remove(first)
    assert hub.attach("shared", "a").queue == {}


def test_nothing_is_queued_for_a_deleted_subscription_or_without_subscribers() -> None:
    hub = hub_with()
    hub.publish([measurement("1", "5")])  # no subscribers: nothing to do
    gone = hub.attach("gone", "s1")
    hub.publish([measurement("2", "5")])
    assert not gone.queue


def test_a_full_queue_gives_up_its_oldest() -> None:
    hub = hub_with({"subscription": "small", "context": "tenant"}, max_queue=2)
    subscriber = hub.attach("small", "s1")
    hub.publish([measurement(str(n), "5") for n in range(4)])
    assert [json.loads(m.body)["id"] for m in queued(hub, "small")] == ["2", "3"]
    assert subscriber.dropped == 2
