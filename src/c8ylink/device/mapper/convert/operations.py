"""Cloud operations -> thin-edge commands, and command status -> SmartREST (tedge.md §6.8).

Operations arrive as JSON on ``c8y/devicecontrol/notifications`` (one per line; the default) or, with
``OperationSource.SMARTREST``, as ``510``/``528``/``529`` lines on ``c8y/s/ds`` (Cumulocity sends
each operation on both channels, so the mapper reads one). The target is the entity whose external
id the operation names (``externalSource.externalId`` / the line's target; the main device if the
JSON has none). Handled: ``c8y_Restart`` -> ``restart``, ``c8y_SoftwareUpdate`` ->
``software_update``, the configuration and log operations (``convert.file_operations``),
``c8y_Firmware`` -> ``firmware_update`` and ``c8y_DeviceProfile`` -> ``device_profile``
(``convert.firmware_profile``), each gated by its ``c8y.enable.*`` flag.

The command is a retained ``{"status": "init", ...}`` on ``te/<entity>/cmd/<op>/c8y-mapper-<op id>``;
an operation id seen in the last 12 h (1 h once finished) is ignored, and so is one whose command is
still there (retained, read back after a mapper restart): a restart does not run twice. The agent
then moves the status on, and the mapper answers on the entity's SmartREST topic:

    executing  -> 504,<op id>            (501,<fragment> without operation ids)
    successful -> 506,<op id>            (503,<fragment>)       then clears the command topic
    failed     -> 505,<op id>,<reason>   (502,<fragment>,<reason>; reason cut to 500 bytes), then clears

A finished command's log (``logPath``) is uploaded first when ``c8y.operations.auto_log_upload``
asks for it (``convert.operation_logs``). A finished software_update or device_profile also starts a
software_list command; a successful
firmware_update sets ``c8y_Firmware``, a successful device_profile ``c8y_Profile``. An operation for
an external id the mapper does not know is reported on te/errors and, with operation ids, failed in
the cloud.
"""

from __future__ import annotations

from typing import Any

from c8ylink.core.c8y_topics import DEVICECONTROL_NOTIFICATIONS, smartrest_upstream
from c8ylink.core.errors import C8yLinkError
from c8ylink.core.mqtt.topic import TopicError, topic_level_problem
from c8ylink.core.smartrest.codec import decode_record, split_records
from c8ylink.core.smartrest.messages import (
    set_executing,
    set_executing_fragment,
    set_failed,
    set_failed_fragment,
    set_successful,
    set_successful_fragment,
)
from c8ylink.core.smartrest.operations import parse_operation
from c8ylink.core.topics import Command, topic_for, validate_external_id
from c8ylink.device.mapper.config import OperationSource
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.capabilities import (
    OperationSpec,
    is_enabled,
    operation_for_command,
    operation_for_fragment,
    request_software_list,
)
from c8ylink.device.mapper.convert.custom_operations import (
    OperationTemplate,
    custom_fragment,
    start_json_operation,
    start_smartrest_operation,
    template_for_fragment,
    template_for_record,
    workflow_result_parameters,
)
from c8ylink.device.mapper.convert.deadlines import child_firmware_deadline
from c8ylink.device.mapper.convert.file_operations import (
    FILE_COMMANDS,
    UPLOADED,
    delete_after_update,
    start_file_command,
    upload_snapshot,
)
from c8ylink.device.mapper.convert.firmware_profile import (
    build_firmware_request,
    build_profile_request,
    finished_messages,
)
from c8ylink.device.mapper.convert.operation_logs import with_operation_log
from c8ylink.device.mapper.convert.payloads import (
    entity_smartrest_topic,
    parse_json,
    parse_json_object,
    smartrest_message,
)
from c8ylink.device.mapper.convert.software import build_update_request, software_list_messages
from c8ylink.device.mapper.entities import Entity
from c8ylink.device.mapper.errors import ConversionError, ErrorKind, build_error_message
from c8ylink.device.mapper.message import Message

