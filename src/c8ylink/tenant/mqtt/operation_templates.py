"""SmartREST 5xx (device -> platform operation status) and 6xx (platform information), §2.2."""

from __future__ import annotations

from typing import Any

from c8ylink.core.smartrest.messages import platform_version, supported_templates
from c8ylink.core.smartrest.templates import Direction, templates_of
from c8ylink.tenant.mqtt.devices import DeviceMessageError, check_writable, own_device
from c8ylink.tenant.mqtt.downstream import mark_delivered, pending_operations, smartrest_message
from c8ylink.tenant.mqtt.lines import Handler, Line
from c8ylink.tenant.state.devicecontrol import update_operation
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.filters import Criteria

PLATFORM_VERSION = "1018.0.0-c8ylink"


def _select(line: Line, status: str, fragment: str | None) -> list[dict[str, Any]]:
    criteria = Criteria(
        equals=(("deviceId", frozenset({line.target()})), ("status", frozenset({status}))),
        fragment_type=fragment or None,
    )
    return line.state.operations.select(criteria)


def _oldest(line: Line, status: str) -> dict[str, Any]:
    fragment = line.value("fragment")
    found = _select(line, status, fragment)
    if not found:
        raise DeviceMessageError(41, f"No {status} operation with fragment {fragment}")
    return found[0]


def _by_id(line: Line) -> dict[str, Any]:
    operation_id = line.value("operationId")
    try:
        operation = line.state.operations.get(operation_id)
    except TenantApiError as exc:
        raise DeviceMessageError(41, f"No operation with id {operation_id}") from exc
    check_writable(line.state, line.identity, operation["deviceId"])
    return operation


def _move(line: Line, operation: dict[str, Any], body: dict[str, Any]) -> None:
    update_operation(line.state, line.identity.principal, operation["id"], body)


def _results(operation: dict[str, Any], parameters: list[str]) -> dict[str, Any]:
    """503/506 parameters: the command result, the uploaded log file URL (§2.2)."""
    if not parameters:
        return {}
    for fragment, key in (("c8y_Command", "result"), ("c8y_LogfileRequest", "file")):
        if isinstance(operation.get(fragment), dict):
            return {fragment: {**operation[fragment], key: parameters[0]}}
    return {}


def _parameters(line: Line) -> list[str]:
    return [group["parameter"] for group in line.groups]


def _executing(find: Any) -> Handler:
    return lambda line: _move(line, find(line), {"status": "EXECUTING"})


def _failed(find: Any) -> Handler:
    def handle(line: Line) -> None:
        body: dict[str, Any] = {"status": "FAILED"}
        if line.value("failureReason"):
            body["failureReason"] = line.value("failureReason")
        _move(line, find(line), body)

    return handle


def _successful(find: Any) -> Handler:
    def handle(line: Line) -> None:
        operation = find(line)
        _move(line, operation, {"status": "SUCCESSFUL", **_results(operation, _parameters(line))})

    return handle


def _fail_all_executing(line: Line) -> None:
    body: dict[str, Any] = {"status": "FAILED"}
    if line.value("failureReason"):
        body["failureReason"] = line.value("failureReason")
    for operation in _select(line, "EXECUTING", line.value("fragment")):
        _move(line, operation, body)


def _resend_pending(line: Line) -> None:
    agent = own_device(line.state, line.identity)
    assert agent is not None
    for operation in pending_operations(line.state, agent):
        message = smartrest_message(line.state, operation)
        if message is not None:
            line.replies.append(message)
            mark_delivered(line.state, operation)


HANDLERS: dict[int, Handler] = {
    500: _resend_pending,
    501: _executing(lambda line: _oldest(line, "PENDING")),
    502: _failed(lambda line: _oldest(line, "EXECUTING")),
    503: _successful(lambda line: _oldest(line, "EXECUTING")),
    504: _executing(_by_id),
    505: _failed(_by_id),
    506: _successful(_by_id),
    507: _fail_all_executing,
    600: lambda line: line.reply(platform_version(PLATFORM_VERSION)),
    602: lambda line: line.reply(
        supported_templates(sorted(spec.id for spec in templates_of(Direction.UPSTREAM)))
    ),
}
