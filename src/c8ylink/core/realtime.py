"""Cumulocity's realtime notifications (CometD / Bayeux 1.0), the parts the tenant and ``c8y`` share.

Clients POST JSON arrays of Bayeux messages to ``/notification/realtime`` (or send them as websocket
text frames): ``/meta/handshake`` gives a ``clientId``; ``/meta/subscribe`` names a channel; each
``/meta/connect`` answers with the notifications queued since the last one (long-polling: held until
one arrives or the advised timeout passes); ``/meta/unsubscribe`` and ``/meta/disconnect`` end it.

Channels: ``/<resource>/<id>`` or ``/<resource>/*`` with ``resource`` one of measurements, events,
alarms, operations, managedobjects; ``id`` the source device (the object itself for managedobjects,
the device for operations). A notification::

    {"channel": "/measurements/12", "id": "7",
     "data": {"realtimeAction": "CREATE", "data": {...the measurement...}}}

A deleted record's ``data`` is its id (a string). Errors are ``"<code>::<text>"`` as CometD writes them;
``402::Unknown client`` advises ``{"reconnect": "handshake"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

HANDSHAKE = "/meta/handshake"
SUBSCRIBE = "/meta/subscribe"
UNSUBSCRIBE = "/meta/unsubscribe"
CONNECT = "/meta/connect"
DISCONNECT = "/meta/disconnect"
META_CHANNELS = (HANDSHAKE, SUBSCRIBE, UNSUBSCRIBE, CONNECT, DISCONNECT)
VERSION = "1.0"
CONNECTION_TYPES = ("long-polling", "websocket")
ACTIONS = ("CREATE", "UPDATE", "DELETE")
WILDCARD = "*"

# record kind (the tenant's journal) -> channel resource
RESOURCES: dict[str, str] = {
    "measurement": "measurements",
    "event": "events",
    "alarm": "alarms",
    "operation": "operations",
    "managedObject": "managedobjects",
}
UNKNOWN_CLIENT = "402::Unknown client"


class ChannelError(ValueError):
    """A channel that is not ``/<resource>/<id|*>``."""


def parse_channel(channel: str) -> tuple[str, str]:
    """``/measurements/12`` -> ``("measurements", "12")``; ``ChannelError`` for anything else."""
    parts = channel.split("/")
    if len(parts) != 3 or parts[0] or parts[1] not in RESOURCES.values() or not parts[2]:
        names = ", ".join(f"/{name}/<id|*>" for name in RESOURCES.values())
        raise ChannelError(f"unknown channel {channel!r}: expected one of {names}")
    if parts[2] != WILDCARD and not parts[2].replace("-", "").replace("_", "").isalnum():
        raise ChannelError(f"unknown channel {channel!r}: the id must be a device id or *")
    return parts[1], parts[2]


def channel_of(resource: str, device: str) -> str:
    return f"/{resource}/{device or WILDCARD}"


def source_of(kind: str, document: Mapping[str, Any]) -> str | None:
    """The device a record belongs to (what its channel is named after), if it says."""
    if kind == "managedObject":
        value: Any = document.get("id")
    elif kind == "operation":
        value = document.get("deviceId")
    else:
        source = document.get("source")
        value = source.get("id") if isinstance(source, Mapping) else None
    return str(value) if value is not None else None


def build_notification(channel: str, message_id: str, action: str, data: Any) -> dict[str, Any]:
    return {"channel": channel, "id": message_id, "data": {"realtimeAction": action, "data": data}}


def build_reply(request: Mapping[str, Any], *, successful: bool = True, **fields: Any) -> dict[str, Any]:
    """The answer to one meta message: its channel, id (if it had one), ``successful``, ``fields``."""
    reply: dict[str, Any] = {"channel": request.get("channel"), "successful": successful}
    if "id" in request:
        reply["id"] = request["id"]
    if request.get("clientId"):
        reply["clientId"] = request["clientId"]
    reply.update(fields)
    return reply


def error_code(reply: Mapping[str, Any]) -> str:
    """``"402"`` of ``"402::Unknown client"``; "" when the reply has no error."""
    error = reply.get("error")
    return str(error).split(":", 1)[0] if error else ""
