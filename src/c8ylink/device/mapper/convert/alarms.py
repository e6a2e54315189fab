"""``te/<entity>/a/<type>`` (retained) -> SmartREST 301-306 or ``c8y/alarm/alarms/create`` (tedge.md §6.5).

- ``severity`` critical|major|minor|warning (absent or unknown: minor), ``text`` (default: the type),
  ``time`` (default: now), other keys are custom fragments; type ``ThinEdgeAlarm`` if the topic has none.
- without custom fragments -> ``301|302|303|304,<type>,<text>,<time>`` on the entity's SmartREST topic;
  with them -> JSON with an upper-case severity (and ``externalSource`` for a child or service).
- an empty (retained) payload clears: ``306,<type>``.

Retained-clear semantics: each processed alarm is also kept as a retained copy on
``<prefix>-internal/alarms/<alarm topic>``. After a restart the broker re-delivers both the live
alarms and those copies: a live alarm identical to its copy is not raised again, and
``finish_alarm_sync`` clears the alarms whose copy remains but whose live message is gone (cleared
while the mapper was down).
"""

from __future__ import annotations

from typing import Any

from c8ylink.core.c8y_topics import ALARM_CREATE
from c8ylink.core.smartrest.messages import clear_alarm, create_alarm
from c8ylink.core.topics import Alarm, parse_topic
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.payloads import (
    entity_smartrest_topic,
    external_source,
    optional_text,
    parse_json_object,
    resolve_time,
    smartrest_message,
)
from c8ylink.device.mapper.entities import Entity
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.state import MapperState

DEFAULT_ALARM_TYPE = "ThinEdgeAlarm"
SEVERITIES = ("critical", "major", "minor", "warning")


def convert_alarm(entity: Entity, alarm_type: str, message: Message, ctx: Context) -> list[Message]:
    state, config = ctx.state, ctx.config
    topic, payload = message.topic, message.payload
    state.alarms_live.add(topic)
    if state.alarms.get(topic) == payload and payload:
        return []  # re-delivered after a restart: already raised
    kind = alarm_type or DEFAULT_ALARM_TYPE
    shadow = Message(config.alarm_shadow_prefix + topic, payload, retain=True)
    if not payload:
        state.alarms.pop(topic, None)
        return [smartrest_message(entity_smartrest_topic(config, entity), [clear_alarm(kind)]), shadow]
    data = parse_json_object(payload, "an alarm")
    severity = data.get("severity")
    severity = severity.lower() if isinstance(severity, str) and severity.lower() in SEVERITIES else "minor"
    text = optional_text(data, "text", kind)
    time = resolve_time(data.get("time"), ctx.now)
    extras: dict[str, Any] = {
        key: value for key, value in data.items() if key not in ("severity", "text", "time")
    }
    state.alarms[topic] = payload
    if not extras:
        record = create_alarm(severity, kind, text, time)
        return [smartrest_message(entity_smartrest_topic(config, entity), [record]), shadow]
    body = {"type": kind, "severity": severity.upper(), "text": text, "time": time, **extras,
            **external_source(entity)}  # fmt: skip
    return [Message.json(config.cloud_topic(ALARM_CREATE), body), shadow]


def remember_alarm_shadow(
    shadow_topic: str, payload: bytes, state: MapperState, config: MapperConfig
) -> None:
    """A retained copy seen at start-up: the alarm was raised before the restart (unless seen live)."""
    topic = shadow_topic[len(config.alarm_shadow_prefix) :]
    if topic in state.alarms_live or not payload:
        return
    state.alarms[topic] = payload


def finish_alarm_sync(state: MapperState, config: MapperConfig) -> list[Message]:
    """Clear the alarms that were raised before a restart but are gone now (call once, after start-up)."""
    messages: list[Message] = []
    for topic in sorted(set(state.alarms) - state.alarms_live):
        del state.alarms[topic]
        messages.append(Message(config.alarm_shadow_prefix + topic, b"", retain=True))
        try:
            entity_id, channel = parse_topic(config.topic_root, topic)
        except ValueError:
            continue
        entity = state.entities.get(entity_id)
        if entity is None or not isinstance(channel, Alarm):
            continue
        kind = channel.type or DEFAULT_ALARM_TYPE
        messages.append(smartrest_message(entity_smartrest_topic(config, entity), [clear_alarm(kind)]))
    return messages
