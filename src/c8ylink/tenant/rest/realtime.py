"""``POST /notification/realtime`` (and ``/cep/realtime``): Cumulocity's real-time notifications over
Bayeux long-polling (handshake, subscribe, unsubscribe, connect, disconnect). A ``/meta/connect``
waits up to its ``advice.timeout`` (ms; default 5 s, at most 30 s) for messages; what the tenant
commits reaches the subscribed clients through ``RealtimeFront`` (``tenant.state.realtime``)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from typing import Any

from aiohttp import web

from c8ylink.tenant.rest.keys import principal_of
from c8ylink.tenant.rest.media import json_response, read_json
from c8ylink.tenant.service import TenantService
from c8ylink.tenant.state.access import require_business_user
from c8ylink.tenant.state.errors import validation_error
from c8ylink.tenant.state.realtime import RealtimeClient, RealtimeHub, notifications
from c8ylink.tenant.state.signals import DataChanged, TenantEvent

routes = web.RouteTableDef()
DEFAULT_WAIT, MAX_WAIT = 5.0, 30.0
UNKNOWN_CLIENT = "402::Unknown client"


class RealtimeFront:
    """The hub, and an event per client that a commit sets when it queued messages for it."""

    def __init__(self, service: TenantService) -> None:
        self.hub = RealtimeHub()
        self.wakers: dict[str, asyncio.Event] = {}
        self.unsubscribe = service.subscribe(self.on_signal)

    def on_signal(self, signal: TenantEvent) -> None:
        if isinstance(signal, DataChanged) and self.hub.clients:  # nobody listening: nothing to build
            for client in self.hub.publish(notifications(signal.changes)):
                waker = self.wakers.get(client.client_id)
                if waker is not None:
                    waker.set()

    async def wait(self, client: RealtimeClient, seconds: float) -> list[dict[str, Any]]:
        if not client.queue:
            waker = self.wakers.setdefault(client.client_id, asyncio.Event())
            waker.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waker.wait(), seconds)
        taken = list(client.queue)
        client.queue.clear()
        return taken


FRONT = web.AppKey("c8ylink.realtime", RealtimeFront)


async def _bayeux(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    require_business_user(principal)
    front = request.app[FRONT]
    body = await read_json(request)
    messages = body if isinstance(body, list) else [body]
    if not messages or not all(isinstance(message, dict) for message in messages):
        raise validation_error("The body must be a Bayeux message or a list of them")
    answers: list[dict[str, Any]] = []
    for message in messages:
        answers += await _answer(front, principal.username, message)
    return json_response(answers, None)


async def _answer(front: RealtimeFront, username: str, message: dict[str, Any]) -> list[dict[str, Any]]:
    channel = str(message.get("channel", ""))
    reply: dict[str, Any] = {"channel": channel, "successful": True}
    if "id" in message:
        reply["id"] = message["id"]
    if channel == "/meta/handshake":
        client = front.hub.handshake(secrets.token_hex(12), username)
        advice = {"interval": 0, "timeout": int(DEFAULT_WAIT * 1000)}
        return [{**reply, "clientId": client.client_id, "version": "1.0",
                 "supportedConnectionTypes": ["long-polling"], "advice": advice}]  # fmt: skip
    found = front.hub.client(str(message.get("clientId", "")), username)
    if found is None:
        return [{**reply, "successful": False, "error": UNKNOWN_CLIENT, "advice": {"reconnect": "handshake"}}]
    reply["clientId"] = found.client_id
    if channel in ("/meta/subscribe", "/meta/unsubscribe"):
        subscription = str(message.get("subscription", ""))
        if not subscription.startswith("/"):
            return [{**reply, "successful": False, "error": f"403::Invalid subscription {subscription!r}"}]
        (found.subscriptions.add if channel == "/meta/subscribe" else found.subscriptions.discard)(
            subscription
        )
        return [{**reply, "subscription": subscription}]
    if channel == "/meta/connect":
        seconds = _wait_of(message)
        delivered = await front.wait(found, seconds)
        return [*delivered, {**reply, "advice": {"interval": 0, "timeout": int(seconds * 1000)}}]
    if channel == "/meta/disconnect":
        front.hub.disconnect(found.client_id)
        front.wakers.pop(found.client_id, None)
        return [reply]
    return [{**reply, "successful": False, "error": f"400::Unknown channel {channel!r}"}]


def _wait_of(message: dict[str, Any]) -> float:
    """How long a connect may wait: its ``advice.timeout`` (ms), within [0, MAX_WAIT] seconds."""
    advice = message.get("advice")
    timeout = advice.get("timeout") if isinstance(advice, dict) else None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        return DEFAULT_WAIT
    return min(max(float(timeout) / 1000, 0.0), MAX_WAIT)


@routes.post("/notification/realtime")
async def realtime(request: web.Request) -> web.StreamResponse:
    return await _bayeux(request)


@routes.post("/cep/realtime")
async def cep_realtime(request: web.Request) -> web.StreamResponse:
    return await _bayeux(request)
