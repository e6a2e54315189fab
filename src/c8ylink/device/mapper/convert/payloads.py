"""What every converter needs on the wire: strict JSON in, times, SmartREST and JSON messages out.

Inputs: ``parse_json`` refuses non-UTF-8, invalid JSON and NaN/Infinity (``ConversionError``,
invalid-json); ``parse_json_object`` also wants an object; ``resolve_time`` accepts RFC 3339 text or
Unix seconds and defaults to ``now``.

Outputs: ``smartrest_message`` encodes records thin-edge style (RFC-4180 quoting, 16,000 bytes at
most) on an entity's SmartREST topic; ``external_source`` is the fragment that addresses a child or
service in JSON via MQTT.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from c8ylink.core.c8y_topics import inventory_update, smartrest_upstream
from c8ylink.core.errors import ProtocolError, SmartRestError
from c8ylink.core.smartrest.codec import SMARTREST_MAX_BYTES, THIN_EDGE_STYLE, encode_records
from c8ylink.core.timestamps import format_timestamp, parse_timestamp, timestamp_from_unix
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.entities import Entity, EntityKind
from c8ylink.device.mapper.errors import ConversionError, ErrorKind
from c8ylink.device.mapper.message import Message

MAX_JSON_DEPTH = 64


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(payload: bytes) -> Any:
    """The JSON value of a payload; ``ConversionError`` (invalid-json) for anything else."""
    try:
        value = json.loads(payload.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise ConversionError(ErrorKind.INVALID_JSON, f"Invalid JSON: not UTF-8 ({exc.reason})") from exc
    except RecursionError as exc:
        raise ConversionError(ErrorKind.INVALID_JSON, "Invalid JSON: nested too deeply") from exc
    except ValueError as exc:
        raise ConversionError(ErrorKind.INVALID_JSON, f"Invalid JSON: {exc}") from exc
    _check_json(value)
    return value


def _check_json(value: Any) -> None:
    """No infinite numbers (``1e999``) and at most ``MAX_JSON_DEPTH`` levels; iterative on purpose."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise ConversionError(
                ErrorKind.INVALID_JSON, f"Invalid JSON: nested deeper than {MAX_JSON_DEPTH} levels"
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise ConversionError(ErrorKind.INVALID_JSON, "Invalid JSON: number out of range")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        pending.extend((child, depth + 1) for child in children)


def parse_json_object(payload: bytes, what: str) -> dict[str, Any]:
    value = parse_json(payload)
    if not isinstance(value, dict):
        raise ConversionError(ErrorKind.INVALID_PAYLOAD, f"Invalid JSON: {what} must be a JSON object")
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def resolve_time(value: Any, now: datetime) -> str:
    """The ``time`` of a thin-edge message as sent on: validated RFC 3339 text as given, Unix seconds
    converted, absent means ``now``."""
    if value is None:
        return format_timestamp(now)
    try:
        if isinstance(value, str):
            parse_timestamp(value)
            return value
        if is_number(value):
            return format_timestamp(timestamp_from_unix(value))
    except ProtocolError as exc:
        raise ConversionError(ErrorKind.INVALID_TIMESTAMP, str(exc)) from exc
    raise ConversionError(
        ErrorKind.INVALID_TIMESTAMP, f"Invalid timestamp {value!r}: expected text or a number"
    )


def optional_text(data: dict[str, Any], key: str, default: str) -> str:
    """A string field; absent or empty gives ``default``, another type is invalid."""
    value = data.get(key)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise ConversionError(ErrorKind.INVALID_PAYLOAD, f"Invalid JSON: '{key}' must be a string")
    return value


def entity_smartrest_topic(config: MapperConfig, entity: Entity) -> str:
    """``c8y/s/us`` for the main device, ``c8y/s/us/<xid>`` for the others."""
    is_main = entity.kind is EntityKind.MAIN_DEVICE
    return config.cloud_topic(smartrest_upstream(None if is_main else entity.external_id))


def smartrest_message(topic: str, records: Iterable[Sequence[str]]) -> Message:
    try:
        text = encode_records(records, THIN_EDGE_STYLE, max_bytes=SMARTREST_MAX_BYTES)
    except SmartRestError as exc:
        raise ConversionError(ErrorKind.PAYLOAD_TOO_LARGE, str(exc)) from exc
    return Message.of(topic, text)


def external_source(entity: Entity) -> dict[str, dict[str, str]]:
    """``{"externalSource": ...}`` for a child or service, nothing for the main device."""
    if entity.kind is EntityKind.MAIN_DEVICE:
        return {}
    return {"externalSource": {"externalId": entity.external_id, "type": "c8y_Serial"}}


def inventory_update_topic(config: MapperConfig, entity: Entity) -> str:
    return config.cloud_topic(inventory_update(entity.external_id))
