"""The Notifications 2.0 consumer: ``GET /notification2/consumer/?token=<jwt>[&consumer=<name>]`` upgraded
to a websocket (``core.notification2`` has the protocol, ``tenant.realtime.consumers`` the queues). The
token is the credential: one ``POST /notification2/token`` issued, unexpired, for a subscription that
still exists; anything else is refused before the upgrade (401, 404). The local control API cuts every
consumer connection (``POST /__local__/notification2/drop``; the queues stay, as a restarted
messaging service keeps them).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

from aiohttp import WSMsgType, web

from c8ylink.core.notification2 import CONSUMER_PATH, UNSUBSCRIBE_SUBSCRIBER, subscription_of_topic
from c8ylink.tenant.realtime.consumers import ConsumerHub, Subscriber
from c8ylink.tenant.rest.auth import public
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response
from c8ylink.tenant.service import TenantService
from c8ylink.tenant.state.access import require_tenant_admin
from c8ylink.tenant.state.errors import missing_fields, not_found, unauthorized

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
HUB_KEY = "notification2"


def consumers_of(service: TenantService) -> ConsumerHub:
    """The tenant's one consumer hub, fed by every commit from its creation on."""
    hub = service.extensions.get(HUB_KEY)
    if not isinstance(hub, ConsumerHub):
        state = service.state

        def definitions(name: str) -> list[Any]:
            return state.notification_subscriptions.select(lambda entry: entry["subscription"] == name)

        hub = ConsumerHub(state.tokens.tenant, definitions)
        service.extensions[HUB_KEY] = hub
        service.watch_records(hub.publish)
    return hub


def _subscriber_of(request: web.Request) -> tuple[str, str]:
    state = service_of(request).state
    token = request.query.get("token", "")
    if not token:
        raise missing_fields("token")
    claims = state.tokens.verify_notification_token(token, now=state.now())
    subscription = subscription_of_topic(str(claims.get("topic", "")))
    subscriber = claims.get("sub")
    if not subscription or not isinstance(subscriber, str) or claims.get("ten") != state.tokens.tenant:
        raise unauthorized("Invalid notification token")
    if not state.notification_subscriptions.select(lambda entry: entry["subscription"] == subscription):
        raise not_found("notification2", f"There is no subscription named {subscription}")
    return subscription, subscriber


async def _deliver(socket: web.WebSocketResponse, subscriber: Subscriber) -> None:
    """Send what is queued (unacknowledged first, in order), then each new message as it comes."""
    sent: set[str] = set()
    while not socket.closed:
        subscriber.wake.clear()
        for ack_id, text in list(subscriber.queue.items()):
            if ack_id not in sent:
                sent.add(ack_id)
                await socket.send_str(text)
        sent &= set(subscriber.queue)
        await subscriber.wake.wait()


@public  # the token in the query is the credential
async def consume(request: web.Request) -> web.StreamResponse:
    subscription, name = _subscriber_of(request)
    hub = consumers_of(service_of(request))
    socket = web.WebSocketResponse(heartbeat=30.0)
    await socket.prepare(request)
    subscriber = hub.attach(subscription, name)
    previous, subscriber.connection = subscriber.connection, socket
    subscriber.transport = request.transport
    if previous is not None:
        await previous.close()  # one connection per subscriber: the new one takes over
    sender = asyncio.create_task(_deliver(socket, subscriber))
    try:
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                text = frame.data.strip()
                if text == UNSUBSCRIBE_SUBSCRIBER:
                    hub.remove(subscriber)
                    break
                hub.acknowledge(subscriber, text)
            elif frame.type == WSMsgType.ERROR:
                break
    finally:
        sender.cancel()
        with suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
            await sender
        if subscriber.connection is socket:
            subscriber.connection = None
        await socket.close()
    return socket


routes.get(CONSUMER_PATH)(consume)
routes.get(CONSUMER_PATH.rstrip("/"))(consume)


@routes.get("/__local__/notification2")
async def list_subscribers(request: web.Request) -> web.StreamResponse:
    """The subscribers: subscription, name, unacknowledged messages, whether connected."""
    require_tenant_admin(principal_of(request))
    hub = consumers_of(service_of(request))
    found = [
        {
            "subscription": s.subscription,
            "subscriber": s.name,
            "queued": len(s.queue),
            "dropped": s.dropped,
            "connected": s.connection is not None,
        }
        for s in hub.subscribers.values()
    ]
    return json_response({"subscribers": found}, None)


@routes.post("/__local__/notification2/drop")
async def drop_consumers(request: web.Request) -> web.StreamResponse:
    """Cut every consumer connection; their queues stay (unacknowledged messages come again)."""
    require_tenant_admin(principal_of(request))
    hub = consumers_of(service_of(request))
    dropped = 0
    for subscriber in hub.subscribers.values():
        socket = subscriber.connection
        if socket is not None:
            subscriber.connection = None
            if subscriber.transport is not None:
                subscriber.transport.abort()
            dropped += 1
    return json_response({"dropped": dropped}, None)
