"""Real-time notifications as processes against the local tenant: ``c8y <group> subscribe`` and
``c8y realtime subscribe|subscribeAll`` print what is created while they listen, stop after
``--count`` or ``--duration`` (exit 0), and filter by ``--actionTypes``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Run, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def one(run: Run) -> dict[str, Any]:
    assert run.code == 0, run.stderr
    [line] = run.stdout.splitlines()
    item: dict[str, Any] = json.loads(line)
    return item


def listen_while(rest: C8y, command: list[str], produce: Callable[[int], object]) -> Run:
    """Run ``command``; meanwhile ``produce(n)`` every 0.2 s until it ends (the subscription is then
    surely in place for some of them)."""
    result: list[Run] = []
    thread = threading.Thread(target=lambda: result.append(rest(*command)))
    thread.start()
    number = 0
    while thread.is_alive() and number < 100:
        time.sleep(0.2)
        produce(number)
        number += 1
    thread.join()
    return result[0]


def test_measurements_subscribe_prints_new_measurements_of_the_device(rest: C8y) -> None:
    device = one(rest("devices", "create", "--name", unique("rt-"), "-f"))
    other = one(rest("devices", "create", "--name", unique("rt-"), "-f"))

    def produce(number: int) -> None:
        for source in (other["id"], device["id"]):
            rest("measurements", "create", "--device", source, "--type", "t",
                 "--data", f"c8y_Temp.T.value={number}", "-f")  # fmt: skip

    run = listen_while(rest, ["measurements", "subscribe", "--device", device["id"], "--count", "2",
                              "--duration", "30s"], produce)  # fmt: skip
    assert run.code == 0, run.stderr
    received = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(received) == 2 and {item["source"]["id"] for item in received} == {device["id"]}


def test_realtime_subscribe_all_and_action_types(rest: C8y) -> None:
    device = one(rest("devices", "create", "--name", unique("rt-"), "-f"))

    def produce(number: int) -> None:
        rest("inventory", "update", "--id", device["id"], "--data", f"counter={number}", "-f")
        rest("events", "create", "--device", device["id"], "--type", "t", "--text", f"e{number}", "-f")

    run = listen_while(rest, ["realtime", "subscribeAll", "--device", device["id"], "--count", "3",
                              "--actionTypes", "CREATE", "--duration", "30s"], produce)  # fmt: skip
    received = [json.loads(line) for line in run.stdout.splitlines()]
    assert run.code == 0 and len(received) == 3
    assert all(item.get("type") == "t" and "text" in item for item in received)  # only the created events


def test_subscribe_ends_after_the_duration(rest: C8y) -> None:
    started = time.monotonic()
    run = rest("realtime", "subscribe", "--channel", "/alarms/999999", "--duration", "1s")
    assert run.code == 0 and run.stdout == "" and time.monotonic() - started < 15
    missing = rest("realtime", "subscribe", "--duration", "1s")
    assert missing.code == 101 and "--channel" in missing.stderr