HANDLED_COMMANDS = ("restart", "software_update", "firmware_update", "device_profile", *FILE_COMMANDS)
FINISHED_STATUSES = ("SUCCESSFUL", "FAILED")


# --------------------------------------------------------------------------------------------- cloud -> te


def convert_operation_notifications(message: Message, ctx: Context) -> list[Message]:
    """Each JSON operation of a ``devicecontrol/notifications`` message; a bad line does not stop the rest."""
    if ctx.config.operation_source is not OperationSource.JSON:
        return []
    messages: list[Message] = []
    for line in message.payload.split(b"\n"):
        if not line.strip():
            continue
        try:
            operation = parse_json(line)
            if not isinstance(operation, dict):
                raise ConversionError(
                    ErrorKind.INVALID_PAYLOAD, "Invalid JSON: an operation must be an object"
                )
            messages.extend(_convert_json_operation(operation, ctx))
        except C8yLinkError as exc:
            messages.append(_error(message.topic, exc, ctx))
    return messages


def _convert_json_operation(operation: dict[str, Any], ctx: Context) -> list[Message]:
    operation_id = operation.get("id")
    if not isinstance(operation_id, str | int) or isinstance(operation_id, bool) or operation_id == "":
        raise ConversionError(ErrorKind.INVALID_PAYLOAD, "Invalid operation: no 'id'")
    operation_id = str(operation_id)
    problem = topic_level_problem(operation_id)  # it becomes the last level of the command's topic
    if problem is not None:
        reason = f"Invalid operation id {ascii(operation_id)[:200]}: {problem}"
        raise ConversionError(ErrorKind.INVALID_PAYLOAD, reason)
    if operation.get("status") in FINISHED_STATUSES or ctx.state.operations.is_known(operation_id, ctx.now):
        return []
    source = operation.get("externalSource")
    external_id = source.get("externalId") if isinstance(source, dict) else ctx.state.entities.main_device_id
    if not isinstance(external_id, str):
        raise ConversionError(
            ErrorKind.INVALID_PAYLOAD, f"Invalid operation {operation_id}: bad externalSource"
        )
    entity = ctx.state.entities.by_external_id(external_id)
    if entity is None:
        return _unknown_target(operation_id, external_id, ctx)
    template = template_for_fragment(operation, ctx)
    if template is not None:
        return start_json_operation(entity, template, operation, operation_id, ctx)
    fragment = next((key for key in operation if _handled(key)), None)
    if fragment is None:
        names = ", ".join(key for key in operation if key.startswith("c8y_")) or "none"
        raise _unsupported(
            f"Operation {operation_id} has no fragment the mapper handles (fragments: {names})"
        )
    try:
        return _start_command(entity, fragment, operation[fragment], operation_id, ctx, operation=operation)
    except ConversionError as exc:
        if exc.kind is not ErrorKind.INVALID_PAYLOAD:
            raise
        return _fail_unconvertible(entity, fragment, operation_id, exc, ctx)


def _handled(fragment: str) -> bool:
    spec = operation_for_fragment(fragment)
    return spec is not None and spec.command in HANDLED_COMMANDS


def _unknown_target(operation_id: str, external_id: str, ctx: Context) -> list[Message]:
    reason = f"Operation {operation_id} is for {external_id}, an entity the mapper does not know"
    messages = [_error(ctx.config.cloud_topic(DEVICECONTROL_NOTIFICATIONS), _unknown(reason), ctx)]
    try:
        topic = ctx.config.cloud_topic(smartrest_upstream(validate_external_id(external_id)))
    except TopicError:
        return messages
    if ctx.config.use_operation_id:
        ctx.state.operations.start(operation_id, ctx.now)
        ctx.state.operations.finish(operation_id, ctx.now)
        messages.append(smartrest_message(topic, [set_failed(operation_id, reason)]))
    return messages


