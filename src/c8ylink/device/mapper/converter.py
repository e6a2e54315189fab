"""The mapper's single entry point: one incoming message -> the messages to publish (tedge.md §6).

``convert(message, state, now, config)`` dispatches on the topic:

- ``te/<entity>`` registration, ``m/<type>`` (+ ``/meta``), ``e/<type>``, ``a/<type>``,
  ``twin/<fragment>``, ``status/health``, ``cmd/<op>`` (capabilities) and ``cmd/<op>/<id>`` (status);
- ``te/<any entity>/signal/sync``: every device's supported operations (and log/configuration types)
  sent again;
- ``c8y/devicecontrol/notifications`` and ``c8y/s/ds``: operations from the cloud;
- ``c8y-internal/alarms/...``: the retained alarm copies read back at start-up.

Data for an unknown entity auto-registers it (default topic scheme, ``auto_register``) or waits in
the early-message buffer until it registers. Inputs over ``max_payload_size`` and bad input of any
kind become one error message on ``te/errors`` (see ``errors``); so does a converted message that
would exceed ``max_payload_size``. Nothing here raises for bad input.

The service also calls ``build_startup_messages`` once connected, ``build_heartbeats`` every
half availability interval and ``finish_alarm_sync`` once the retained messages have been read.
"""

from __future__ import annotations

from datetime import datetime

from c8ylink.core.c8y_topics import DEVICECONTROL_NOTIFICATIONS, SMARTREST_DOWNSTREAM
from c8ylink.core.errors import C8yLinkError
from c8ylink.core.mqtt.topic import TopicError, topic_name_problem
from c8ylink.core.smartrest.messages import (
    get_pending_operations,
    set_required_availability,
    set_supported_operations,
)
from c8ylink.core.topics import (
    Alarm,
    Command,
    CommandMetadata,
    EntityMetadata,
    EntityTopicId,
    Event,
    Health,
    Measurement,
    MeasurementMetadata,
    Signal,
    Twin,
    parse_topic,
)
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.alarms import convert_alarm, finish_alarm_sync, remember_alarm_shadow
from c8ylink.device.mapper.convert.capabilities import (
    convert_capability,
    resend_capabilities,
    supported_operations,
)
from c8ylink.device.mapper.convert.events import convert_event
from c8ylink.device.mapper.convert.health import build_heartbeats, build_mapper_health, convert_health
from c8ylink.device.mapper.convert.measurements import convert_measurement, convert_measurement_metadata
from c8ylink.device.mapper.convert.operations import (
    convert_command,
    convert_operation_notifications,
    convert_smartrest_operations,
)
from c8ylink.device.mapper.convert.payloads import entity_smartrest_topic, smartrest_message
from c8ylink.device.mapper.convert.registration import convert_registration, register
from c8ylink.device.mapper.convert.twin import convert_twin, update_fragments
from c8ylink.device.mapper.entities import Buffered, Entity
from c8ylink.device.mapper.errors import ConversionError, ErrorKind, build_error_message
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.state import MapperState

__all__ = [
    "build_heartbeats",
    "build_mapper_health",
    "build_startup_messages",
    "convert",
    "finish_alarm_sync",
]


def convert(message: Message, state: MapperState, now: datetime, config: MapperConfig) -> list[Message]:
    """The messages to publish for ``message``; bad input gives an error message on ``te/errors``."""
    ctx = Context(state, now, config)
    try:
        messages = _dispatch(message, ctx)
    except C8yLinkError as exc:
        return [_error(message.topic, exc, ctx)]
    return [_within_limit(output, message.topic, ctx) for output in messages]


def _dispatch(message: Message, ctx: Context) -> list[Message]:
    topic, config = message.topic, ctx.config
    if topic.startswith(config.alarm_shadow_prefix):
        remember_alarm_shadow(topic, message.payload, ctx.state, config)
        return []
    if topic.startswith(config.topic_root + "/") and topic != config.errors_topic:
        return _convert_local(message, ctx)
    if topic == config.cloud_topic(DEVICECONTROL_NOTIFICATIONS):
        return convert_operation_notifications(message, ctx)
    if topic == config.cloud_topic(SMARTREST_DOWNSTREAM):
        return convert_smartrest_operations(message, ctx)
    return []


