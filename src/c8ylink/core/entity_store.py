"""The agent's view of the registered entities, behind ``/te/v1/entities`` (thin-edge.io 1.x).

Registrations are the retained ``te/<topic id>`` messages (``{"@type": "child-device"|"service", "@parent",
"name", "type", ...}``); the store keeps each one with its ``@topic-id`` and answers

- ``register(document)``: a new registration checked (``@topic-id`` and ``@type`` required, a parent that
  is known; ``@parent`` defaults to the main device for a child device, to the device of a service);
- ``children_first(topic_id)``: an entity and its descendants, deepest first (what a deregistration
  removes);
- ``select(parent=..., kind=...)``: every entity, the main device first.

``EntityStoreError`` carries the HTTP status the API answers (400, 404, 409).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.mqtt.topic import TopicError
from c8ylink.core.topics import EntityTopicId


class EntityStoreError(C8yLinkError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class EntityStore:
    main: EntityTopicId
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.entities.setdefault(self.main.value, {"@topic-id": self.main.value, "@type": "device"})

    def get(self, topic_id: str) -> dict[str, Any]:
        found = self.entities.get(topic_id)
        if found is None:
            raise EntityStoreError(404, f"The entity '{topic_id}' is not registered")
        return found

    def select(self, *, parent: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        return [
            entity for entity in self.entities.values()
            if (parent is None or entity.get("@parent") == parent)
            and (kind is None or entity["@type"] == kind)
        ]  # fmt: skip

    def register(self, document: Any) -> dict[str, Any]:
        """A registration checked and completed; it is stored by ``remember`` when its message comes back."""
        if not isinstance(document, dict):
            raise EntityStoreError(400, "The registration must be a JSON object")
        topic_id = document.get("@topic-id")
        kind = document.get("@type")
        if not isinstance(topic_id, str):
            raise EntityStoreError(400, "The registration has no '@topic-id'")
        try:
            entity = EntityTopicId(topic_id)
        except TopicError as exc:
            raise EntityStoreError(400, f"Invalid '@topic-id': {exc}") from exc
        if kind not in ("child-device", "service"):
            raise EntityStoreError(400, "'@type' must be 'child-device' or 'service'")
        if topic_id in self.entities:
            raise EntityStoreError(409, f"The entity '{topic_id}' is already registered")
        parent = document.get("@parent", self._default_parent(entity, kind))
        if not isinstance(parent, str) or parent not in self.entities:
            raise EntityStoreError(400, f"The parent '{parent}' is not registered")
        if self.entities[parent]["@type"] == "service":
            raise EntityStoreError(400, f"The parent '{parent}' is a service")
        return {**document, "@topic-id": topic_id, "@type": kind, "@parent": parent}

    def remember(self, topic_id: str, payload: dict[str, Any] | None) -> None:
        """A registration message seen on the bus (``None``: cleared)."""
        if payload is None:
            if topic_id != self.main.value:
                self.entities.pop(topic_id, None)
            return
        kind = payload.get("@type")
        if kind in ("child-device", "service") and topic_id != self.main.value:
            try:
                parent = payload.get("@parent") or self._default_parent(EntityTopicId(topic_id), kind)
            except TopicError:
                return
            self.entities[topic_id] = {**payload, "@topic-id": topic_id, "@parent": parent}

    def children_first(self, topic_id: str) -> list[str]:
        self.get(topic_id)
        if topic_id == self.main.value:
            raise EntityStoreError(400, "The main device cannot be deregistered")
        found: list[str] = []
        for child in [key for key, entity in self.entities.items() if entity.get("@parent") == topic_id]:
            found.extend(self.children_first(child))
        found.append(topic_id)
        return found

    def _default_parent(self, entity: EntityTopicId, kind: str) -> str:
        segments = entity.segments
        if kind == "service" and segments[0] == "device":
            return f"device/{segments[1]}//"
        return self.main.value
