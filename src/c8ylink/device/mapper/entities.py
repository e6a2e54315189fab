"""The entity store: which devices and services exist, their external ids and hierarchy (tedge.md §6.2).

Entities register with a retained JSON message on ``te/<topic id>`` (``@type`` child-device or
service, optional ``@id``, ``@parent``, ``@health``, ``name``, ``type``; other keys are twin fragments)
and deregister with an empty retained message there (descendants go too).

- A registration whose parent is not known yet waits until the parent registers.
- ``auto_registrations`` gives the registrations thin-edge makes up for unknown entities of the
  default scheme (``device/<name>//`` and ``device/<name>/service/<svc>``).
- Data for other unknown entities is buffered (``early_message_buffer`` messages in all, oldest
  dropped first) with the time it arrived, and handed back when the entity registers (converted as
  of its arrival: a measurement without ``time`` is stamped when it came, not when it was released).

The store is plain in-memory state with no I/O; the mapper service owns one instance.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from c8ylink.core.errors import ProtocolError
from c8ylink.core.topics import EntityTopicId, derive_external_id, validate_external_id
from c8ylink.device.mapper.errors import ConversionError, ErrorKind
from c8ylink.device.mapper.message import Message

DEFAULT_SERVICE_TYPE = "service"
RESERVED_KEYS = frozenset({"@type", "@id", "@parent", "@health", "name", "type"})


class EntityKind(enum.Enum):
    MAIN_DEVICE = "device"
    CHILD_DEVICE = "child-device"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Registration:
    """A registration as published (or made up by auto-registration); defaults not yet applied."""

    topic_id: EntityTopicId
    kind: EntityKind
    external_id: str | None = None
    parent: EntityTopicId | None = None
    name: str | None = None
    type: str | None = None
    health: EntityTopicId | None = None
    fragments: Mapping[str, Any] = field(default_factory=dict)

    def to_payload(self, external_id: str) -> dict[str, Any]:
        """The registration message to republish, with ``@id`` (so other components learn the id)."""
        payload: dict[str, Any] = {"@type": self.kind.value, "@id": external_id}
        if self.parent is not None:
            payload["@parent"] = self.parent.value
        if self.health is not None:
            payload["@health"] = self.health.value
        for key, value in (("name", self.name), ("type", self.type)):
            if value is not None:
                payload[key] = value
        return {**payload, **self.fragments}


@dataclass(frozen=True, slots=True)
class Entity:
    topic_id: EntityTopicId
    kind: EntityKind
    external_id: str
    parent: EntityTopicId | None
    name: str
    type: str
    health: EntityTopicId | None = None
    fragments: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_device(self) -> bool:
        return self.kind is not EntityKind.SERVICE


@dataclass(frozen=True, slots=True)
class Buffered:
    """A message of an entity not registered yet, and when it arrived."""

    message: Message
    arrived: datetime


@dataclass(frozen=True, slots=True)
class Registered:
    """What a registration changed: newly (re)registered entities, and their buffered messages."""

    entities: tuple[Entity, ...] = ()
    replay: tuple[Buffered, ...] = ()


def parse_registration(topic_id: EntityTopicId, payload: Mapping[str, Any]) -> Registration:
    """A registration from its JSON object; ``ConversionError`` (invalid-registration) if malformed."""
    kind_text = payload.get("@type")
    kinds = {kind.value: kind for kind in EntityKind}
    if not isinstance(kind_text, str) or kind_text not in kinds:
        raise _invalid(f"'@type' must be one of {', '.join(kinds)}, got {kind_text!r}")
    strings = {key: payload.get(key) for key in ("@id", "@parent", "@health", "name", "type")}
    for key, value in strings.items():
        if value is not None and not isinstance(value, str):
            raise _invalid(f"'{key}' must be a string")
    try:
        external_id = validate_external_id(strings["@id"]) if strings["@id"] is not None else None
        parent = EntityTopicId(strings["@parent"]) if strings["@parent"] else None
        health = EntityTopicId(strings["@health"]) if strings["@health"] else None
    except ProtocolError as exc:
        raise _invalid(str(exc)) from exc
    fragments = {
        key: value for key, value in payload.items() if key not in RESERVED_KEYS and not key.startswith("@")
    }
    return Registration(
        topic_id,
        kinds[str(kind_text)],
        external_id,
        parent,
        strings["name"],
        strings["type"],
        health,
        fragments,
    )


def _invalid(reason: str) -> ConversionError:
    return ConversionError(ErrorKind.INVALID_REGISTRATION, f"Invalid registration: {reason}")


class EntityStore:
    def __init__(
        self,
        main_device: EntityTopicId,
        main_device_id: str,
        *,
        service_type: str = DEFAULT_SERVICE_TYPE,
        child_device_type: str = "thin-edge.io-child",
        buffer_size: int = 100,
    ) -> None:
        self.main_device = main_device
        self.main_device_id = validate_external_id(main_device_id)
        self.service_type = service_type or DEFAULT_SERVICE_TYPE  # service.type = "" means the default
        self.child_device_type = child_device_type
        health = _default_health(main_device)
        main = Entity(
            main_device, EntityKind.MAIN_DEVICE, main_device_id, None, main_device_id, "thin-edge.io", health
        )
        self._entities: dict[EntityTopicId, Entity] = {main_device: main}
        self._by_external_id: dict[str, EntityTopicId] = {main_device_id: main_device}
        self._pending: dict[EntityTopicId, dict[EntityTopicId, Registration]] = {}
        self._buffer: deque[tuple[EntityTopicId, Buffered]] = deque()
        self._buffer_size = buffer_size

    @property
    def main(self) -> Entity:
        return self._entities[self.main_device]

    def get(self, topic_id: EntityTopicId) -> Entity | None:
        return self._entities.get(topic_id)

    def by_external_id(self, external_id: str) -> Entity | None:
        topic_id = self._by_external_id.get(external_id)
        return None if topic_id is None else self._entities[topic_id]

    def __iter__(self) -> Iterator[Entity]:
        return iter(list(self._entities.values()))

    def children(self, topic_id: EntityTopicId) -> list[Entity]:
        return [entity for entity in self._entities.values() if entity.parent == topic_id]

    def parent_of(self, entity: Entity) -> Entity | None:
        return None if entity.parent is None else self._entities.get(entity.parent)

    # ----------------------------------------------------------------------------------------- register

    def register(self, registration: Registration) -> Registered:
        """Add or update an entity; a registration whose parent is unknown waits for it."""
        if registration.kind is EntityKind.MAIN_DEVICE:
            return self._register_main(registration)
        entity = self._resolve(registration)
        if entity.parent == entity.topic_id:
            raise _invalid(f"{entity.topic_id} cannot be its own parent")
        parent = self._entities.get(entity.parent) if entity.parent else None
        if parent is None:
            assert entity.parent is not None  # only the main device has no parent
            self._pending.setdefault(entity.parent, {})[entity.topic_id] = registration
            return Registered()
        if parent.kind is EntityKind.SERVICE:
            raise _invalid(f"the parent {parent.topic_id} is a service, not a device")
        owner = self._by_external_id.get(entity.external_id)
        if owner is not None and owner != entity.topic_id:
            raise _invalid(f"external id {entity.external_id} is already used by {owner}")
        if self._entities.get(entity.topic_id) == entity:
            return Registered()
        self._store(entity)
        entities = [entity]
        for waiting in self._pending.pop(entity.topic_id, {}).values():
            try:
                entities.extend(self.register(waiting).entities)
            except ConversionError:
                continue  # e.g. it named a service as parent: dropped, its parent's registration stands
        replay = tuple(
            message for registered in entities for message in self.take_buffered(registered.topic_id)
        )
        return Registered(tuple(entities), replay)

    def _register_main(self, registration: Registration) -> Registered:
        if registration.topic_id != self.main_device:
            raise _invalid(f"only the main device {self.main_device} can have @type device")
        current = self.main
        updated = Entity(
            current.topic_id,
            current.kind,
            current.external_id,
            None,
            registration.name or current.name,
            registration.type or current.type,
            registration.health or _default_health(current.topic_id),
            dict(registration.fragments),
        )
        if updated == current:
            return Registered()
        self._entities[self.main_device] = updated
        return Registered((updated,))

    def _resolve(self, registration: Registration) -> Entity:
        """The entity a registration describes, with thin-edge's defaults applied."""
        topic_id = registration.topic_id
        try:
            external_id = registration.external_id or derive_external_id(
                topic_id, self.main_device_id, self.main_device
            )
        except ProtocolError as exc:
            raise _invalid(str(exc)) from exc
        if registration.kind is EntityKind.SERVICE:
            parent = registration.parent or topic_id.default_service_parent() or self.main_device
            name = registration.name or _last_segment(topic_id)
            entity_type = registration.type or self.service_type
        else:
            parent = registration.parent or self.main_device
            name = registration.name or external_id
            entity_type = registration.type or self.child_device_type
        health = registration.health
        if health is None and registration.kind is EntityKind.CHILD_DEVICE:
            health = _default_health(topic_id)
        return Entity(topic_id, registration.kind, external_id, parent, name, entity_type, health,
                      dict(registration.fragments))  # fmt: skip

    def _store(self, entity: Entity) -> None:
        previous = self._entities.get(entity.topic_id)
        if previous is not None:
            self._by_external_id.pop(previous.external_id, None)
        self._entities[entity.topic_id] = entity
        self._by_external_id[entity.external_id] = entity.topic_id

    def deregister(self, topic_id: EntityTopicId) -> list[Entity]:
        """Remove an entity and its descendants (the main device stays); returns what was removed."""
        for waiting in self._pending.values():
            waiting.pop(topic_id, None)
        self._pending.pop(topic_id, None)
        entity = self._entities.get(topic_id)
        if entity is None or entity.kind is EntityKind.MAIN_DEVICE:
            return []
        removed = [entity]
        for child in self.children(topic_id):
            removed.extend(self.deregister(child.topic_id))
        del self._entities[topic_id]
        self._by_external_id.pop(entity.external_id, None)
        return removed

    def auto_registrations(self, topic_id: EntityTopicId) -> list[Registration]:
        """Registrations that make an unknown entity of the default scheme known, parents first."""
        device_name = topic_id.default_device_name()
        if device_name is not None:
            if topic_id == self.main_device:
                return []
            return [
                Registration(topic_id, EntityKind.CHILD_DEVICE, parent=self.main_device, name=device_name)
            ]
        service_name = topic_id.default_service_name()
        parent = topic_id.default_service_parent()
        if service_name is None or parent is None:
            return []
        registrations = [] if parent in self._entities else self.auto_registrations(parent)
        if parent not in self._entities and not registrations:
            return []
        service = Registration(topic_id, EntityKind.SERVICE, parent=parent, name=service_name,
                               type=self.service_type)  # fmt: skip
        return [*registrations, service]

    # ----------------------------------------------------------------------------------------- buffer

    def buffer(self, topic_id: EntityTopicId, message: Message, arrived: datetime) -> Message | None:
        """Keep a message of an unknown entity; returns the oldest message dropped to make room, if any."""
        self._buffer.append((topic_id, Buffered(message, arrived)))
        if len(self._buffer) > self._buffer_size:
            return self._buffer.popleft()[1].message
        return None

    def take_buffered(self, topic_id: EntityTopicId) -> list[Buffered]:
        taken = [buffered for owner, buffered in self._buffer if owner == topic_id]
        if taken:
            self._buffer = deque(item for item in self._buffer if item[0] != topic_id)
        return taken


def _last_segment(topic_id: EntityTopicId) -> str:
    return next((part for part in reversed(topic_id.segments) if part), topic_id.value)


def _default_health(device: EntityTopicId) -> EntityTopicId | None:
    """The ``@health`` endpoint of a device that names none: its tedge-agent service (default scheme)."""
    name = device.default_device_name()
    return None if name is None else EntityTopicId.service("tedge-agent", name)