def _convert_local(message: Message, ctx: Context) -> list[Message]:
    config, state = ctx.config, ctx.state
    if len(message.payload) > config.max_payload_size:
        size, limit = len(message.payload), config.max_payload_size
        reason = f"Message of {size} bytes exceeds max_payload_size ({limit} bytes)"
        raise ConversionError(ErrorKind.PAYLOAD_TOO_LARGE, reason)
    # a type or id a broker would refuse must not travel on (alarm copies, cloud topics)
    problem = topic_name_problem(message.topic)
    if problem is not None:
        reason = f"Invalid topic {ascii(message.topic)[:200]}: {problem}"
        raise ConversionError(ErrorKind.INVALID_TOPIC, reason)
    try:
        entity_id, channel = parse_topic(config.topic_root, message.topic)
    except TopicError as exc:
        raise ConversionError(ErrorKind.INVALID_TOPIC, str(exc)) from exc
    if isinstance(channel, Signal):
        return resend_capabilities(state, config) if channel.type == "sync" else []
    if isinstance(channel, EntityMetadata):
        outcome = convert_registration(entity_id, message.payload, state, config)
        return [*outcome.messages, *_replay(outcome.replay, ctx)]
    entity = state.entities.get(entity_id)
    registration: list[Message] = []
    if entity is None:
        registration, entity = _auto_register(entity_id, ctx)
    if entity is None:
        dropped = state.entities.buffer(entity_id, message, ctx.now)
        if dropped is None:
            return []
        reason = f"Dropped the oldest message of an unregistered entity ({dropped.topic}): buffer full"
        return [_error(dropped.topic, ConversionError(ErrorKind.MESSAGE_DROPPED, reason), ctx)]
    return [*registration, *_convert_channel(entity, channel, message, ctx)]


def _auto_register(entity_id: EntityTopicId, ctx: Context) -> tuple[list[Message], Entity | None]:
    if not ctx.config.auto_register:
        return [], None
    messages: list[Message] = []
    for registration in ctx.state.entities.auto_registrations(entity_id):
        outcome = register(registration, ctx.state, ctx.config, republish=True)
        messages.extend([*outcome.messages, *_replay(outcome.replay, ctx)])
    return messages, ctx.state.entities.get(entity_id)


def _replay(buffered: tuple[Buffered, ...], ctx: Context) -> list[Message]:
    """The buffered messages of newly registered entities, converted as of their arrival."""
    return [
        output
        for early in buffered
        for output in convert(early.message, ctx.state, early.arrived, ctx.config)
    ]


def _convert_channel(entity: Entity, channel: object, message: Message, ctx: Context) -> list[Message]:
    payload = message.payload
    match channel:
        case Measurement(measurement_type):
            return convert_measurement(entity, measurement_type, payload, ctx)
        case MeasurementMetadata(measurement_type):
            convert_measurement_metadata(entity, measurement_type, payload, ctx.state)
            return []
        case Event(event_type):
            return convert_event(entity, event_type, payload, ctx)
        case Alarm(alarm_type):
            return convert_alarm(entity, alarm_type, message, ctx)
        case Twin(fragment):
            return convert_twin(entity, fragment, payload, ctx.state, ctx.config)
        case Health():
            return convert_health(entity, payload, ctx.state, ctx.config)
        case Command():
            return convert_command(entity, channel, payload, ctx)
        case CommandMetadata(operation):
            return convert_capability(entity, operation, payload, ctx)
    return []  # event/alarm metadata: nothing to map


def _within_limit(output: Message, source_topic: str, ctx: Context) -> Message:
    limit = ctx.config.max_payload_size
    if not output.topic.startswith(ctx.config.topic_prefix + "/") or len(output.payload) <= limit:
        return output
    size = len(output.payload)
    reason = f"Converted message for {output.topic} has {size} bytes, over max_payload_size ({limit} bytes)"
    return _error(source_topic, ConversionError(ErrorKind.PAYLOAD_TOO_LARGE, reason), ctx)


def _error(topic: str, exc: C8yLinkError, ctx: Context) -> Message:
    error = exc if isinstance(exc, ConversionError) else ConversionError(ErrorKind.INVALID_PAYLOAD, str(exc))
    return build_error_message(ctx.config, topic, error, ctx.now)


AGENT_URL = "https://thin-edge.io"


def build_startup_messages(state: MapperState, config: MapperConfig) -> list[Message]:
    """Once connected: the main device's type and c8y_Agent, its supported operations (114),
    availability (117) and a request for the pending operations (500)."""
    main = state.entities.main
    fragments: dict[str, object] = {"type": config.device_type}
    if config.agent_version:
        fragments["c8y_Agent"] = {"name": "thin-edge.io", "version": config.agent_version, "url": AGENT_URL}
    messages = update_fragments(main, fragments, state, config)
    records = [set_supported_operations(supported_operations(main, state))]
    if config.availability_enabled:
        records.append(set_required_availability(config.availability_interval_minutes))
    records.append(get_pending_operations())
    topic = entity_smartrest_topic(config, main)
    return [*messages, *(smartrest_message(topic, [record]) for record in records)]
