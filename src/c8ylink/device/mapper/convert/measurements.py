"""``te/<entity>/m/<type>`` -> ``c8y/measurement/measurements/create`` (tedge.md §6.3).

Input: a JSON object; optional ``time`` (RFC 3339 or Unix seconds) and ``type`` (a string, overrides
the topic type); numbers at the top level (single series: fragment = series = key) or objects of
numbers one level deep (a group: fragment = key, series = member). Other string values are ignored;
booleans, arrays, nested groups and strings inside groups are refused, and at least one number is
needed. ``externalSource`` is reserved: a measurement that names it is refused.

Units come from the retained ``te/<entity>/m/<type>/meta`` message: ``{"Temperature": {"unit": "°C"},
"Climate.Humidity": {"unit": "%RH"}}`` (dotted keys address a group's series); an empty payload
clears them.
"""

from __future__ import annotations

from typing import Any

from c8ylink.core.c8y_topics import MEASUREMENT_CREATE
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.payloads import (
    external_source,
    is_number,
    parse_json_object,
    resolve_time,
)
from c8ylink.device.mapper.entities import Entity
from c8ylink.device.mapper.errors import ConversionError, ErrorKind
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.state import MapperState

DEFAULT_MEASUREMENT_TYPE = "ThinEdgeMeasurement"
RESERVED = frozenset({"time", "type"})
RESERVED_REFUSED = "externalSource"  # set by the mapper; a measurement naming it is refused (as upstream)


def convert_measurement(entity: Entity, measurement_type: str, payload: bytes, ctx: Context) -> list[Message]:
    data = parse_json_object(payload, "a measurement")
    if RESERVED_REFUSED in data:
        raise _invalid(f"'{RESERVED_REFUSED}' is a reserved key: the mapper sets the source itself")
    units = ctx.state.units.get((entity.topic_id, measurement_type), {})
    body: dict[str, Any] = {
        **external_source(entity),
        "type": _measurement_type(data, measurement_type),
        "time": resolve_time(data.get("time"), ctx.now),
    }
    count = 0
    for key, value in data.items():
        if key in RESERVED or isinstance(value, str):
            continue
        if is_number(value):
            body[key] = {key: _series(value, units.get(key))}
            count += 1
        elif isinstance(value, dict):
            body[key] = _group(key, value, units)
            count += len(value)
        else:
            raise _invalid(f"'{key}' must be a number or an object of numbers, got {_kind(value)}")
    if count == 0:
        raise _invalid("no measurement value in the message")
    return [Message.json(ctx.config.cloud_topic(MEASUREMENT_CREATE), body)]


def _measurement_type(data: dict[str, Any], topic_type: str) -> str:
    value = data.get("type")
    if value is None:
        return topic_type or DEFAULT_MEASUREMENT_TYPE
    if not isinstance(value, str) or not value:
        raise _invalid("'type' must be a non-empty string")
    return value


def _group(name: str, members: dict[str, Any], units: dict[str, str]) -> dict[str, Any]:
    if not members:
        raise _invalid(f"group '{name}' has no measurement value")
    group: dict[str, Any] = {}
    for series, value in members.items():
        if not is_number(value):
            raise _invalid(f"'{name}.{series}' must be a number, got {_kind(value)}")
        group[series] = _series(value, units.get(f"{name}.{series}"))
    return group


def _series(value: float, unit: str | None) -> dict[str, Any]:
    return {"value": value} if unit is None else {"value": value, "unit": unit}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else type(value).__name__


def _invalid(reason: str) -> ConversionError:
    return ConversionError(ErrorKind.INVALID_PAYLOAD, f"Invalid JSON: {reason}")


def convert_measurement_metadata(
    entity: Entity, measurement_type: str, payload: bytes, state: MapperState
) -> None:
    """Remember (or with an empty payload forget) the units of a measurement type."""
    key = (entity.topic_id, measurement_type)
    if not payload:
        state.units.pop(key, None)
        return
    data = parse_json_object(payload, "measurement metadata")
    units: dict[str, str] = {}
    for name, meta in data.items():
        if isinstance(meta, dict) and isinstance(meta.get("unit"), str):
            units[name] = meta["unit"]
    state.units[key] = units
