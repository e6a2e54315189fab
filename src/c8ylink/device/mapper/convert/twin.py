"""``te/<entity>/twin/<fragment>`` (retained) -> ``c8y/inventory/managedObjects/update/<xid>`` (§6.6).

Any JSON value becomes ``{"<fragment>": <value>}``; an empty payload sends ``null`` (removes the
fragment). ``firmware`` and ``agent`` are renamed ``c8y_Firmware``/``c8y_Agent``; a service's ``type``
is its ``serviceType``. A value identical to the last one sent is not sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.convert.payloads import inventory_update_topic, parse_json
from c8ylink.device.mapper.entities import Entity, EntityKind
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.state import MapperState

RENAMED = {"firmware": "c8y_Firmware", "agent": "c8y_Agent"}


def cloud_fragment_name(entity: Entity, fragment: str) -> str:
    if entity.kind is EntityKind.SERVICE and fragment == "type":
        return "serviceType"
    return RENAMED.get(fragment, fragment)


def convert_twin(
    entity: Entity, fragment: str, payload: bytes, state: MapperState, config: MapperConfig
) -> list[Message]:
    value = parse_json(payload) if payload else None
    return update_fragments(entity, {fragment: value}, state, config)


def update_fragments(
    entity: Entity, fragments: Mapping[str, Any], state: MapperState, config: MapperConfig
) -> list[Message]:
    """One inventory update with the fragments whose value changed (none: no message)."""
    changed: dict[str, Any] = {}
    for fragment, value in fragments.items():
        key = (entity.topic_id, fragment)
        if key in state.twin and state.twin[key] == value:
            continue
        state.twin[key] = value
        changed[cloud_fragment_name(entity, fragment)] = value
    if not changed:
        return []
    return [Message.json(inventory_update_topic(config, entity), changed)]
