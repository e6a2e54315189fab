"""Downstream operation lines (5xx on ``s/ds``) <-> Cumulocity operation fragments (cumulocity-api.md §2.3).

- ``render_operation(operation, target)``: the tenant turns an operation (REST/JSON form) into the
  record it pushes on ``s/ds``, e.g. ``{"c8y_Restart": {}}`` -> ``("510", "<target>")``.
- ``parse_operation(record)``: the device side turns a received record back into the fragment,
  e.g. ``("528", "dev", "nginx", "1.2", "", "install")`` ->
  ``DownstreamOperation(528, "dev", "c8y_SoftwareUpdate", [{"name": "nginx", ...}])``.

Shapes: fixed fields become an object keyed by field name (INTEGER fields as JSON numbers, empty
optional fields left out); repeated groups become a list of such objects (519: a list of states);
527 (``c8y_DeviceProfile``) has its own ``$FW``/``$SW``/``$CONF`` sections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from c8ylink.core.errors import SmartRestError
from c8ylink.core.smartrest.codec import Record
from c8ylink.core.smartrest.messages import build_record, format_number, parse_record
from c8ylink.core.smartrest.templates import (
    Direction,
    FieldSpec,
    TemplateSpec,
    ValueKind,
    downstream_for_fragment,
    template_named,
)

JsonValue = Any

_PROFILE_MARKERS = ("$FW", "$SW", "$CONF")
_FIRMWARE_KEYS = ("name", "version", "url", "isPatch", "dependency")
_SOFTWARE_KEYS = ("name", "version", "url", "action")
_CONFIG_KEYS = ("url", "type")


@dataclass(frozen=True, slots=True)
class DownstreamOperation:
    """An operation received as SmartREST: template id, target external id and the JSON fragment."""

    template_id: int
    target: str
    fragment: str
    value: JsonValue


# --------------------------------------------------------------------------------------------- parse


def parse_operation(record: Sequence[str]) -> DownstreamOperation:
    """A validated 5xx record as its fragment; ``SmartRestError`` for anything else."""
    parsed = parse_record(record, Direction.DOWNSTREAM)
    spec = parsed.spec
    if spec.fragment is None:
        raise SmartRestError(f"SmartREST {spec.id} is not an operation template")
    target = parsed["target"]
    value: JsonValue
    if spec.id == 527:
        value = _parse_profile([group["item"] for group in parsed.groups])
    elif spec.id == 519:
        value = [group["state"] for group in parsed.groups]
    elif spec.group:
        value = [_object(spec.group, group) for group in parsed.groups]
    else:
        value = _object(spec.fields[1:], parsed.values)
    return DownstreamOperation(spec.id, target, spec.fragment, value)


def _object(fields: Sequence[FieldSpec], values: Mapping[str, str]) -> dict[str, JsonValue]:
    result: dict[str, JsonValue] = {}
    for spec_field in fields:
        text = values.get(spec_field.name, "")
        if text == "":
            continue
        result[spec_field.name] = int(text) if spec_field.kind is ValueKind.INTEGER else text
    return result


def _parse_profile(items: Sequence[str]) -> dict[str, JsonValue]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for item in items:
        if item in _PROFILE_MARKERS:
            current = sections.setdefault(item, [])
        elif current is None:
            raise SmartRestError(f"SmartREST 527: '{item}' before the first section marker")
        else:
            current.append(item)
    profile: dict[str, JsonValue] = {}
    firmware = dict(zip(_FIRMWARE_KEYS, sections.get("$FW", []), strict=False))
    if any(firmware.values()):
        profile["firmware"] = {key: value for key, value in firmware.items() if value}
    software = _chunks(sections.get("$SW", []), _SOFTWARE_KEYS)
    if software:
        profile["software"] = software
    configuration = _chunks(sections.get("$CONF", []), _CONFIG_KEYS)
    if configuration:
        profile["configuration"] = configuration
    return profile


def _chunks(items: Sequence[str], keys: Sequence[str]) -> list[dict[str, str]]:
    size = len(keys)
    starts = range(0, len(items), size)
    rows = [dict(zip(keys, items[start : start + size], strict=False)) for start in starts]
    return [{key: value for key, value in row.items() if value} for row in rows]


# --------------------------------------------------------------------------------------------- render


def render_operation(operation: Mapping[str, JsonValue], target: str) -> Record | None:
    """The ``s/ds`` record for the first fragment of ``operation`` that has a static template.

    ``None`` when no fragment has one (such operations travel only as JSON); ``SmartRestError`` when
    the fragment has the wrong shape for its template.
    """
    for fragment, value in operation.items():
        if not downstream_for_fragment(fragment):
            continue
        spec = _choose_template(fragment, value)
        return _render(spec, value, target)
    return None


def _choose_template(fragment: str, value: JsonValue) -> TemplateSpec:
    """Two templates share some fragments; the fields present decide (§2.3)."""
    if fragment == "c8y_Firmware":
        return template_named("firmware_patch" if _has(value, "dependency") else "firmware")
    if fragment == "c8y_DownloadConfigFile":
        typed = _has(value, "type")
        return template_named("download_typed_configuration" if typed else "download_configuration")
    if fragment == "c8y_UploadConfigFile":
        typed = _has(value, "type")
        return template_named("upload_typed_configuration" if typed else "upload_configuration")
    if fragment == "c8y_SoftwareUpdate":
        typed = isinstance(value, list) and any(_has(item, "softwareType") for item in value)
        return template_named("advanced_software_update" if typed else "software_update")
    return downstream_for_fragment(fragment)[0]


def _has(value: JsonValue, key: str) -> bool:
    return isinstance(value, Mapping) and value.get(key) not in (None, "")


def _render(spec: TemplateSpec, value: JsonValue, target: str) -> Record:
    if spec.id == 527:
        items = _render_profile(value, spec)
        return build_record(spec, {"target": target}, [{"item": item} for item in items])
    if spec.id == 519:
        states = _expect(value, list, spec)
        return build_record(spec, {"target": target}, [{"state": _text(state)} for state in states])
    if spec.group:
        items = _expect(value, list, spec)
        groups = [_values(spec.group, _expect(item, Mapping, spec)) for item in items]
        return build_record(spec, {"target": target}, groups)
    values = _values(spec.fields[1:], _expect(value, Mapping, spec))
    return build_record(spec, {"target": target, **values})


def _values(fields: Sequence[FieldSpec], value: Mapping[str, JsonValue]) -> dict[str, str]:
    return {spec_field.name: _text(value.get(spec_field.name)) for spec_field in fields}


def _render_profile(value: JsonValue, spec: TemplateSpec) -> list[str]:
    profile = _expect(value, Mapping, spec)
    firmware = _expect(profile.get("firmware") or {}, Mapping, spec)
    items = ["$FW", *(_text(firmware.get(key)) for key in _FIRMWARE_KEYS), "$SW"]
    for module in _expect(profile.get("software") or [], list, spec):
        items.extend(_text(_expect(module, Mapping, spec).get(key)) for key in _SOFTWARE_KEYS)
    items.append("$CONF")
    for config in _expect(profile.get("configuration") or [], list, spec):
        items.extend(_text(_expect(config, Mapping, spec).get(key)) for key in _CONFIG_KEYS)
    return items


def _expect(value: JsonValue, kind: type, spec: TemplateSpec) -> Any:
    if not isinstance(value, kind):
        shape = "a list" if kind is list else "an object"
        raise SmartRestError(f"{spec.fragment} must be {shape} to render SmartREST {spec.id}")
    return value


def _text(value: JsonValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)
