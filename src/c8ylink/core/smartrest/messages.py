"""SmartREST records by name: a generic parser/builder driven by the table, and typed builders.

Generic (every template): ``parse_record(record, direction) -> ParsedRecord`` validates a decoded
record and names its values; ``build_record(spec_or_name, values, groups)`` is the inverse.

Typed builders return a ``Record`` (a tuple of fields; encode it with ``codec.encode_record``):
- device side: ``create_child_device`` (101), ``create_service`` (102), ``set_service_status`` (104),
  ``set_supported_operations`` (114), ``set_required_availability`` (117), ``set_supported_logs``
  (118), ``set_supported_configurations`` (119), ``advanced_software_list`` (140/141 in chunks),
  ``create_measurement`` (200), ``create_alarm`` (301-304), ``clear_alarm`` (306),
  ``create_event`` (400), ``get_pending_operations`` (500), operation status by fragment
  (501/502/503: ``set_executing_fragment``...) and by id (504/505/506: ``set_executing``...).
- server side: ``device_token`` (71), ``device_credentials`` (70), ``child_devices`` (106),
  ``device_id`` (124), ``platform_version`` (601), ``supported_templates`` (603), ``error_record``.

Failure reasons are cut to ``MAX_FAILURE_REASON_BYTES`` of UTF-8 (thin-edge's 500), never inside a
character.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from c8ylink.core.smartrest.codec import Record
from c8ylink.core.smartrest.templates import RESPONSE_INTERVAL_BOUNDS, Direction, TemplateSpec, template_named
from c8ylink.core.smartrest.validation import trim_trailing_empty, validate_line, validate_record
from c8ylink.core.timestamps import format_timestamp

MAX_FAILURE_REASON_BYTES = 500
SOFTWARE_LIST_CHUNK = 100  # modules per 140/141 message (thin-edge)

_ALARM_IDS = {"CRITICAL": 301, "MAJOR": 302, "MINOR": 303, "WARNING": 304}

Time = datetime | str | None


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """A validated record: fixed values by field name (empty when absent) and the repeated groups."""

    spec: TemplateSpec
    values: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[Mapping[str, str], ...] = ()

    def __getitem__(self, name: str) -> str:
        return self.values[name]


# --------------------------------------------------------------------------------------------- generic


def parse_record(record: Sequence[str], direction: Direction) -> ParsedRecord:
    """Validate a decoded record (template id first) and name its values."""
    spec = validate_line(record, direction)
    rest = trim_trailing_empty(record[1:])
    values = {spec_field.name: _at(rest, index) for index, spec_field in enumerate(spec.fields)}
    groups: list[Mapping[str, str]] = []
    size = len(spec.group)
    for start in range(len(spec.fields), len(rest), size or 1):
        groups.append({member.name: _at(rest, start + index) for index, member in enumerate(spec.group)})
    return ParsedRecord(spec, values, tuple(groups))


def build_record(
    template: TemplateSpec | str,
    values: Mapping[str, str] | None = None,
    groups: Iterable[Mapping[str, str]] = (),
) -> Record:
    """The record of ``template`` with ``values`` (by field name) and ``groups``; validated.

    Unknown names raise ``KeyError``; trailing empty fields are dropped (the short form).
    """
    spec = template_named(template) if isinstance(template, str) else template
    values = dict(values or {})
    unknown = set(values) - {spec_field.name for spec_field in spec.fields}
    if unknown:
        raise KeyError(f"{spec.name} has no field {', '.join(sorted(unknown))}")
    fields = [values.get(spec_field.name, "") for spec_field in spec.fields]
    for group in groups:
        unknown = set(group) - {member.name for member in spec.group}
        if unknown:
            raise KeyError(f"{spec.name} groups have no field {', '.join(sorted(unknown))}")
        fields.extend(group.get(member.name, "") for member in spec.group)
    validate_record(spec, fields)
    return (str(spec.id), *trim_trailing_empty(fields))


def _at(fields: Sequence[str], index: int) -> str:
    return fields[index] if index < len(fields) else ""


def _time(moment: Time) -> str:
    if moment is None:
        return ""
    return moment if isinstance(moment, str) else format_timestamp(moment)


def format_number(value: float) -> str:
    """A JSON/CSV number: integers without a fraction, floats in their shortest exact form."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def truncate_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` of UTF-8, never inside a character."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


# --------------------------------------------------------------------------------------------- device side


def create_child_device(
    child_id: str, name: str = "", device_type: str = "", is_device: bool | None = None
) -> Record:
    marker = "" if is_device is None else str(is_device).lower()
    values = {"childId": child_id, "name": name, "type": device_type, "isDevice": marker}
    return build_record("create_child_device", values)


def create_service(service_id: str, service_type: str, name: str, status: str) -> Record:
    return build_record(
        "create_service",
        {"serviceId": service_id, "serviceType": service_type, "name": name, "status": status},
    )


def set_service_status(status: str) -> Record:
    return build_record("set_service_status", {"status": status})


def set_supported_operations(operations: Iterable[str]) -> Record:
    return build_record("set_supported_operations", groups=[{"operation": op} for op in operations])