def _start_command(
    entity: Entity,
    fragment: str,
    value: Any,
    operation_id: str,
    ctx: Context,
    *,
    operation: dict[str, Any] | None = None,  # the whole JSON operation (a profile's name and id)
) -> list[Message]:
    spec = operation_for_fragment(fragment)
    assert spec is not None  # only handled fragments get here
    if not is_enabled(spec, ctx.config):
        raise _unsupported(
            f"Operation {operation_id} ({fragment}) is disabled: c8y.enable.{spec.flag} is false"
        )
    if spec.command in FILE_COMMANDS:
        messages = start_file_command(entity, spec, value, operation_id, ctx)
        ctx.state.operations.start(operation_id, ctx.now)
        return messages
    payload: dict[str, Any] = {"status": "init"}
    if spec.command == "software_update":
        payload = build_update_request(value, ctx.config)
    elif spec.command == "firmware_update":
        payload = build_firmware_request(value, ctx.config)
    elif spec.command == "device_profile":
        payload = build_profile_request(value, operation or {}, ctx.config)
    command = Command(spec.command, f"{ctx.config.command_id_prefix}{operation_id}")
    ctx.state.operations.start(operation_id, ctx.now)
    topic = topic_for(ctx.config.topic_root, entity.topic_id, command)
    messages = [Message.json(topic, payload, retain=True)]
    if spec.command == "firmware_update":  # firmware.child.update.timeout
        messages += child_firmware_deadline(entity, operation_id, topic, str(payload.get("name", "")), ctx)
    return messages


def _fail_unconvertible(
    entity: Entity, fragment: str, operation_id: str, exc: ConversionError, ctx: Context
) -> list[Message]:
    """An operation the mapper cannot turn into a command: reported on te/errors and failed in the
    cloud (``501`` then ``502`` with the reason, as thin-edge does), so it does not stay PENDING."""
    ctx.state.operations.start(operation_id, ctx.now)
    ctx.state.operations.finish(operation_id, ctx.now)
    topic = entity_smartrest_topic(ctx.config, entity)
    records = [set_executing_fragment(fragment), set_failed_fragment(fragment, str(exc))]
    return [_error(ctx.config.cloud_topic(DEVICECONTROL_NOTIFICATIONS), exc, ctx),
            *(smartrest_message(topic, [record]) for record in records)]  # fmt: skip


def convert_smartrest_operations(message: Message, ctx: Context) -> list[Message]:
    """Operation lines on ``c8y/s/ds``: those of operation templates (``on_message``) always, the others
    only with ``OperationSource.SMARTREST``."""
    from_smartrest = ctx.config.operation_source is OperationSource.SMARTREST
    if not from_smartrest and not ctx.state.templates:
        return []
    messages: list[Message] = []
    for line, text in split_records(message.payload):
        try:
            record = decode_record(text, line=line)
            template = template_for_record(record[0], ctx)
            if template is not None and template.command is not None:
                messages.extend(_start_smartrest_template(template, record, text, ctx))
                continue
            if not from_smartrest or not record[0].startswith("5"):
                continue  # replies (106, 124, ...) are not operations
            operation = parse_operation(record)
            entity = ctx.state.entities.by_external_id(operation.target)
            if entity is None:
                raise _unknown(
                    f"Operation {record[0]} is for {operation.target}, an entity the mapper does not know"
                )
            if not _handled(operation.fragment):
                raise _unsupported(f"SmartREST operation {record[0]} ({operation.fragment}) is not handled")
            command_id = ctx.state.next_command_id(ctx.config, ctx.now)[len(ctx.config.command_id_prefix) :]
            messages.extend(_start_command(entity, operation.fragment, operation.value, command_id, ctx))
        except C8yLinkError as exc:
            messages.append(_error(message.topic, exc, ctx))
    return messages


def _start_smartrest_template(
    template: OperationTemplate, record: tuple[str, ...], text: str, ctx: Context
) -> list[Message]:
    target = record[1] if len(record) > 1 else ctx.state.entities.main_device_id
    entity = ctx.state.entities.by_external_id(target)
    if entity is None:
        raise _unknown(f"Operation {record[0]} is for {target}, an entity the mapper does not know")
    return start_smartrest_operation(entity, template, text, ctx)


