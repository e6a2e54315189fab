"""``c8y realtime`` and ``c8y <group> subscribe`` as processes against the local tenant: ``--count`` and
``--duration`` end them, a realtime endpoint that cuts the stream and forgets the client is handshaken
with again without losing or repeating a notification, and bad flags are refused before connecting."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from c8ylink.tenant.admin_client import AdminClient

from .conftest import Run, Start, finish, wait_until

pytestmark = pytest.mark.e2e


def waiting_on(admin: AdminClient, channel: str, *, besides: frozenset[str] = frozenset()) -> str | None:
    """The id of a client (not in ``besides``) whose connect waits with ``channel`` subscribed."""
    for client in admin.request("GET", "/__local__/realtime")["clients"]:
        if channel in client["subscriptions"] and client["waiting"] and client["clientId"] not in besides:
            return str(client["clientId"])
    return None


def new_device(admin: AdminClient, name: str) -> str:
    return str(admin.request("POST", "/inventory/managedObjects", {"name": name, "c8y_IsDevice": {}})["id"])


def send_event(admin: AdminClient, device: str, text: str) -> dict[str, Any]:
    body = {"source": {"id": device}, "type": "rt", "text": text, "time": "2026-01-01T00:00:00Z"}
    document: dict[str, Any] = admin.request("POST", "/event/events", body)
    return document


def test_count_ends_the_subscription(start: Start, admin: AdminClient) -> None:
    device = new_device(admin, "rt-count")
    process = start("events", "subscribe", "--device", device, "--count", "2", "--duration", "60s")
    wait_until(lambda: waiting_on(admin, f"/events/{device}") is not None, "the subscription")
    sent = [send_event(admin, device, f"e{n}")["id"] for n in range(3)]
    code, lines, stderr = finish(process)
    assert code == 0, stderr
    assert [line["id"] for line in lines] == sent[:2]


def test_duration_ends_the_subscription_without_notifications(start: Start) -> None:
    code, lines, stderr = finish(start("measurements", "subscribe", "--duration", "1s"))
    assert (code, lines) == (0, []), stderr


def test_a_dropped_stream_is_resumed_with_nothing_printed_twice(start: Start, admin: AdminClient) -> None:
    device = new_device(admin, "rt-drop")
    channel = f"/events/{device}"
    process = start("realtime", "subscribe", "--channel", channel, "--count", "3", "--duration", "60s")
    wait_until(lambda: waiting_on(admin, channel) is not None, "the subscription")
    first = send_event(admin, device, "before")["id"]
    assert process.stdout is not None
    assert json.loads(process.stdout.readline())["id"] == first
    wait_until(lambda: waiting_on(admin, channel) is not None, "the next connect")
    old = frozenset({str(waiting_on(admin, channel))})
    assert admin.request("POST", "/__local__/realtime/drop")["dropped"] >= 1  # cuts the pending connect
    wait_until(lambda: waiting_on(admin, channel, besides=old) is not None, "a new handshake")
    later = [send_event(admin, device, f"after{n}")["id"] for n in range(2)]
    code, lines, stderr = finish(process)
    assert code == 0, stderr
    assert [line["id"] for line in lines] == later  # the first line was read above: not again


def test_bad_durations_channels_and_action_types_are_refused(rest: Callable[..., Run]) -> None:
    for args, words in (
        (["measurements", "subscribe", "--duration", "soon"], "--duration"),
        (["alarms", "subscribe", "--duration", "-5s"], "--duration"),
        (["realtime", "subscribe", "--channel", "/nothing/1", "--duration", "1s"], "unknown channel"),
        (["realtime", "subscribe", "--duration", "1s"], "--channel"),
        (["events", "subscribe", "--actionTypes", "CREATE,EXPLODE", "--duration", "1s"], "EXPLODE"),
    ):
        run = rest(*args)
        assert run.code == 101 and run.stderr.startswith("userError: "), (args, run.stderr)
        assert words in run.stderr and run.stdout == "", (args, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
