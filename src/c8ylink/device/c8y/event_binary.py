"""A file as the binary of a new event of a device, through the mapper's local proxy (which authenticates):

    event_id = upload_event_binary(client, proxy, external_id="dev1", event=..., path=..., content_type=...)

``GET /identity/externalIds/c8y_Serial/<xid>`` gives the managed object, ``POST /event/events`` creates
the event (``{"type", "text", "time"}`` + its source), then the file is streamed in a ``POST
/event/events/<id>/binaries``. ``ApiError`` for an HTTP error answer, ``ProtocolError`` for an answer
that is not what Cumulocity sends. Used by the mapper (config snapshots, logs) and ``tedge upload c8y``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from c8ylink.core.errors import ApiError, ProtocolError

if TYPE_CHECKING:
    from c8ylink.infra.net.http import HttpClient, HttpResponse


@dataclass(frozen=True, slots=True)
class UploadedBinary:
    event_id: str
    event_url: str  # the event's self link when the answer has one, else <base>/event/events/<id>

    @property
    def binary_url(self) -> str:
        return f"{self.event_url}/binaries"


def upload_event_binary(
    client: HttpClient,
    base_url: str,
    *,
    external_id: str,
    event: dict[str, Any],
    path: str,
    content_type: str,
) -> UploadedBinary:
    base = base_url.rstrip("/")
    identity = _json(
        client.request("GET", f"{base}/identity/externalIds/c8y_Serial/{quote(external_id, safe='')}")
    )
    managed = identity.get("managedObject")
    if not isinstance(managed, dict) or "id" not in managed:
        raise ProtocolError(f"The identity of {external_id} names no managed object")
    created = _json(
        client.request("POST", f"{base}/event/events", json={**event, "source": {"id": str(managed["id"])}})
    )
    if "id" not in created:
        raise ProtocolError("The created event has no id")
    event_id = str(created["id"])
    with open(path, "rb") as content:
        size = os.fstat(content.fileno()).st_size
        headers = {"Content-Type": content_type, "Content-Length": str(size)}
        _check(
            client.request(
                "POST", f"{base}/event/events/{event_id}/binaries", content=content, headers=headers
            )
        )
    self_link = created.get("self")
    url = (
        self_link
        if isinstance(self_link, str) and self_link.startswith("http")
        else f"{base}/event/events/{event_id}"
    )
    return UploadedBinary(event_id, url.rstrip("/"))


def _check(response: HttpResponse) -> None:
    if not response.ok:
        body = response.json_or_none() or response.content.decode("utf-8", errors="replace")[:200]
        raise ApiError(response.status, response.url, body, method=response.method)


def _json(response: HttpResponse) -> dict[str, Any]:
    _check(response)
    document = response.json_or_none()
    if not isinstance(document, dict):
        raise ProtocolError(f"{response.method} {response.url}: the answer is not a JSON object")
    return document
