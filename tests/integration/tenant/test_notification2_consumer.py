"""The tenant's Notifications 2.0 consumer endpoint, through ``c8y``'s own WebSocket client
(``HttpClient.open_websocket``, real TLS; also through a real proxy's CONNECT tunnel): notifications
of a subscription arrive as frames, what is not acknowledged comes again (same ack id) on the next
connection, tokens and subscriptions are checked before the upgrade, ``unsubscribe_subscriber`` ends
the subscriber, and a new connection takes over from the old one."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx2
import pytest
from tests.integration.tenant.conftest import client_context, unique
from tests.support.tinyproxy import run_tinyproxy

from c8ylink.core.notification2 import CONSUMER_PATH, UNSUBSCRIBE_SUBSCRIBER, Notification, parse_message
from c8ylink.infra.net.http import HttpClient
from c8ylink.infra.net.websocket import UpgradeRefused, WebSocket, WebSocketClosed
from c8ylink.tenant.background import BackgroundTenant

WAIT = 10.0


@pytest.fixture
def http(tenant: BackgroundTenant) -> Iterator[HttpClient]:
    with HttpClient(
        tenant.info.https_url, ssl_context=client_context(tenant.info.ca_file), proxy=""
    ) as client:
        yield client


def subscription(api: httpx2.Client, device: str, apis: list[str]) -> str:
    name = unique("n2").replace("-", "").replace("_", "")
    body = {
        "context": "mo",
        "subscription": name,
        "source": {"id": device},
        "subscriptionFilter": {"apis": apis},
    }
    assert api.post("/notification2/subscriptions", json=body).status_code == 201
    return name


def token(api: httpx2.Client, name: str, subscriber: str = "it") -> str:
    return str(
        api.post("/notification2/token", json={"subscriber": subscriber, "subscription": name}).json()[
            "token"
        ]
    )


def event(api: httpx2.Client, device: str, text: str) -> str:
    body = {"source": {"id": device}, "type": "n2", "text": text, "time": "2026-01-01T00:00:00Z"}
    return str(api.post("/event/events", json=body).json()["id"])


def next_notification(socket: WebSocket) -> Notification:
    text = socket.receive(WAIT)
    assert text is not None, "no notification in time"
    return parse_message(text)


def test_unacknowledged_notifications_come_again_with_the_same_ack_id(
    api: httpx2.Client, http: HttpClient, device_id: str
) -> None:
    name = subscription(api, device_id, ["events"])
    jwt = token(api, name)
    with http.open_websocket(CONSUMER_PATH, params={"token": jwt}) as socket:
        first_id = event(api, device_id, "one")
        first = next_notification(socket)
        assert (first.source, first.action) == (f"/t100/events/{device_id}", "CREATE")
        assert json.loads(first.body)["id"] == first_id and json.loads(first.body)["text"] == "one"
        event(api, device_id, "two")
        second = next_notification(socket)
        socket.send_text(second.ack_id)  # only the second is acknowledged
    with http.open_websocket(CONSUMER_PATH, params={"token": jwt}) as socket:
        again = next_notification(socket)
        assert again == first
        socket.send_text(again.ack_id)
        assert socket.receive(0.3) is None  # the second is not sent again
    with http.open_websocket(CONSUMER_PATH, params={"token": jwt}) as socket:
        assert socket.receive(0.3) is None  # everything acknowledged


def test_tokens_and_subscriptions_are_checked_before_the_upgrade(
    api: httpx2.Client, http: HttpClient, device_id: str
) -> None:
    with pytest.raises(UpgradeRefused) as refused:
        http.open_websocket(CONSUMER_PATH, params={"token": "not.a.token"})
    assert refused.value.response.status == 401
    name = subscription(api, device_id, ["*"])
    jwt = token(api, name)
    assert api.delete(f"/notification2/subscriptions?context=mo&source={device_id}").status_code == 204
    with pytest.raises(UpgradeRefused) as gone:
        http.open_websocket(CONSUMER_PATH.rstrip("/"), params={"token": jwt})
    assert gone.value.response.status == 404
    assert name in gone.value.response.text


def test_unsubscribe_subscriber_ends_it_and_a_new_connection_takes_over(
    api: httpx2.Client, http: HttpClient, device_id: str
) -> None:
    name = subscription(api, device_id, ["events"])
    jwt = token(api, name)
    old = http.open_websocket(CONSUMER_PATH, params={"token": jwt})
    with http.open_websocket(CONSUMER_PATH, params={"token": jwt}) as new:
        with pytest.raises(WebSocketClosed):
            old.receive(WAIT)  # closed by the tenant: one connection per subscriber
        event(api, device_id, "kept")
        assert json.loads(next_notification(new).body)["text"] == "kept"  # not acknowledged
        new.send_text(UNSUBSCRIBE_SUBSCRIBER)
        with pytest.raises(WebSocketClosed):
            new.receive(WAIT)
    with http.open_websocket(CONSUMER_PATH, params={"token": jwt}) as fresh:
        assert fresh.receive(0.3) is None  # the subscriber and its queue are gone


def test_the_consumer_works_through_a_proxy_tunnel(
    api: httpx2.Client, tenant: BackgroundTenant, device_id: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    name = subscription(api, device_id, ["events"])
    jwt = token(api, name)
    with run_tinyproxy(tmp_path_factory.mktemp("proxy")) as proxy:
        context = client_context(tenant.info.ca_file)
        with (
            HttpClient(tenant.info.https_url, ssl_context=context, proxy=proxy.url) as client,
            client.open_websocket(CONSUMER_PATH, params={"token": jwt}) as socket,
        ):
            event(api, device_id, "proxied")
            notification = next_notification(socket)
            socket.send_text(notification.ack_id)
    assert json.loads(notification.body)["text"] == "proxied"
