"""Entity registration -> Cumulocity (tedge.md §6.2).

For each newly registered entity, on its **parent's** SmartREST topic:
- child device: ``101,<xid>,<name>,<type>,<create_with_device_marker>``;
- service: ``102,<xid>,<type>,<name>,up``;
then its extra registration keys as twin fragments (for the main device also its name and type),
``117,<minutes>`` on a child device's own topic (availability), and the registration republished
with its ``@id`` on ``te/<topic id>`` (retained) when the mapper made the id up, so that other
components learn it. The republished message comes
back to the mapper and, being identical, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from c8ylink.core.smartrest.messages import create_child_device, create_service, set_required_availability
from c8ylink.core.topics import EntityMetadata, EntityTopicId, topic_for
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.convert.capabilities import announce_operations, take_operation_files
from c8ylink.device.mapper.convert.payloads import (
    entity_smartrest_topic,
    parse_json_object,
    smartrest_message,
)
from c8ylink.device.mapper.convert.twin import update_fragments
from c8ylink.device.mapper.entities import Buffered, Entity, EntityKind, Registration, parse_registration
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.state import MapperState


@dataclass(frozen=True, slots=True)
class RegistrationOutcome:
    messages: list[Message]
    replay: tuple[Buffered, ...] = ()  # buffered messages of the new entities, to convert now


def convert_registration(
    entity_id: EntityTopicId, payload: bytes, state: MapperState, config: MapperConfig
) -> RegistrationOutcome:
    """A message on ``te/<topic id>``: register, update or (empty payload) deregister."""
    if not payload:
        for entity in state.entities.deregister(entity_id):
            _forget(entity, state)
        return RegistrationOutcome([])
    registration = parse_registration(entity_id, parse_json_object(payload, "a registration"))
    return register(registration, state, config, republish=registration.external_id is None)


def register(
    registration: Registration, state: MapperState, config: MapperConfig, *, republish: bool
) -> RegistrationOutcome:
    registered = state.entities.register(registration)
    messages: list[Message] = []
    for entity in registered.entities:
        messages.extend(announce(entity, state, config))
        if (
            republish
            and entity.topic_id == registration.topic_id
            and entity.kind is not EntityKind.MAIN_DEVICE
        ):
            topic = topic_for(config.topic_root, entity.topic_id, EntityMetadata())
            messages.append(Message.json(topic, registration.to_payload(entity.external_id), retain=True))
    return RegistrationOutcome(messages, registered.replay)


def announce(entity: Entity, state: MapperState, config: MapperConfig) -> list[Message]:
    """The cloud messages that create (or update) an entity."""
    messages: list[Message] = []
    parent = state.entities.parent_of(entity)
    if entity.kind is EntityKind.CHILD_DEVICE and parent is not None:
        record = create_child_device(
            entity.external_id, entity.name, entity.type, config.create_with_device_marker
        )
        messages.append(smartrest_message(entity_smartrest_topic(config, parent), [record]))
    elif entity.kind is EntityKind.SERVICE and parent is not None:
        record = create_service(entity.external_id, entity.type, entity.name, "up")
        messages.append(smartrest_message(entity_smartrest_topic(config, parent), [record]))
    fragments = dict(entity.fragments)
    if entity.kind is EntityKind.MAIN_DEVICE:
        fragments = {"name": entity.name, "type": entity.type, **fragments}
    messages.extend(update_fragments(entity, fragments, state, config))
    if entity.kind is EntityKind.CHILD_DEVICE and config.availability_enabled:
        record = set_required_availability(config.availability_interval_minutes)
        messages.append(smartrest_message(entity_smartrest_topic(config, entity), [record]))
    if entity.kind is EntityKind.CHILD_DEVICE and take_operation_files(entity, state):
        messages.append(announce_operations(entity, state, config))  # operations/c8y/<child xid>/*
    return messages


def _forget(entity: Entity, state: MapperState) -> None:
    for key in [key for key in state.units if key[0] == entity.topic_id]:
        del state.units[key]
    for key in [key for key in state.twin if key[0] == entity.topic_id]:
        del state.twin[key]
    state.capabilities.pop(entity.topic_id, None)
    state.extra_operations.pop(entity.topic_id, None)
    state.health.pop(entity.topic_id, None)
