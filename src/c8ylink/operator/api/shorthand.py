"""``--data`` and other ``json`` parameters: a JSON object, or go-c8y-cli's shorthand.

    parse_json_value("data", '{"a": {"b": 1}}')            -> {"a": {"b": 1}}
    parse_json_value("data", "a.b=1,flag=true,name=x y")    -> {"a": {"b": 1}, "flag": True, "name": "x y"}

Shorthand values: numbers, ``true``/``false``, ``null`` (removes a fragment on update), ``{}``, ``[]``,
JSON in braces or brackets, a quoted text (``'1.234'`` stays a string), anything else is text. Commas
inside quotes, braces or brackets do not separate pairs. Pure.
"""

from __future__ import annotations

import json

from c8ylink.core.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

USER_ERROR = 101
_HINT = "give a JSON object ('{\"a\": 1}') or key=value pairs ('a=1,b.c=x')"


def parse_json_value(flag: str, text: str) -> dict[str, Any]:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except ValueError as exc:
            raise UsageError(f"invalid JSON in --{flag}: {exc}: {_HINT}", exit_code=USER_ERROR) from None
        if not isinstance(value, dict):
            raise UsageError(f"--{flag} must be a JSON object: {_HINT}", exit_code=USER_ERROR)
        return value
    if stripped.startswith("["):
        raise UsageError(f"--{flag} must be a JSON object, not a list: {_HINT}", exit_code=USER_ERROR)
    if not stripped:
        return {}
    document: dict[str, Any] = {}
    for pair in split_pairs(stripped):
        key, equals, raw = pair.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"invalid --{flag} {pair!r}: expected key=value: {_HINT}", exit_code=USER_ERROR)
        set_path(document, key.strip(), parse_scalar(flag, raw.strip()))
    return document


def split_pairs(text: str) -> list[str]:
    pairs: list[str] = []
    depth, quote, start = 0, "", 0
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == "," and depth == 0:
            pairs.append(text[start:index])
            start = index + 1
    pairs.append(text[start:])
    return [pair.strip() for pair in pairs if pair.strip()]


def parse_scalar(flag: str, raw: str) -> Any:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    if raw in ("true", "false"):
        return raw == "true"
    if raw == "null":
        return None
    if raw[:1] in "{[":
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise UsageError(f"invalid JSON in --{flag} value {raw!r}: {exc}", exit_code=USER_ERROR) from None
    return parse_number(raw)


def parse_number(raw: str) -> Any:
    if raw[:1].isdigit() or (raw[:1] == "-" and raw[1:2].isdigit()):
        try:
            return int(raw)
        except ValueError:
            try:
                return float(raw)
            except ValueError:
                return raw
    return raw


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """``a.b.c`` -> ``document["a"]["b"]["c"] = value`` (intermediate objects created or replaced)."""
    *parents, leaf = path.split(".")
    target = document
    for part in parents:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[leaf] = value


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A deep merge: objects merge key by key, anything else in ``extra`` wins."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
