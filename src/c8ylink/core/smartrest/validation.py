"""Arity and value checks of SmartREST records, derived from the template table.

``validate_record(spec, fields)`` checks the fields after the template id; ``validate_line(record,
direction)`` also finds the template. Both raise ``SmartRestValidationError`` whose ``code``,
``reference`` and ``reason`` render as an ``s/e`` line, e.g. ``45,201,Wrong number of arguments``.

Rules (cumulocity-api.md §2.1, §2.2):
- trailing empty fields may be omitted and are ignored (``100,,`` is ``100``);
- an optional field may be empty; a mandatory one may not;
- a repeated group may be cut short only by optional members (``140,a,1`` leaves type and url empty);
- values of kind NUMBER, INTEGER, TIME, BOOLEAN, SEVERITY and fields with choices are checked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from c8ylink.core.errors import ProtocolError, SmartRestError
from c8ylink.core.smartrest.templates import Direction, FieldSpec, TemplateSpec, ValueKind, find_template
from c8ylink.core.timestamps import parse_timestamp

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_MESSAGE_ID = re.compile(r"[0-9]{1,5}")
_SEVERITIES = frozenset({"CRITICAL", "MAJOR", "MINOR", "WARNING"})


class SmartRestValidationError(SmartRestError):
    """A record that does not fit its template: ``code`` 43 (unknown id) or 45 (bad arguments)."""

    def __init__(self, code: int, reference: str, reason: str) -> None:
        super().__init__(f"SmartREST {reference}: {reason}")
        self.code = code
        self.reference = reference
        self.reason = reason

    def to_record(self) -> tuple[str, str, str]:
        """The ``s/e`` record: ``(code, reference, reason)``."""
        return (str(self.code), self.reference, self.reason)


def trim_trailing_empty(fields: Sequence[str]) -> tuple[str, ...]:
    """``fields`` without the empty fields at its end."""
    end = len(fields)
    while end and fields[end - 1] == "":
        end -= 1
    return tuple(fields[:end])


def validate_line(record: Sequence[str], direction: Direction) -> TemplateSpec:
    """Find the template of a decoded record (id first) and validate the rest; returns the template."""
    message_id = record[0] if record else ""
    if not _MESSAGE_ID.fullmatch(message_id):
        raise SmartRestValidationError(43, message_id, f"Invalid message identifier: '{message_id}'")
    spec = find_template(message_id, direction)
    if spec is None:
        raise SmartRestValidationError(43, message_id, f"No static template for message id {int(message_id)}")
    validate_record(spec, record[1:])
    return spec


def validate_record(spec: TemplateSpec, fields: Sequence[str]) -> None:
    """Check the fields after the template id against ``spec``."""
    reference = str(spec.id)
    values = trim_trailing_empty(fields)
    if not spec.fields and not spec.group:
        if values:
            raise SmartRestValidationError(45, reference, "No arguments supported")
        return
    fixed = values[: len(spec.fields)]
    for field, value in zip(spec.fields, fixed, strict=False):
        _check_value(spec, field, value)
    for field in spec.fields[len(fixed) :]:
        if field.required:
            raise SmartRestValidationError(45, reference, "Wrong number of arguments")
    _check_groups(spec, values[len(spec.fields) :])
    named = dict(zip((spec_field.name for spec_field in spec.fields), values, strict=False))
    if spec.one_of and not any(named.get(name) for name in spec.one_of):
        raise SmartRestValidationError(45, reference, f"One of {', '.join(spec.one_of)} is required")


def _check_groups(spec: TemplateSpec, rest: Sequence[str]) -> None:
    reference = str(spec.id)
    if not spec.group:
        if rest:
            raise SmartRestValidationError(45, reference, "Wrong number of arguments")
        return
    size = len(spec.group)
    count = math.ceil(len(rest) / size)
    if count < spec.min_groups:
        raise SmartRestValidationError(45, reference, "Wrong number of arguments")
    for start in range(0, len(rest), size):
        chunk = rest[start : start + size]
        for field, value in zip(spec.group, chunk, strict=False):
            _check_value(spec, field, value)
        if any(field.required for field in spec.group[len(chunk) :]):
            raise SmartRestValidationError(45, reference, "Wrong number of arguments")


def _check_value(spec: TemplateSpec, field: FieldSpec, value: str) -> None:
    reference = str(spec.id)
    if value == "":
        if field.required:
            raise SmartRestValidationError(45, reference, f"Missing mandatory argument '{field.name}'")
        return
    if not value_matches(field.kind, value):
        raise SmartRestValidationError(45, reference, f"Value is not a {field.kind.value}: {value}")
    if field.choices and value not in field.choices:
        raise SmartRestValidationError(
            45, reference, f"Value of '{field.name}' must be one of {'|'.join(field.choices)}: {value}"
        )
    if field.bounds is not None and not _within(value, field.bounds):
        low, high = field.bounds
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise SmartRestValidationError(
            45, reference, f"Value of '{field.name}' must be between {low} and {high}: {shown}"
        )


def _within(value: str, bounds: tuple[int, int]) -> bool:
    """An INTEGER text in ``bounds``; checked on its length first (no huge-number conversion)."""
    if len(value.lstrip("+-")) > 20:
        return False
    return bounds[0] <= int(value) <= bounds[1]


def value_matches(kind: ValueKind, value: str) -> bool:
    """Whether a non-empty ``value`` is of ``kind``."""
    if kind is ValueKind.STRING:
        return True
    if kind is ValueKind.NUMBER:
        return bool(_NUMBER.fullmatch(value)) and math.isfinite(float(value))
    if kind is ValueKind.INTEGER:
        return bool(_INTEGER.fullmatch(value))
    if kind is ValueKind.BOOLEAN:
        return value.lower() in ("true", "false")
    if kind is ValueKind.SEVERITY:
        return value.upper() in _SEVERITIES
    try:
        parse_timestamp(value)
    except ProtocolError:
        return False
    return True