# --------------------------------------------------------------------------------------------- te -> cloud


def convert_command(entity: Entity, command: Command, payload: bytes, ctx: Context) -> list[Message]:
    """A status change of a command the mapper started (``c8y-mapper-...``); others are not its business."""
    prefix = ctx.config.command_id_prefix
    if not command.command_id.startswith(prefix) or not payload:
        return []
    data = parse_json_object(payload, "a command")
    status = data.get("status")
    operation_id = command.command_id[len(prefix) :]
    if operation_id in ctx.state.operations.expired:
        return []  # failed by its deadline (convert.deadlines): too late
    if status not in ("successful", "failed") and not ctx.state.operations.is_known(operation_id, ctx.now):
        ctx.state.operations.start(operation_id, ctx.now)  # a retained command read back after a restart
    if command.operation == "software_list":
        return _software_list_status(entity, command, status, data, ctx)
    spec = operation_for_command(command.operation)
    fragment = custom_fragment(data)
    if fragment is not None:  # started from an operation template's workflow
        spec = OperationSpec(command.operation, fragment, "")
    if spec is None or status not in ("executing", "successful", "failed"):
        return []
    if spec.command in UPLOADED and status == "successful":  # reported once the file is in the cloud
        topic = topic_for(ctx.config.topic_root, entity.topic_id, command)
        upload = upload_snapshot(entity, spec, operation_id, command_topic=topic, data=data, ctx=ctx)
        return with_operation_log(entity, command.operation, data, [upload], ctx)
    record = _status_record(spec, operation_id, status, data, ctx)
    messages = [smartrest_message(entity_smartrest_topic(ctx.config, entity), [record])]
    if status == "executing":
        return messages
    messages.append(_clear(entity, command, ctx))
    ctx.state.operations.finish(operation_id, ctx.now)
    if status == "successful":
        messages.extend(finished_messages(entity, spec.command, data, ctx))
    if spec.command in ("software_update", "device_profile"):
        messages.append(request_software_list(entity, ctx))
    elif spec.command == "config_update":
        messages.extend(delete_after_update(data, ctx))
    return with_operation_log(entity, command.operation, data, messages, ctx)


def _status_record(
    spec: OperationSpec, operation_id: str, status: str, data: dict[str, Any], ctx: Context
) -> tuple[str, ...]:
    by_id = ctx.config.use_operation_id and ctx.config.operation_source is OperationSource.JSON
    reason = data["reason"] if isinstance(data.get("reason"), str) else ""
    if status == "executing":
        return set_executing(operation_id) if by_id else set_executing_fragment(spec.fragment)
    if status == "successful":
        results = workflow_result_parameters(data)
        return (
            set_successful(operation_id, *results)
            if by_id
            else set_successful_fragment(spec.fragment, *results)
        )
    return set_failed(operation_id, reason) if by_id else set_failed_fragment(spec.fragment, reason)


def _software_list_status(
    entity: Entity, command: Command, status: Any, data: dict[str, Any], ctx: Context
) -> list[Message]:
    if status == "successful":
        return [*software_list_messages(entity, data, ctx), _clear(entity, command, ctx)]
    if status == "failed":
        return [_clear(entity, command, ctx)]
    return []


def _clear(entity: Entity, command: Command, ctx: Context) -> Message:
    """The empty retained message that removes a finished command."""
    return Message(topic_for(ctx.config.topic_root, entity.topic_id, command), b"", retain=True)


def _error(topic: str, exc: C8yLinkError, ctx: Context) -> Message:
    error = exc if isinstance(exc, ConversionError) else ConversionError(ErrorKind.INVALID_PAYLOAD, str(exc))
    return build_error_message(ctx.config, topic, error, ctx.now)


def _unknown(reason: str) -> ConversionError:
    return ConversionError(ErrorKind.UNKNOWN_ENTITY, reason)


def _unsupported(reason: str) -> ConversionError:
    return ConversionError(ErrorKind.UNSUPPORTED_OPERATION, reason)
