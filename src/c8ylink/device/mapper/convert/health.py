"""``te/<service>/status/health`` -> ``102`` on the parent's topic; availability heartbeats (tedge.md §6).

- Only services are mapped: ``{"status": "up"|"down", ...}`` (mosquitto's bridge notification: ``1``/``0``)
  becomes ``102,<svc xid>,<type>,<name>,<status>`` on the parent's SmartREST topic (thin-edge's code
  upserts with 102; its docs claim 104). A missing status is ``unknown``.
- The cloud bridge coming up again (``mosquitto-c8y-bridge``, ``tedge-mapper-bridge-c8y``) also
  sends ``500``, to fetch the operations that were created meanwhile.
- ``build_heartbeats`` is called by the service every half availability interval
  (``heartbeat_seconds``, as thin-edge: a heartbeat sent just before the interval ends would leave the
  device unavailable for a moment): ``{}`` on the inventory update topic of each device whose health
  endpoint (``@health``, default its tedge-agent) is up.
- ``build_mapper_health`` is the mapper's own retained health message (``up`` once connected; the
  ``down`` one is its MQTT last will).
"""

from __future__ import annotations

from datetime import datetime

from c8ylink.core.c8y_topics import SMARTREST_UPSTREAM
from c8ylink.core.smartrest.messages import create_service, get_pending_operations
from c8ylink.core.timestamps import format_service_time
from c8ylink.core.topics import EntityTopicId, Health, topic_for
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.convert.payloads import (
    entity_smartrest_topic,
    inventory_update_topic,
    parse_json,
    smartrest_message,
)
from c8ylink.device.mapper.entities import Entity, EntityKind
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.state import MapperState

UNKNOWN = "unknown"


def parse_health_status(payload: bytes) -> str:
    stripped = payload.strip()
    if stripped in (b"1", b"0"):
        return "up" if stripped == b"1" else "down"
    value = parse_json(payload)
    status = value.get("status") if isinstance(value, dict) else None
    return status if isinstance(status, str) and status else UNKNOWN


def convert_health(entity: Entity, payload: bytes, state: MapperState, config: MapperConfig) -> list[Message]:
    if not payload:
        return []
    status = parse_health_status(payload)
    state.health[entity.topic_id] = status
    if entity.kind is not EntityKind.SERVICE:
        return []
    parent = state.entities.parent_of(entity) or state.entities.main
    record = create_service(entity.external_id, entity.type, entity.name, status)
    messages = [smartrest_message(entity_smartrest_topic(config, parent), [record])]
    if status == "up" and _is_cloud_bridge(entity, state, config):
        messages.append(smartrest_message(config.cloud_topic(SMARTREST_UPSTREAM), [get_pending_operations()]))
    return messages


def _is_cloud_bridge(entity: Entity, state: MapperState, config: MapperConfig) -> bool:
    return entity.parent == state.entities.main_device and entity.name in config.bridge_service_names


def build_mapper_health(config: MapperConfig, status: str, pid: int, now: datetime | None = None) -> Message:
    """``{"status": ..., "pid": ..., "time": ...}`` on the mapper's health topic, retained; the time in
    Unix seconds or RFC 3339 text (``service.timestamp_format``)."""
    kind, device, _, _ = config.device_topic_id.segments
    service = EntityTopicId(f"{kind}/{device}/service/{config.mapper_service_name}")
    body: dict[str, object] = {"status": status, "pid": pid}
    if now is not None:
        body["time"] = format_service_time(now, config.timestamp_format)
    return Message.json(topic_for(config.topic_root, service, Health()), body, retain=True)


def heartbeat_seconds(config: MapperConfig) -> float:
    """How often the heartbeats go out: half the availability interval; 0 when availability is off."""
    if not config.availability_enabled:
        return 0
    return config.availability_interval_minutes * 60 / 2


def build_heartbeats(state: MapperState, config: MapperConfig) -> list[Message]:
    """The periodic availability heartbeats (empty when availability is disabled)."""
    if not config.availability_enabled:
        return []
    return [
        Message.of(inventory_update_topic(config, entity), "{}")
        for entity in state.entities
        if entity.is_device and entity.health is not None and state.health.get(entity.health) == "up"
    ]
