"""``te/<entity>/e/<type>`` -> SmartREST 400 or ``c8y/event/events/create`` (tedge.md §6.4).

Payload optional: ``text`` (default: the type), ``time`` (default: now), ``type`` (overrides the topic
type; ``ThinEdgeEvent`` when both are empty); other keys are custom fragments.
- the main device without custom fragments -> ``400,<type>,<text>,<time>`` on ``c8y/s/us``;
- otherwise -> JSON, with ``externalSource`` for a child or service.

(Upstream sends an event too large for MQTT over HTTP instead; here it is an error on te/errors.)
"""

from __future__ import annotations

from typing import Any

from c8ylink.core.c8y_topics import EVENT_CREATE
from c8ylink.core.smartrest.messages import create_event
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.payloads import (
    entity_smartrest_topic,
    external_source,
    optional_text,
    parse_json_object,
    resolve_time,
    smartrest_message,
)
from c8ylink.device.mapper.entities import Entity, EntityKind
from c8ylink.device.mapper.message import Message

DEFAULT_EVENT_TYPE = "ThinEdgeEvent"


def convert_event(entity: Entity, event_type: str, payload: bytes, ctx: Context) -> list[Message]:
    config = ctx.config
    data = parse_json_object(payload, "an event") if payload.strip() else {}
    kind = optional_text(data, "type", event_type or DEFAULT_EVENT_TYPE)
    text = optional_text(data, "text", kind)
    time = resolve_time(data.get("time"), ctx.now)
    extras: dict[str, Any] = {
        key: value for key, value in data.items() if key not in ("type", "text", "time")
    }
    if entity.kind is EntityKind.MAIN_DEVICE and not extras:
        return [smartrest_message(entity_smartrest_topic(config, entity), [create_event(kind, text, time)])]
    body = {"type": kind, "text": text, "time": time, **extras, **external_source(entity)}
    return [Message.json(config.cloud_topic(EVENT_CREATE), body)]
