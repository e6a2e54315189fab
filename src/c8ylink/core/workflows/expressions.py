"""``${...}`` expressions of workflow files and the JSON a script prints (thin-edge.io 1.x).

- ``${.}``: ``{"topic": ..., "payload": ...}``; ``${.topic}``: the command topic; ``${.topic.target}``:
  the entity (``device/main//``); ``${.topic.operation}``, ``${.topic.cmd_id}``;
- ``${.payload}``: the whole payload; ``${.payload.x.y}``: a value in it. A string is inserted as is,
  any other value as JSON; an unknown path is left unchanged.

A value that is exactly one expression (``input.url = "${.payload.url}"``) keeps its JSON type.
A script's result is the JSON object printed between ``:::begin-tedge:::`` and ``:::end-tedge:::``
(or its whole output when that is a JSON object).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from typing import Any

from c8ylink.core.errors import ConfigError

_EXPRESSION = re.compile(r"\$\{(\.[^}]*)\}")
_BEGIN, _END = ":::begin-tedge:::", ":::end-tedge:::"
_MISSING = object()


@dataclass(frozen=True, slots=True)
class CommandState:
    """A command as a workflow sees it: where it is published and its current payload."""

    topic: str
    target: str  # the entity topic id, "device/main//"
    operation: str
    command_id: str
    payload: dict[str, Any]

    @property
    def status(self) -> str:
        status = self.payload.get("status")
        return status if isinstance(status, str) else ""


def lookup(state: CommandState, path: str) -> Any:
    """The value of ``.topic...``/``.payload...``, or ``_MISSING``."""
    if path == ".":
        return {"topic": state.topic, "payload": state.payload}
    parts = path.lstrip(".").split(".")
    if parts[0] == "topic":
        topic = {"": state.topic, "target": state.target, "operation": state.operation,
                 "cmd_id": state.command_id}  # fmt: skip
        return topic.get(".".join(parts[1:]), _MISSING)
    if parts[0] != "payload":
        return _MISSING
    value: Any = state.payload
    for part in parts[1:]:
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def render_text(template: str, state: CommandState) -> str:
    """Every expression of ``template`` replaced by its text."""

    def replace(match: re.Match[str]) -> str:
        value = lookup(state, match.group(1))
        return match.group(0) if value is _MISSING else _text(value)

    return _EXPRESSION.sub(replace, template)


def render_value(template: Any, state: CommandState) -> Any:
    """A TOML value with its expressions resolved; one whole expression keeps its JSON type."""
    if isinstance(template, dict):
        return {key: render_value(item, state) for key, item in template.items()}
    if isinstance(template, list):
        return [render_value(item, state) for item in template]
    if not isinstance(template, str):
        return template
    whole = _EXPRESSION.fullmatch(template)
    if whole is not None:
        value = lookup(state, whole.group(1))
        return template if value is _MISSING else value
    return render_text(template, state)


def render_command(command_line: str, state: CommandState) -> list[str]:
    """A script's argument vector: the line split as a shell would, then each word rendered (a JSON
    payload stays one argument)."""
    try:
        words = shlex.split(command_line)
    except ValueError as exc:
        raise ConfigError(f"Invalid command line {command_line!r}: {exc}") from exc
    if not words:
        raise ConfigError("Empty command line")
    return [render_text(word, state) for word in words]


def parse_script_output(stdout: str) -> dict[str, Any] | None:
    """The JSON object a script hands back, if any."""
    text = stdout
    start = stdout.find(_BEGIN)
    if start >= 0:
        end = stdout.find(_END, start)
        text = stdout[start + len(_BEGIN) : end if end >= 0 else len(stdout)]
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
