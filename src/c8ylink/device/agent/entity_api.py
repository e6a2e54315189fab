"""``/te/v1/entities`` on the agent's HTTP server: register, list, get and deregister entities.

    POST   /te/v1/entities                     {"@topic-id": "device/child01//", "@type": "child-device", ...}
                                               -> 201 {"@topic-id": ...}; the registration is published,
                                                  retained, on te/<topic id>
    GET    /te/v1/entities[?parent=..&type=..] -> 200 [entity, ...]
    GET    /te/v1/entities/<topic id>          -> 200 entity | 404
    DELETE /te/v1/entities/<topic id>          -> 200 [removed entities]: the entity and its descendants,
                                                  each registration cleared (empty retained message)

Errors are JSON ``{"error", "message"}`` (400 bad document, 404 unknown, 409 already registered, 503 when
the agent is not connected to the broker).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from c8ylink.core.entity_store import EntityStore, EntityStoreError
from c8ylink.core.file_transfer import ENTITIES_PREFIX
from c8ylink.infra.net.http_server import REASONS, HttpRequest, body_chunks, write_error, write_head

MAX_DOCUMENT = 64 * 1024

Publish = Callable[[str, bytes], bool]  # (topic, payload) retained; False when not connected


class EntityApi:
    def __init__(self, store: EntityStore, topic_root: str, publish: Publish) -> None:
        self.store = store
        self.topic_root = topic_root
        self.publish = publish

    async def __call__(
        self, request: HttpRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        parts = urlsplit(request.target)
        rest = unquote(parts.path[len(ENTITIES_PREFIX) :]).lstrip("/")
        try:
            if request.method == "POST" and not rest:
                body = b"".join(
                    [chunk async for chunk in body_chunks(reader, request, max_body=MAX_DOCUMENT)]
                )
                status, answer = self._register(body)
            elif request.method == "GET" and not rest:
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                status, answer = 200, self.store.select(parent=query.get("parent"), kind=query.get("type"))
            elif request.method == "GET":
                status, answer = 200, self.store.get(rest)
            elif request.method == "DELETE" and rest:
                status, answer = 200, self._deregister(rest)
            else:
                status, answer = (
                    405,
                    {"error": "method_not_allowed", "message": f"{request.method} not allowed"},
                )
        except EntityStoreError as exc:
            await write_error(writer, exc.status, "entity_store", str(exc))
            return
        data = json.dumps(answer).encode()
        headers = [("Content-Type", "application/json")]
        await write_head(writer, status, REASONS.get(status, ""), headers, content_length=len(data))
        writer.write(data)
        await writer.drain()

    def _register(self, body: bytes) -> tuple[int, Any]:
        try:
            document = json.loads(body)
        except ValueError:
            raise EntityStoreError(400, "The registration is not JSON") from None
        entity = self.store.register(document)
        topic_id = entity["@topic-id"]
        message = {key: value for key, value in entity.items() if key != "@topic-id"}
        if not self.publish(f"{self.topic_root}/{topic_id}", json.dumps(message).encode()):
            raise EntityStoreError(503, "tedge-agent is not connected to the MQTT broker")
        self.store.remember(topic_id, message)
        return 201, {"@topic-id": topic_id}

    def _deregister(self, topic_id: str) -> list[dict[str, Any]]:
        removed: list[dict[str, Any]] = []
        for found in self.store.children_first(topic_id):
            if not self.publish(f"{self.topic_root}/{found}", b""):
                raise EntityStoreError(503, "tedge-agent is not connected to the MQTT broker")
            removed.append(self.store.get(found))
            self.store.remember(found, None)
        return removed