def set_required_availability(minutes: int) -> Record:
    """``117,<minutes>``, the interval shrunk to Cumulocity's range (as the platform does over REST)."""
    low, high = RESPONSE_INTERVAL_BOUNDS
    return build_record("set_required_availability", {"minutes": str(max(low, min(high, minutes)))})


def set_supported_logs(log_types: Iterable[str]) -> Record:
    return build_record("set_supported_logs", groups=[{"logType": name} for name in log_types])


def set_supported_configurations(config_types: Iterable[str]) -> Record:
    return build_record(
        "set_supported_configurations", groups=[{"configType": name} for name in config_types]
    )


def advanced_software_list(
    modules: Sequence[Mapping[str, str]], chunk: int = SOFTWARE_LIST_CHUNK
) -> list[Record]:
    """140 with the first ``chunk`` modules (name, version, softwareType, url), then 141 per further chunk."""
    records = [build_record("set_advanced_software_list", groups=modules[:chunk])]
    for start in range(chunk, len(modules), chunk):
        records.append(build_record("append_advanced_software_list", groups=modules[start : start + chunk]))
    return records


def create_measurement(fragment: str, series: str, value: float, unit: str = "", time: Time = None) -> Record:
    values = {"fragment": fragment, "series": series, "value": format_number(value), "unit": unit}
    return build_record("create_measurement", {**values, "time": _time(time)})


def create_alarm(severity: str, alarm_type: str, text: str = "", time: Time = None) -> Record:
    """301/302/303/304 by ``severity`` (CRITICAL/MAJOR/MINOR/WARNING, any case)."""
    template_id = _ALARM_IDS[severity.upper()]
    spec = {301: "create_critical_alarm", 302: "create_major_alarm", 303: "create_minor_alarm",
            304: "create_warning_alarm"}[template_id]  # fmt: skip
    return build_record(spec, {"type": alarm_type, "text": text, "time": _time(time)})


def clear_alarm(alarm_type: str) -> Record:
    return build_record("clear_alarm", {"type": alarm_type})


def create_event(event_type: str, text: str, time: Time = None) -> Record:
    return build_record("create_event", {"type": event_type, "text": text, "time": _time(time)})


def get_pending_operations() -> Record:
    return build_record("get_pending_operations")


def set_executing(operation_id: str) -> Record:
    """504: the operation with this id is now EXECUTING."""
    return build_record("set_operation_executing_by_id", {"operationId": operation_id})


def set_failed(operation_id: str, reason: str = "") -> Record:
    """505: the operation with this id FAILED; ``reason`` cut to 500 bytes."""
    reason = truncate_utf8(reason, MAX_FAILURE_REASON_BYTES)
    return build_record("set_operation_failed_by_id", {"operationId": operation_id, "failureReason": reason})


def set_successful(operation_id: str, *parameters: str) -> Record:
    """506: the operation with this id is SUCCESSFUL (extra parameters per fragment, §2.2)."""
    groups = [{"parameter": parameter} for parameter in parameters]
    return build_record("set_operation_successful_by_id", {"operationId": operation_id}, groups)


def set_executing_fragment(fragment: str) -> Record:
    """501: the oldest PENDING operation with ``fragment`` is now EXECUTING."""
    return build_record("set_operation_executing", {"fragment": fragment})


def set_failed_fragment(fragment: str, reason: str = "") -> Record:
    """502: the oldest EXECUTING operation with ``fragment`` FAILED; ``reason`` cut to 500 bytes."""
    reason = truncate_utf8(reason, MAX_FAILURE_REASON_BYTES)
    return build_record("set_operation_failed", {"fragment": fragment, "failureReason": reason})


def set_successful_fragment(fragment: str, *parameters: str) -> Record:
    """503: the oldest EXECUTING operation with ``fragment`` is SUCCESSFUL."""
    groups = [{"parameter": parameter} for parameter in parameters]
    return build_record("set_operation_successful", {"fragment": fragment}, groups)


# --------------------------------------------------------------------------------------------- server side


def device_token(token: str) -> Record:
    """71 on ``s/dat``."""
    return build_record("device_token", {"token": token})


def device_credentials(tenant_id: str, username: str, password: str) -> Record:
    """70 on ``s/dcr``."""
    return build_record(
        "device_credentials", {"tenantId": tenant_id, "username": username, "password": password}
    )


def child_devices(children: Iterable[str]) -> Record:
    """106, the reply to 105."""
    return build_record("child_devices", groups=[{"childId": child} for child in children])


def device_id(managed_object_id: str) -> Record:
    """124, the reply to 123."""
    return build_record("device_id", {"managedObjectId": managed_object_id})


def platform_version(version: str) -> Record:
    """601, the reply to 600."""
    return build_record("platform_version", {"version": version})


def supported_templates(template_ids: Iterable[int]) -> Record:
    """603, the reply to 602."""
    return build_record(
        "supported_templates", groups=[{"templateId": str(number)} for number in template_ids]
    )


def error_record(code: int, reference: str, message: str) -> Record:
    """An ``s/e`` line: ``<code>,<reference>,<message>`` (e.g. ``41,100,Device already existing``)."""
    return (str(code), reference, message)
