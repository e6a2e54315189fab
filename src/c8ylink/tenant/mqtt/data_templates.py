"""SmartREST 2xx-4xx: measurements, alarms (identity = source + type) and events (§2.2)."""

from __future__ import annotations

from typing import Any

from c8ylink.tenant.mqtt.devices import DeviceMessageError
from c8ylink.tenant.mqtt.lines import Handler, Line, number, present
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.telemetry import create_event, create_measurements, raise_alarm

SEVERITIES = {301: "CRITICAL", 302: "MAJOR", 303: "MINOR", 304: "WARNING"}


def _series(value: str, unit: str) -> dict[str, Any]:
    reading: dict[str, Any] = {"value": number(value)}
    if unit:
        reading["unit"] = unit
    return reading


def _store_measurement(line: Line, measurement_type: str, fragments: dict[str, Any], time: str) -> None:
    body = {"source": {"id": line.target()}, "type": measurement_type, "time": time, **fragments}
    create_measurements(line.state, line.identity.principal, [body])


def _measurement(line: Line) -> None:
    fragment = line.value("fragment")
    series = {line.value("series"): _series(line.value("value"), line.value("unit"))}
    _store_measurement(line, fragment, {fragment: series}, line.time())


def _measurements(line: Line) -> None:
    fragments: dict[str, dict[str, Any]] = {}
    for group in line.groups:
        fragments.setdefault(group["fragment"], {})[group["series"]] = _series(
            group["value"], group.get("unit", "")
        )
    _store_measurement(line, line.value("type"), fragments, line.time())


def _signal_strength(line: Line) -> None:
    series = {name: _series(line.value(name), unit)
              for name, unit in (("rssi", "dBm"), ("ber", "%")) if line.value(name)}  # fmt: skip
    _store_measurement(line, "c8y_SignalStrength", {"c8y_SignalStrength": series}, line.time())


def _single(fragment: str, field: str, series: str, unit: str) -> Handler:
    def handle(line: Line) -> None:
        reading = {series: _series(line.value(field), unit)}
        _store_measurement(line, fragment, {fragment: reading}, line.time())

    return handle


def _alarm(line: Line) -> None:
    alarm_type = line.value("type")
    body = {
        "source": {"id": line.target()},
        "type": alarm_type,
        "text": line.value("text") or f"Alarm of type {alarm_type} raised",
        "severity": SEVERITIES[line.parsed.spec.id],
        "time": line.time(),
    }
    raise_alarm(line.state, line.identity.principal, body)


def _open_alarm(line: Line) -> dict[str, Any] | None:
    return line.state.alarms.open_alarm(line.target(), line.value("type"))


def _alarm_severity(line: Line) -> None:
    alarm = _open_alarm(line)
    if alarm is None:
        raise DeviceMessageError(41, f"No active alarm of type {line.value('type')}")
    line.state.alarms.update(alarm["id"], {"severity": line.value("severity").upper()}, now=line.state.now())


def _clear_alarm(line: Line) -> None:
    alarm = _open_alarm(line)
    if alarm is not None:
        line.state.alarms.update(alarm["id"], {"status": "CLEARED"}, now=line.state.now())


def _clear_alarm_fragments(line: Line) -> None:
    alarm = _open_alarm(line)
    if alarm is None:
        raise DeviceMessageError(41, f"No active alarm of type {line.value('type')}")
    doomed = {group["fragment"]: None for group in line.groups}
    line.state.alarms.update(alarm["id"], doomed, now=line.state.now())


def _event(line: Line) -> None:
    body = {"source": {"id": line.target()}, "type": line.value("type"), "text": line.value("text"),
            "time": line.time()}  # fmt: skip
    create_event(line.state, line.identity.principal, body)


def _location(*, update_device: bool) -> Handler:
    def handle(line: Line) -> None:
        position = {k: number(v) for k, v in present(dict(line.parsed.values), "lat", "lng", "alt",
                                                        "accuracy").items()}  # fmt: skip
        body = {"source": {"id": line.target()}, "type": "c8y_LocationUpdate", "text": "Location updated",
                "time": line.time(), "c8y_Position": position}  # fmt: skip
        create_event(line.state, line.identity.principal, body)
        if update_device:
            line.update({"c8y_Position": position})

    return handle


def _clear_event_fragments(line: Line) -> None:
    criteria = Criteria(
        equals=(("source.id", frozenset({line.target()})), ("type", frozenset({line.value("type")})))
    )
    events = line.state.events.select(criteria)
    if not events:
        raise DeviceMessageError(41, f"No event of type {line.value('type')}")
    doomed = {group["fragment"]: None for group in line.groups}
    line.state.events.update(events[0]["id"], doomed, now=line.state.now())


def _parameter_update(line: Line) -> None:
    parameters = [{"path": g["path"], "type": g["valueType"], "value": g["value"]} for g in line.groups]
    body = {"source": {"id": line.target()}, "type": "c8y_ParameterUpdate",
            "text": line.value("text") or "Parameter update", "time": line.time(),
            "c8y_ParameterUpdate": {"changeDetect": line.value("changeDetect").lower() == "true",
                                    "parameters": parameters}}  # fmt: skip
    create_event(line.state, line.identity.principal, body)


HANDLERS: dict[int, Handler] = {
    200: _measurement,
    201: _measurements,
    210: _signal_strength,
    211: _single("c8y_TemperatureMeasurement", "temperature", "T", "C"),
    212: _single("c8y_Battery", "battery", "level", "%"),
    301: _alarm,
    302: _alarm,
    303: _alarm,
    304: _alarm,
    305: _alarm_severity,
    306: _clear_alarm,
    307: _clear_alarm_fragments,
    400: _event,
    401: _location(update_device=False),
    402: _location(update_device=True),
    407: _clear_event_fragments,
    408: _parameter_update,
}
