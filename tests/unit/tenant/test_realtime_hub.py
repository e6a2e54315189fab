"""The tenant's realtime hub: notifications on a record's device channel and ``*``, once per client;
queues bounded (the oldest give way, counted); deletions carry the id; channels checked."""

from __future__ import annotations

import asyncio

import pytest

from c8ylink.core.realtime import ChannelError, parse_channel
from c8ylink.tenant.realtime.hub import HubLimits, RealtimeHub
from c8ylink.tenant.state.journal import FeedEntry, Journal


def drain(hub: RealtimeHub, client_id: str) -> list[dict[str, object]]:
    return asyncio.run(hub.wait(hub.clients[client_id], 0))


def test_a_record_reaches_its_device_and_the_wildcard_once_per_client() -> None:
    hub = RealtimeHub()
    both, star, other = (hub.handshake("t/admin") for _ in range(3))
    assert both and star and other
    hub.subscribe(both, "/measurements/5")
    hub.subscribe(both, "/measurements/*")
    hub.subscribe(star, "/measurements/*")
    hub.subscribe(other, "/measurements/6")
    hub.publish([FeedEntry("measurement", "9", "CREATE", {"id": "9", "source": {"id": "5"}})])
    (message,) = drain(hub, both.id)
    assert message == {
        "channel": "/measurements/5",
        "id": "1",
        "data": {"realtimeAction": "CREATE", "data": {"id": "9", "source": {"id": "5"}}},
    }
    assert drain(hub, star.id) == [message]
    assert drain(hub, other.id) == []


def test_queues_are_bounded_and_count_what_they_dropped() -> None:
    hub = RealtimeHub(HubLimits(queue=3))
    client = hub.handshake("t/admin")
    assert client is not None
    hub.subscribe(client, "/events/*")
    hub.publish(FeedEntry("event", str(n), "CREATE", {"id": str(n), "source": {"id": "1"}}) for n in range(5))
    assert [m["data"]["data"]["id"] for m in drain(hub, client.id)] == ["2", "3", "4"]  # type: ignore[index]
    assert client.dropped == 2


def test_deletions_carry_the_id_and_managed_objects_their_own_channel() -> None:
    hub = RealtimeHub()
    client = hub.handshake("t/admin")
    assert client is not None
    hub.subscribe(client, "/managedobjects/7")
    hub.subscribe(client, "/alarms/*")
    hub.publish(
        [
            FeedEntry("managedObject", "7", "UPDATE", {"document": {"id": "7", "name": "d"}, "children": {}}),
            FeedEntry("alarm", "8", "DELETE", None),
            FeedEntry("managedObject", "7", "DELETE", None),
        ]
    )
    assert [(m["channel"], m["data"]) for m in drain(hub, client.id)] == [
        ("/managedobjects/7", {"realtimeAction": "UPDATE", "data": {"id": "7", "name": "d"}}),
        ("/alarms/*", {"realtimeAction": "DELETE", "data": "8"}),
        ("/managedobjects/7", {"realtimeAction": "DELETE", "data": "7"}),
    ]


def test_clients_are_limited_owned_and_forgotten_when_idle() -> None:
    clock = [0.0]
    hub = RealtimeHub(HubLimits(clients=1, idle_timeout=10), now=lambda: clock[0])
    first = hub.handshake("t/a")
    assert first is not None and hub.handshake("t/a") is None
    assert hub.find(first.id, "t/b") is None  # someone else's client id
    clock[0] = 11
    assert hub.handshake("t/a") is not None and first.id not in hub.clients


def test_the_journal_feeds_writes_only_when_watched() -> None:
    journal = Journal()
    journal.put("measurement", "1", {"id": "1"}, created=True)
    assert journal.take_feed() == []
    journal.feeding = True
    journal.put("measurement", "2", {"id": "2"}, created=True)
    journal.put("managedObject", "3", {"document": {}}, notify=False)
    journal.put("user", "u", {})
    journal.delete("event", "4")
    assert [(e.kind, e.key, e.action) for e in journal.take_feed()] == [
        ("measurement", "2", "CREATE"),
        ("event", "4", "DELETE"),
    ]


@pytest.mark.parametrize(
    "channel", ["/measurements", "/nothing/*", "measurements/1", "/events/1/2", "/alarms/a b"]
)
def test_bad_channels_are_refused(channel: str) -> None:
    with pytest.raises(ChannelError):
        parse_channel(channel)
