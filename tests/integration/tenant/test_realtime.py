"""The tenant's realtime endpoint (CometD/Bayeux) over long-polling and websocket: what REST and the
journal store reaches subscribers of the record's channel and of ``*``, once, with its action."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import httpx2
from tests.integration.tenant.conftest import admin_auth, client_context
from websockets.sync.client import connect as ws_connect

from c8ylink.tenant.background import BackgroundTenant

PATH = "/notification/realtime"


def bayeux(api: httpx2.Client, *messages: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.post(PATH, json=list(messages))
    assert response.status_code == 200, response.text
    replies = response.json()
    assert isinstance(replies, list)
    return replies


def handshake(api: httpx2.Client) -> str:
    (reply,) = bayeux(
        api,
        {
            "channel": "/meta/handshake",
            "version": "1.0",
            "supportedConnectionTypes": ["long-polling"],
            "id": "1",
        },
    )
    assert reply["successful"] is True and reply["id"] == "1"
    assert (
        "long-polling" in reply["supportedConnectionTypes"]
        and "websocket" in reply["supportedConnectionTypes"]
    )
    return str(reply["clientId"])


def connect(api: httpx2.Client, client_id: str, timeout_ms: int = 5000) -> list[dict[str, Any]]:
    replies = bayeux(
        api,
        {
            "channel": "/meta/connect",
            "clientId": client_id,
            "connectionType": "long-polling",
            "advice": {"timeout": timeout_ms},
        },
    )
    assert replies[-1]["channel"] == "/meta/connect" and replies[-1]["successful"] is True, replies
    return replies[:-1]


def subscribe(api: httpx2.Client, client_id: str, channel: str) -> dict[str, Any]:
    (reply,) = bayeux(api, {"channel": "/meta/subscribe", "clientId": client_id, "subscription": channel})
    return reply


def test_a_measurement_reaches_its_device_channel_and_the_wildcard_once(
    api: httpx2.Client, device_id: str
) -> None:
    client_id = handshake(api)
    assert subscribe(api, client_id, f"/measurements/{device_id}")["successful"] is True
    assert subscribe(api, client_id, "/measurements/*")["successful"] is True
    body = {
        "source": {"id": device_id},
        "type": "c8y_Temp",
        "time": "2026-01-01T00:00:00Z",
        "c8y_Temp": {"T": {"value": 21.5, "unit": "C"}},
    }
    created = api.post("/measurement/measurements", json=body).json()
    (notification,) = connect(api, client_id)
    assert notification["channel"] == f"/measurements/{device_id}"
    assert notification["data"]["realtimeAction"] == "CREATE"
    assert notification["data"]["data"]["id"] == created["id"]
    assert notification["data"]["data"]["c8y_Temp"]["T"]["value"] == 21.5
    assert connect(api, client_id, timeout_ms=0) == []  # delivered once


def test_events_update_and_delete_on_the_wildcard_channel(api: httpx2.Client, device_id: str) -> None:
    client_id = handshake(api)
    subscribe(api, client_id, "/events/*")
    event = api.post(
        "/event/events",
        json={"source": {"id": device_id}, "type": "t", "text": "one", "time": "2026-01-01T00:00:00Z"},
    ).json()
    api.put(f"/event/events/{event['id']}", json={"text": "two"})
    api.delete(f"/event/events/{event['id']}")
    seen = connect(api, client_id)
    assert [n["data"]["realtimeAction"] for n in seen] == ["CREATE", "UPDATE", "DELETE"]
    assert seen[1]["data"]["data"]["text"] == "two"
    assert seen[2]["data"]["data"] == event["id"]
    assert len({n["id"] for n in seen}) == 3


def test_operations_and_managed_objects_have_channels(api: httpx2.Client, device_id: str) -> None:
    client_id = handshake(api)
    subscribe(api, client_id, f"/operations/{device_id}")
    subscribe(api, client_id, f"/managedobjects/{device_id}")
    api.put(f"/inventory/managedObjects/{device_id}", json={"c8y_Hardware": {"model": "m1"}})
    api.post("/devicecontrol/operations", json={"deviceId": device_id, "c8y_Restart": {}})
    seen = connect(api, client_id)
    channels = [(n["channel"], n["data"]["realtimeAction"]) for n in seen]
    assert channels == [(f"/managedobjects/{device_id}", "UPDATE"), (f"/operations/{device_id}", "CREATE")]
    assert seen[0]["data"]["data"]["c8y_Hardware"] == {"model": "m1"}


def test_a_connect_waits_for_the_next_notification(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Any, device_id: str
) -> None:
    client_id = handshake(api)
    subscribe(api, client_id, f"/alarms/{device_id}")
    other = client_for(tenant, admin_auth(tenant))

    async def scenario() -> list[dict[str, Any]]:
        waiting = asyncio.ensure_future(asyncio.to_thread(connect, api, client_id, 20_000))
        while not any(
            c["clientId"] == client_id and c["waiting"]
            for c in other.get("/__local__/realtime").json()["clients"]
        ):
            await asyncio.sleep(0.01)
        other.post(
            "/alarm/alarms",
            json={
                "source": {"id": device_id},
                "type": "a",
                "text": "x",
                "severity": "MAJOR",
                "time": "2026-01-01T00:00:00Z",
            },
        )
        return await asyncio.wait_for(waiting, 10)

    seen = asyncio.run(scenario())
    assert [n["data"]["data"]["type"] for n in seen] == ["a"]


def test_unknown_clients_are_told_to_handshake_and_bad_channels_are_refused(api: httpx2.Client) -> None:
    (reply,) = bayeux(api, {"channel": "/meta/connect", "clientId": "nope", "connectionType": "long-polling"})
    assert reply["successful"] is False and reply["error"].startswith("402::")
    assert reply["advice"]["reconnect"] == "handshake"
    client_id = handshake(api)
    refused = subscribe(api, client_id, "/nothing/*")
    assert refused["successful"] is False and refused["error"].startswith("400::")
    (published,) = bayeux(api, {"channel": "/measurements/1", "clientId": client_id, "data": {}})
    assert published["successful"] is False


def test_realtime_needs_credentials(tenant: BackgroundTenant, client_for: Any) -> None:
    anonymous = client_for(tenant)
    assert anonymous.post(PATH, json=[{"channel": "/meta/handshake"}]).status_code == 401


def ws_send(socket: Any, *messages: dict[str, Any]) -> list[dict[str, Any]]:
    socket.send(json.dumps(list(messages)))
    replies: list[dict[str, Any]] = json.loads(socket.recv(timeout=10))
    return replies


def test_websocket_clients_get_notifications(
    tenant: BackgroundTenant, api: httpx2.Client, device_id: str
) -> None:
    user, password = admin_auth(tenant)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    url = tenant.info.https_url.replace("https://", "wss://") + PATH
    context = client_context(tenant.info.ca_file)
    with ws_connect(url, ssl=context, additional_headers={"Authorization": f"Basic {token}"}) as socket:
        (shake,) = ws_send(socket, {"channel": "/meta/handshake", "version": "1.0",
                                    "supportedConnectionTypes": ["websocket"]})  # fmt: skip
        client_id = shake["clientId"]
        (subscribed,) = ws_send(socket, {"channel": "/meta/subscribe", "clientId": client_id,
                                         "subscription": f"/events/{device_id}"})  # fmt: skip
        assert subscribed["successful"] is True
        socket.send(json.dumps([{"channel": "/meta/connect", "clientId": client_id,
                                 "connectionType": "websocket"}]))  # fmt: skip
        api.post("/event/events", json={"source": {"id": device_id}, "type": "ws", "text": "hello",
                                        "time": "2026-01-01T00:00:00Z"})  # fmt: skip
        replies = json.loads(socket.recv(timeout=10))
    assert replies[0]["data"]["data"]["text"] == "hello"
    assert replies[-1]["channel"] == "/meta/connect"


def test_dropped_clients_are_cut_off_and_must_handshake_again(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Any
) -> None:
    client_id = handshake(api)
    subscribe(api, client_id, "/alarms/*")
    other = client_for(tenant, admin_auth(tenant))
    assert other.post("/__local__/realtime/drop").json()["dropped"] >= 1
    (reply,) = bayeux(
        api, {"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"}
    )
    assert reply["error"].startswith("402::")


def test_websocket_clients_without_credentials_authenticate_in_the_handshake(
    tenant: BackgroundTenant, device_id: str
) -> None:
    user, password = admin_auth(tenant)
    url = tenant.info.https_url.replace("https://", "wss://") + PATH

    def shake(token: str) -> list[dict[str, Any]]:
        with ws_connect(url, ssl=client_context(tenant.info.ca_file)) as socket:
            ext = {"com.cumulocity.authn": {"token": token}}
            replies = ws_send(socket, {"channel": "/meta/handshake", "version": "1.0", "ext": ext})
            if replies[0].get("successful"):
                replies += ws_send(socket, {"channel": "/meta/subscribe", "clientId": replies[0]["clientId"],
                                            "subscription": f"/events/{device_id}"})  # fmt: skip
            return replies

    accepted = shake(base64.b64encode(f"{user}:{password}".encode()).decode())
    assert [reply["successful"] for reply in accepted] == [True, True]
    (refused,) = shake(base64.b64encode(f"{user}:wrong".encode()).decode())
    assert refused["successful"] is False and refused["error"].startswith("401::")
