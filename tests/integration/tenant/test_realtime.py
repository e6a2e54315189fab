"""``POST /notification/realtime`` on a real tenant: the Bayeux handshake, subscribe, a long-polling
connect that returns what was created (and deleted) on the subscribed channel, unknown clients."""

from __future__ import annotations

import threading
from typing import Any

import httpx2
import pytest

from .conftest import unique

pytestmark = pytest.mark.integration
REALTIME = "/notification/realtime"


def bayeux(api: httpx2.Client, *messages: dict[str, Any]) -> list[dict[str, Any]]:
    answer = api.post(REALTIME, json=list(messages))
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def test_long_polling_delivers_created_and_deleted_events(api: httpx2.Client) -> None:
    device = api.post("/inventory/managedObjects", json={"name": unique("rt"), "c8y_IsDevice": {}}).json()
    [welcome] = bayeux(api, {"channel": "/meta/handshake", "version": "1.0"})
    client = welcome["clientId"]
    assert welcome["successful"] and welcome["supportedConnectionTypes"] == ["long-polling"]
    [subscribed] = bayeux(api, {"channel": "/meta/subscribe", "clientId": client,
                                "subscription": f"/events/{device['id']}"})  # fmt: skip
    assert subscribed["successful"] and subscribed["subscription"] == f"/events/{device['id']}"

    def create() -> None:
        event = {"source": {"id": device["id"]}, "type": "t", "text": "hello", "time": "2026-01-01T00:00:00Z"}
        created = api.post("/event/events", json=event).json()
        api.delete(f"/event/events/{created['id']}")

    timer = threading.Timer(0.3, create)
    timer.start()
    delivered: list[dict[str, Any]] = []
    for _ in range(20):
        answers = bayeux(api, {"channel": "/meta/connect", "clientId": client, "advice": {"timeout": 2000}})
        delivered += [m for m in answers if m["channel"] != "/meta/connect"]
        if len(delivered) >= 1:
            break
    timer.join()
    assert delivered[0]["channel"] == f"/events/{device['id']}"
    assert (
        delivered[0]["data"]["realtimeAction"] == "CREATE" and delivered[0]["data"]["data"]["text"] == "hello"
    )
    [gone] = bayeux(api, {"channel": "/meta/disconnect", "clientId": client})
    assert gone["successful"]
    [unknown] = bayeux(api, {"channel": "/meta/connect", "clientId": client})
    assert unknown["successful"] is False and unknown["advice"] == {"reconnect": "handshake"}
