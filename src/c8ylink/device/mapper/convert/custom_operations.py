"""Custom operations from operation templates (``<config-dir>/operations/c8y/<name>``, thin-edge.io 1.x).

    [exec]
    topic = "c8y/s/ds"                 # SmartREST: the line starting with on_message ...
    on_message = "511"
    command = "/etc/tedge/operations/command"   # ... is passed as the last argument
    timeout = 10                       # seconds (default 3600), then the command is killed
    result_format = "csv"              # "text" (default): stdout is one field of 503/506; "csv":
                                       # stdout is one CSV record, each of its fields a field

    [exec]                             # JSON over MQTT: the operation holding on_fragment
    on_fragment = "c8y_Command"
    command = "/bin/run ${.payload.c8y_Command.text}"   # ${.payload...}: the operation
    skip_status_update = false

    [exec.workflow]                    # or the agent runs it: a te command of that operation
    operation = "command"              # (c8y_X.template files; announced once an entity offers it)
    input.text = "${.payload.c8y_Command.text}"
    output = "${.payload.result}"      # appended to 503/506 when successful

A command is run by the service (a message on ``<prefix>-internal/custom``): executing first, then
``successful`` with its standard output (503/506) or ``failed`` with its standard error or why it
could not run (502/505). A template overrides the builtin handling of its fragment.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from typing import Any

from c8ylink.core.errors import ConfigError
from c8ylink.core.smartrest.messages import (
    set_executing,
    set_executing_fragment,
    set_failed,
    set_failed_fragment,
    set_successful,
    set_successful_fragment,
)
from c8ylink.core.topics import Command, topic_for
from c8ylink.core.workflows.expressions import CommandState, render_command, render_value
from c8ylink.device.mapper.config import MapperConfig, OperationSource
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.payloads import entity_smartrest_topic, smartrest_message
from c8ylink.device.mapper.entities import Entity
from c8ylink.device.mapper.errors import ConversionError, ErrorKind
from c8ylink.device.mapper.message import Message

DEFAULT_TIMEOUT = 3600.0
TEMPLATE_SUFFIX = ".template"
MAPPER_FIELD = "c8y-mapper"


@dataclass(frozen=True, slots=True)
class OperationTemplate:
    name: str  # the Cumulocity operation (the file name without .template)
    on_message: str | None = None
    on_fragment: str | None = None
    command: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    skip_status_update: bool = False
    workflow_operation: str | None = None
    workflow_input: Any = None
    workflow_output: Any = None
    result_format: str = "text"  # text | csv


RESULT_FORMATS = ("text", "csv")


def parse_template(name: str, text: str, *, source: str) -> OperationTemplate | None:
    """The template of an operation file; None for a plain (empty) operation file."""
    if not text.strip():
        return None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from exc
    exec_table = document.get("exec")
    if not isinstance(exec_table, dict):
        return None
    found = exec_table.get("workflow")
    workflow: dict[str, Any] = found if isinstance(found, dict) else {}
    timeout = exec_table.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"{source}: 'exec.timeout' must be a positive number of seconds")
    result_format = exec_table.get("result_format", "text")
    if result_format not in RESULT_FORMATS:
        raise ConfigError(f"{source}: 'exec.result_format' must be 'text' or 'csv', not {result_format!r}")
    template = OperationTemplate(
        name=name.removesuffix(TEMPLATE_SUFFIX),
        on_message=_optional_text(exec_table.get("on_message"), "exec.on_message", source),
        on_fragment=_optional_text(exec_table.get("on_fragment"), "exec.on_fragment", source),
        command=_optional_text(exec_table.get("command"), "exec.command", source),
        timeout=float(timeout),
        skip_status_update=exec_table.get("skip_status_update") is True,
        workflow_operation=_optional_text(workflow.get("operation"), "exec.workflow.operation", source),
        workflow_input=workflow.get("input"),
        workflow_output=workflow.get("output"),
        result_format=str(result_format),
    )
    if template.on_message is None and template.on_fragment is None:
        raise ConfigError(f"{source}: 'exec' needs 'on_message' (SmartREST) or 'on_fragment' (JSON)")
    if template.command is None and template.workflow_operation is None:
        raise ConfigError(f"{source}: 'exec' needs 'command' or 'workflow.operation'")
    return template


def _optional_text(value: Any, key: str, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value).strip() == "":
        raise ConfigError(f"{source}: '{key}' must be a non-empty string")
    return str(value)


def custom_topic(config: MapperConfig) -> str:
    return f"{config.topic_prefix}-internal/custom"


def template_for_fragment(operation: dict[str, Any], ctx: Context) -> OperationTemplate | None:
    return next(
        (template for template in ctx.state.templates.values() if template.on_fragment in operation), None
    )


def template_for_record(record_id: str, ctx: Context) -> OperationTemplate | None:
    return next(
        (template for template in ctx.state.templates.values() if template.on_message == record_id), None
    )


def start_json_operation(
    entity: Entity, template: OperationTemplate, operation: dict[str, Any], operation_id: str, ctx: Context
) -> list[Message]:
    """A JSON operation matched by a template: its command run by the service, or a te command."""
    ctx.state.operations.start(operation_id, ctx.now)
    state = CommandState("", entity.topic_id.value, template.name, operation_id, operation)
    if template.workflow_operation is not None:
        given = render_value(template.workflow_input, state) if template.workflow_input is not None else {}
        if not isinstance(given, dict):
            raise ConversionError(
                ErrorKind.INVALID_PAYLOAD, f"{template.name}: the workflow input must be an object"
            )
        mapper = {"on_fragment": template.on_fragment, "output": template.workflow_output}
        payload = {**given, "status": "init", MAPPER_FIELD: mapper}
        command = Command(template.workflow_operation, f"{ctx.config.command_id_prefix}{operation_id}")
        return [
            Message.json(topic_for(ctx.config.topic_root, entity.topic_id, command), payload, retain=True)
        ]
    try:
        argv = render_command(str(template.command), state)
    except ConfigError as exc:
        raise ConversionError(ErrorKind.INVALID_PAYLOAD, f"{template.name}: {exc}") from exc
    return _run(entity, template, argv, operation_id, ctx)


def start_smartrest_operation(
    entity: Entity, template: OperationTemplate, line: str, ctx: Context
) -> list[Message]:
    """A SmartREST operation line matched by a template: the command with the line as last argument."""
    try:
        argv = [*render_command(str(template.command), CommandState("", "", template.name, "", {})), line]
    except ConfigError as exc:
        raise ConversionError(ErrorKind.INVALID_PAYLOAD, f"{template.name}: {exc}") from exc
    return _run(entity, template, argv, None, ctx)


def _run(
    entity: Entity, template: OperationTemplate, argv: list[str], operation_id: str | None, ctx: Context
) -> list[Message]:
    by_id = operation_id is not None and _by_id(ctx.config)
    topic = entity_smartrest_topic(ctx.config, entity)
    run = {"argv": argv, "timeout": template.timeout, "fragment": template.name, "operationId": operation_id,
           "byId": by_id, "smartrestTopic": topic, "skipStatus": template.skip_status_update,
           "resultFormat": template.result_format}  # fmt: skip
    messages = [Message.json(custom_topic(ctx.config), run)]
    if not template.skip_status_update:
        executing = set_executing(str(operation_id)) if by_id else set_executing_fragment(template.name)
        messages.insert(0, smartrest_message(topic, [executing]))
    return messages


def finish_custom_run(
    run: dict[str, Any], output: str | None, error: str | None, ctx: Context
) -> list[Message]:
    """What follows a command run: 503/506 with its output, or 502/505 with the reason."""
    operation_id = run.get("operationId")
    if operation_id is not None:
        ctx.state.operations.finish(str(operation_id), ctx.now)
    if run.get("skipStatus"):
        return []
    fragment, by_id = str(run["fragment"]), bool(run["byId"])
    result = (output or "").strip()
    fields: tuple[str, ...] = (result,)
    if error is None and run.get("resultFormat") == "csv":
        fields, error = parse_csv_result(result)
    if error is not None:
        record = set_failed(str(operation_id), error) if by_id else set_failed_fragment(fragment, error)
    else:
        record = (
            set_successful(str(operation_id), *fields)
            if by_id
            else set_successful_fragment(fragment, *fields)
        )
    return [smartrest_message(str(run["smartrestTopic"]), [record])]


def parse_csv_result(text: str) -> tuple[tuple[str, ...], str | None]:
    """``result_format = "csv"``: the command's output as one CSV record (its fields), or why it is not."""
    try:
        records = [record for record in csv.reader(io.StringIO(text)) if record]
    except csv.Error as exc:
        return (), f"The command's output is not CSV: {exc}"
    if len(records) > 1:
        return (), f"The command's output is not one CSV record but {len(records)}"
    return (tuple(records[0]) if records else ()), None


def workflow_result_parameters(data: dict[str, Any]) -> tuple[str, ...]:
    """The ``output`` of a template's workflow, rendered from a successful command's payload."""
    mapper = data.get(MAPPER_FIELD)
    output = mapper.get("output") if isinstance(mapper, dict) else None
    if output is None:
        return ()
    value = render_value(output, CommandState("", "", "", "", data))
    values = value if isinstance(value, list) else [value]
    return tuple(item if isinstance(item, str) else str(item) for item in values if item is not None)


def custom_fragment(data: dict[str, Any]) -> str | None:
    """The Cumulocity fragment of a command the mapper started from a template's workflow."""
    mapper = data.get(MAPPER_FIELD)
    fragment = mapper.get("on_fragment") if isinstance(mapper, dict) else None
    return fragment if isinstance(fragment, str) and fragment else None


def _by_id(config: MapperConfig) -> bool:
    return config.use_operation_id and config.operation_source is OperationSource.JSON
