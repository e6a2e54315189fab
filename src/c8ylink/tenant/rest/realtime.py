"""Cumulocity's realtime endpoint (CometD/Bayeux): ``POST /notification/realtime`` (long-polling) and
``GET /notification/realtime`` upgraded to a websocket; ``/cep/realtime`` is the older name of the same.
Authenticated as every request (Basic, Bearer or the OAI-Secure cookie); a websocket upgrade without
credentials authenticates with its handshake's ``com.cumulocity.authn`` token instead (what browsers and
@c8y/client send). A device user may subscribe to its own devices' channels only. The local control API
can drop every client (``/__local__/realtime``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import WSMsgType, web

from c8ylink.core.realtime import HANDSHAKE, WILDCARD
from c8ylink.tenant.realtime.bayeux import BatchContext, handle_batch
from c8ylink.tenant.realtime.hub import HubLimits, RealtimeHub
from c8ylink.tenant.rest.auth import authenticate, public
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json
from c8ylink.tenant.service import TenantService
from c8ylink.tenant.state.access import Principal, require_not_bootstrap, require_tenant_admin
from c8ylink.tenant.state.errors import TenantApiError

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
PATHS = ("/notification/realtime", "/cep/realtime")
HUB_KEY = "realtime"
AUTHN = "com.cumulocity.authn"


def hub_of(service: TenantService, limits: HubLimits | None = None) -> RealtimeHub:
    """The tenant's one hub (both REST ports share it), fed by every commit from its creation on."""
    hub = service.extensions.get(HUB_KEY)
    if not isinstance(hub, RealtimeHub):
        hub = RealtimeHub(limits)
        service.extensions[HUB_KEY] = hub
        service.watch_records(hub.publish)
    return hub


def _context(request: web.Request, principal: Principal, *, still_open: Any) -> BatchContext:
    require_not_bootstrap(principal)
    service = service_of(request)

    def may_subscribe(resource: str, device: str) -> bool:
        return _may_subscribe(service, principal, device)

    owner = f"{principal.tenant}/{principal.username}"
    return BatchContext(owner, may_subscribe, transport=request.transport, still_open=still_open)


def _handshake_principal(request: web.Request, batch: object) -> Principal | None:
    """A websocket client that sent no credentials with the upgrade (a browser, node) authenticates
    with its handshake's ``ext: {"com.cumulocity.authn": {"token": ...}}``: base64 ``user:password`` or
    a token the tenant issued, as Cumulocity takes it."""
    messages = batch if isinstance(batch, list) else [batch]
    for message in messages:
        if not isinstance(message, dict) or message.get("channel") != HANDSHAKE:
            continue
        ext = message.get("ext")
        authn = ext.get(AUTHN) if isinstance(ext, dict) else None
        token = authn.get("token") if isinstance(authn, dict) else None
        if not isinstance(token, str) or not token:
            return None
        scheme = "Bearer" if token.count(".") == 2 else "Basic"
        try:
            return authenticate(
                request.clone(headers={**request.headers, "Authorization": f"{scheme} {token}"})
            )
        except TenantApiError:
            return None
    return None


def _may_subscribe(service: TenantService, principal: Principal, device: str) -> bool:
    if principal.is_business_user:
        return True
    return device != WILDCARD and device in service.state.device_objects(principal.username)


async def long_poll(request: web.Request) -> web.StreamResponse:
    batch = await read_json(request)
    transport = request.transport
    still_open = lambda: transport is not None and not transport.is_closing()  # noqa: E731
    context = _context(request, principal_of(request), still_open=still_open)
    replies = await handle_batch(hub_of(service_of(request)), batch, context)
    return json_response(replies, None)


@public  # the upgrade may come without credentials: the handshake then carries them
async def websocket(request: web.Request) -> web.StreamResponse:
    try:
        principal: Principal | None = authenticate(request)
    except TenantApiError:
        principal = None
    if principal is not None:
        require_not_bootstrap(principal)
    socket = web.WebSocketResponse(heartbeat=30.0)
    await socket.prepare(request)
    contexts: list[BatchContext] = []
    if principal is not None:
        contexts.append(_context(request, principal, still_open=lambda: not socket.closed))
    hub = hub_of(service_of(request))
    sending = asyncio.Lock()
    pending: set[asyncio.Task[None]] = set()

    async def answer(text: str) -> None:
        try:
            batch = json.loads(text)
        except ValueError:
            batch = None
        if not contexts:
            found = _handshake_principal(request, batch)
            if found is not None and not found.is_bootstrap:
                contexts.append(_context(request, found, still_open=lambda: not socket.closed))
        if contexts:
            replies = await handle_batch(hub, batch, contexts[0])
        else:
            replies = [{"channel": HANDSHAKE, "successful": False, "error": "401::Unauthorized",
                        "advice": {"reconnect": "none"}}]  # fmt: skip
        async with sending:
            if not socket.closed:
                await socket.send_str(json.dumps(replies, separators=(",", ":")))

    try:
        async for frame in socket:
            if frame.type == WSMsgType.TEXT:
                task = asyncio.create_task(answer(frame.data))  # a held connect must not block the rest
                pending.add(task)
                task.add_done_callback(pending.discard)
            elif frame.type == WSMsgType.ERROR:
                break
    finally:
        for task in list(pending):
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    return socket


for _path in PATHS:
    routes.post(_path)(long_poll)
    # CometD clients append the message type to the URL by default (appendMessageTypeToURL)
    routes.post(_path + "/{meta:handshake|connect|subscribe|unsubscribe|disconnect}")(long_poll)
    routes.get(_path)(websocket)


@routes.get("/__local__/realtime")
async def list_clients(request: web.Request) -> web.StreamResponse:
    """The realtime clients: id, owner, subscriptions, queued and dropped notifications, whether a
    connect of theirs is waiting."""
    require_tenant_admin(principal_of(request))
    hub = hub_of(service_of(request))
    clients = [
        {
            "clientId": client.id,
            "owner": client.owner,
            "subscriptions": sorted(client.subscriptions),
            "queued": len(client.queue),
            "dropped": client.dropped,
            "waiting": bool(client.waiting),
        }
        for client in hub.clients.values()
    ]
    return json_response({"clients": clients}, None)


@routes.post("/__local__/realtime/drop")
async def drop_clients(request: web.Request) -> web.StreamResponse:
    """Forget every client and cut their pending long-polls (they must handshake again)."""
    require_tenant_admin(principal_of(request))
    return json_response({"dropped": hub_of(service_of(request)).drop_all()}, None)
