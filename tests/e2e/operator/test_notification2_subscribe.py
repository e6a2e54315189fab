"""``c8y notification2 subscriptions subscribe`` as a process against the local tenant's Notifications 2.0
consumer endpoint: notifications of a subscription printed as JSON lines and acknowledged, ``--count``
ends it, a bad token is one line and upstream's exit code, and a dropped connection is reopened with
nothing lost or printed twice."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from typing import Any

import pytest

from c8ylink.tenant.admin_client import AdminClient

from .conftest import Run, Start, finish, wait_until

pytestmark = pytest.mark.e2e


def subscriber(admin: AdminClient, subscription: str) -> dict[str, Any] | None:
    for entry in admin.request("GET", "/__local__/notification2")["subscribers"]:
        if entry["subscription"] == subscription:
            return dict(entry)
    return None


def connected(admin: AdminClient, subscription: str) -> bool:
    entry = subscriber(admin, subscription)
    return entry is not None and bool(entry["connected"])


def device_subscription(admin: AdminClient, name: str, apis: list[str]) -> str:
    device = str(admin.request("POST", "/inventory/managedObjects", {"name": name, "c8y_IsDevice": {}})["id"])
    admin.request("POST", "/notification2/subscriptions", {
        "context": "mo", "subscription": name, "source": {"id": device},
        "subscriptionFilter": {"apis": apis},
    })  # fmt: skip
    return device


def measure(admin: AdminClient, device: str, value: float) -> str:
    body = {"source": {"id": device}, "type": "n2", "time": "2026-01-01T00:00:00Z",
            "c8y_Temperature": {"T": {"value": value, "unit": "C"}}}  # fmt: skip
    return str(admin.request("POST", "/measurement/measurements", body)["id"])


def test_measurements_are_printed_acknowledged_and_count_ends_it(start: Start, admin: AdminClient) -> None:
    device = device_subscription(admin, "n2count", ["measurements"])
    process = start("notification2", "subscriptions", "subscribe", "--name", "n2count", "--count", "2",
                    "--duration", "60s")  # fmt: skip
    wait_until(lambda: connected(admin, "n2count"), "the consumer")
    admin.request("POST", "/event/events", {"source": {"id": device}, "type": "n2", "text": "not wanted",
                                            "time": "2026-01-01T00:00:00Z"})  # fmt: skip
    sent = [measure(admin, device, n) for n in range(3)]
    code, lines, stderr = finish(process)
    assert code == 0, stderr
    assert [line["id"] for line in lines] == sent[:2]
    assert lines[0]["c8y_Temperature"]["T"]["value"] == 0
    entry = subscriber(admin, "n2count")
    assert entry is not None and entry["queued"] == 1  # the two printed were acknowledged; the third waits


def test_a_bad_token_is_one_line_and_exit_1(start: Start, admin: AdminClient) -> None:
    device_subscription(admin, "n2badtoken", ["*"])
    code, lines, stderr = finish(start("notification2", "subscriptions", "subscribe", "--name", "n2badtoken",
                                       "--token", "not.a.token", "--duration", "5s"))  # fmt: skip
    assert (code, lines) == (1, []), stderr
    first, *rest = stderr.strip().splitlines()  # the message, then go-c8y-cli's error JSON
    assert first.startswith("serverError: Invalid notification token") and "401" in first, stderr
    assert json.loads(rest[0])["statusCode"] == 401 and len(rest) == 1, stderr
    assert "not.a.token" not in stderr and "Traceback" not in stderr  # the token is a secret


def test_a_dropped_connection_is_reopened_with_nothing_printed_twice(
    start: Start, admin: AdminClient
) -> None:
    device = device_subscription(admin, "n2drop", ["measurements"])
    process = start("notification2", "subscriptions", "subscribe", "--name", "n2drop", "--count", "3",
                    "--duration", "60s")  # fmt: skip
    wait_until(lambda: connected(admin, "n2drop"), "the consumer")
    first = measure(admin, device, 1)
    assert process.stdout is not None
    assert json.loads(process.stdout.readline())["id"] == first
    assert admin.request("POST", "/__local__/notification2/drop")["dropped"] >= 1
    later = [measure(admin, device, n) for n in (2, 3)]  # queued while the consumer is away
    code, lines, stderr = finish(process)
    assert code == 0, stderr
    assert [line["id"] for line in lines] == later  # the first line was read above: not again


def test_ctrl_c_ends_it_quietly(start: Start, admin: AdminClient) -> None:
    device = device_subscription(admin, "n2ctrlc", ["measurements"])
    process = start("notification2", "subscriptions", "subscribe", "--name", "n2ctrlc")  # no --duration
    wait_until(lambda: connected(admin, "n2ctrlc"), "the consumer")
    sent = measure(admin, device, 1)
    assert process.stdout is not None
    assert json.loads(process.stdout.readline())["id"] == sent
    process.send_signal(signal.SIGINT)
    code, lines, stderr = finish(process)
    assert (code, lines) == (0, []), stderr
    assert "Traceback" not in stderr
    wait_until(lambda: not connected(admin, "n2ctrlc"), "the consumer to leave")


def test_a_missing_name_and_bad_flags_are_refused_before_connecting(rest: Callable[..., Run]) -> None:
    for args, words in (
        ([], "name"),
        (["--name", "x", "--duration", "soon"], "--duration"),
        (["--name", "x", "--actionTypes", "EXPLODE"], "EXPLODE"),
    ):
        run = rest("notification2", "subscriptions", "subscribe", *args)
        assert run.code == 101 and run.stdout == "", (args, run.stderr)
        assert words in run.stderr and len(run.stderr.strip().splitlines()) == 1, (args, run.stderr)
