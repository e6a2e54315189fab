"""`c8y measurements subscribe` / `c8y realtime subscribeAll` as processes, receiving what `tedge mqtt
pub` publishes on the device, through the mapper, the mosquitto bridge and the tenant's MQTT endpoint."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from tests.e2e.conftest import DEADLINE

from .conftest import C8Y, Connected, eventually

pytestmark = pytest.mark.e2e


def start(connected: Connected, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(C8Y), *args],
        env=connected.c8y_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def subscribed(connected: Connected, channel: str) -> bool:
    clients = connected.api.client.get("/__local__/realtime").json()["clients"]
    return any(channel in client["subscriptions"] and client["waiting"] for client in clients)


def finish(process: subprocess.Popen[str]) -> tuple[int, list[Any], str]:
    stdout, stderr = process.communicate(timeout=DEADLINE)
    return process.returncode, [json.loads(line) for line in stdout.splitlines() if line.strip()], stderr


def test_measurements_subscribe_prints_what_tedge_publishes(connected: Connected) -> None:
    process = start(
        connected,
        "measurements",
        "subscribe",
        "--device",
        connected.mo_id,
        "--count",
        "1",
        "--duration",
        "60s",
    )
    eventually(lambda: subscribed(connected, f"/measurements/{connected.mo_id}"), "the subscription")
    connected.pub("te/device/main///m/realtime", '{"pressure": 1013.5}')
    code, lines, stderr = finish(process)
    assert code == 0, stderr
    assert [(line["type"], line["pressure"]) for line in lines] == [
        ("realtime", {"pressure": {"value": 1013.5}})
    ]
    assert lines[0]["source"]["id"] == connected.mo_id


def test_subscribe_all_with_select_and_action_types(connected: Connected) -> None:
    process = start(
        connected,
        "realtime",
        "subscribeAll",
        "--device",
        connected.mo_id,
        "--count",
        "2",
        "--actionTypes",
        "CREATE",
        "--select",
        "type,text",
        "--duration",
        "60s",
    )
    eventually(lambda: subscribed(connected, f"/events/{connected.mo_id}"), "the subscriptions")
    connected.pub("te/device/main///e/realtime_event", '{"text": "door opened"}')
    connected.pub("te/device/main///a/realtime_alarm", '{"text": "too hot", "severity": "major"}')
    code, lines, stderr = finish(process)
    assert code == 0, stderr
    assert sorted(json.dumps(line, sort_keys=True) for line in lines) == sorted(
        json.dumps(line, sort_keys=True)
        for line in (
            {"type": "realtime_event", "text": "door opened"},
            {"type": "realtime_alarm", "text": "too hot"},
        )
    )
