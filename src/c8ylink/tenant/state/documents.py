"""Helpers shared by the JSON document stores: body checks, server-owned fields, fragment merging."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from c8ylink.tenant.state.errors import missing_fields, validation_error

Document = dict[str, Any]

# set by the server on every resource; ignored/overwritten on input (cumulocity-api.md §4.2 rule 8)
SERVER_FIELDS = frozenset({"id", "self", "creationTime", "lastUpdated", "owner"})


def require_object(body: object, what: str = "request body") -> Document:
    if not isinstance(body, dict):
        raise validation_error(f"The {what} must be a JSON object")
    return body


def require_fields(body: Mapping[str, Any], *names: str) -> None:
    """422 ``Following mandatory fields should be included: a,b`` listing every missing field."""
    missing = [name for name in names if _absent(body, name)]
    if missing:
        raise missing_fields(*missing)


def _absent(body: Mapping[str, Any], dotted: str) -> bool:
    current: Any = body
    for part in dotted.split("."):
        if not isinstance(current, Mapping) or current.get(part) in (None, ""):
            return True
        current = current[part]
    return False


def without(body: Mapping[str, Any], names: Iterable[str]) -> Document:
    excluded = set(names)
    return {key: value for key, value in body.items() if key not in excluded}


def merge_fragments(target: Document, update: Mapping[str, Any], *, skip: Iterable[str] = ()) -> None:
    """Top-level merge: each given fragment replaces the old one, ``null`` removes it."""
    skipped = set(skip)
    for key, value in update.items():
        if key in skipped:
            continue
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value


def source_id_of(body: Mapping[str, Any]) -> str:
    source = body.get("source")
    if not isinstance(source, Mapping) or source.get("id") in (None, ""):
        raise missing_fields("source")
    value = source["id"]
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise validation_error("source.id must be a string")
    return str(value)
