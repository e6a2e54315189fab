"""One batch of Bayeux messages from a client -> the replies (notifications included), for long-polling
and websocket alike. Who may subscribe to what is decided by the caller (``may_subscribe``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from c8ylink.core.realtime import (
    CONNECT,
    CONNECTION_TYPES,
    DISCONNECT,
    HANDSHAKE,
    SUBSCRIBE,
    UNKNOWN_CLIENT,
    UNSUBSCRIBE,
    VERSION,
    ChannelError,
    build_reply,
    parse_channel,
)
from c8ylink.tenant.realtime.hub import RealtimeClient, RealtimeHub

Message = dict[str, Any]
MaySubscribe = Callable[[str, str], bool]  # (resource, device id or *) -> allowed


class BatchContext:
    """Who sends the batch and over what: ``owner`` ("tenant/user"), whether a device may have a
    channel, the connection (its pending connects are aborted by ``RealtimeHub.drop_all``)."""

    def __init__(
        self,
        owner: str,
        may_subscribe: MaySubscribe,
        *,
        transport: asyncio.BaseTransport | None = None,
        still_open: Callable[[], bool] = lambda: True,
    ) -> None:
        self.owner = owner
        self.may_subscribe = may_subscribe
        self.transport = transport
        self.still_open = still_open


async def handle_batch(hub: RealtimeHub, batch: object, context: BatchContext) -> list[Message]:
    messages = batch if isinstance(batch, list) else [batch]
    replies: list[Message] = []
    for message in messages:
        if not isinstance(message, dict) or not isinstance(message.get("channel"), str):
            replies.append({"successful": False, "error": "400::Bad message: a JSON object with a channel"})
            continue
        channel = message["channel"]
        if channel == HANDSHAKE:
            replies.append(_handshake(hub, message, context))
            continue
        if not channel.startswith("/meta/"):
            replies.append(build_reply(message, successful=False, error="403::Publishing is not allowed"))
            continue
        client = hub.find(message.get("clientId"), context.owner)
        if client is None:
            advice = {"reconnect": "handshake", "interval": 0}
            replies.append(build_reply(message, successful=False, error=UNKNOWN_CLIENT, advice=advice))
        elif channel in (SUBSCRIBE, UNSUBSCRIBE):
            replies.extend(_subscriptions(hub, client, message, context))
        elif channel == CONNECT:
            replies.extend(await _connect(hub, client, message, context))
        elif channel == DISCONNECT:
            hub.disconnect(client)
            replies.append(build_reply(message))
        else:
            replies.append(build_reply(message, successful=False, error=f"400::Unknown channel {channel}"))
    return replies


def _handshake(hub: RealtimeHub, message: Message, context: BatchContext) -> Message:
    client = hub.handshake(context.owner)
    if client is None:
        return build_reply(
            message,
            successful=False,
            error="503::Too many realtime clients",
            advice={"reconnect": "retry", "interval": 1000},
        )
    return build_reply(
        message,
        clientId=client.id,
        version=VERSION,
        minimumVersion=VERSION,
        supportedConnectionTypes=list(CONNECTION_TYPES),
        advice={"reconnect": "retry", "interval": 0, "timeout": int(hub.limits.max_poll * 1000)},
    )


def _subscriptions(
    hub: RealtimeHub, client: RealtimeClient, message: Message, context: BatchContext
) -> list[Message]:
    wanted = message.get("subscription")
    channels = wanted if isinstance(wanted, list) else [wanted]
    replies: list[Message] = []
    for channel in channels:
        reply = {**message, "subscription": channel}
        if not isinstance(channel, str):
            replies.append(
                build_reply(
                    reply, successful=False, error="400::subscription must be a channel", subscription=channel
                )
            )
            continue
        try:
            resource, device = parse_channel(channel)
        except ChannelError as exc:
            replies.append(build_reply(reply, successful=False, error=f"400::{exc}", subscription=channel))
            continue
        if message["channel"] == UNSUBSCRIBE:
            hub.unsubscribe(client, channel)
        elif not context.may_subscribe(resource, device):
            replies.append(build_reply(reply, successful=False, error="403::Forbidden", subscription=channel))
            continue
        else:
            hub.subscribe(client, channel)
        replies.append(build_reply(reply, subscription=channel))
    return replies


async def _connect(
    hub: RealtimeHub, client: RealtimeClient, message: Message, context: BatchContext
) -> list[Message]:
    advice = message.get("advice")
    asked = advice.get("timeout") if isinstance(advice, dict) else None
    limit_ms = hub.limits.max_poll * 1000
    timeout_ms = min(float(asked), limit_ms) if isinstance(asked, int | float) and asked >= 0 else limit_ms
    if context.transport is not None:
        client.waiting.add(context.transport)
    try:
        notifications = await hub.wait(client, timeout_ms / 1000, still_open=context.still_open)
    finally:
        if context.transport is not None:
            client.waiting.discard(context.transport)
    if client.gone:
        advice_out = {"reconnect": "handshake", "interval": 0}
        return [build_reply(message, successful=False, error=UNKNOWN_CLIENT, advice=advice_out)]
    reply = build_reply(message, advice={"reconnect": "retry", "interval": 0, "timeout": int(limit_ms)})
    return [*notifications, reply]
