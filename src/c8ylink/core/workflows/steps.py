"""What a workflow state's action leads to: the command's next payload (thin-edge.io 1.x rules).

- a script: the exit code picks the handler (``on_exit.<code|range>``, ``on_success`` = 0,
  ``on_error`` = any other, ``on_kill``/``on_timeout`` when killed), or, with ``on_stdout``, the
  ``status`` the script printed. The printed JSON object is merged into the payload, except its
  ``status`` (the handler's wins) and ``reason`` (the script's wins over the handler's);
- ``iterate``: ``@next = {"index", "item"}`` moves through the list (items with ``"skip": true``
  are passed over): ``on_next`` while there is one, then ``on_success``;
- a sub-operation: its init payload from ``input``; once finished, ``output`` fields are added and
  ``on_success``/``on_error`` followed.

An action without the handler it needs fails the command with a reason saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from c8ylink.core.workflows.expressions import CommandState, parse_script_output, render_text, render_value
from c8ylink.core.workflows.spec import StateSpec, Transition, Workflow

FAILED = Transition("failed")


@dataclass(frozen=True, slots=True)
class ScriptResult:
    exit_code: int | None = None  # None when it could not run or was killed
    stdout: str = ""
    stderr: str = ""
    error: str | None = None  # why it could not be run
    killed: bool = False  # stopped at its timeout


def moved(
    command: CommandState, then: Transition, reason: str | None = None, **fields: Any
) -> dict[str, Any]:
    """The payload in state ``then`` (the failure reason: ``reason`` first, then the handler's)."""
    payload = {**command.payload, **fields, "status": then.status}
    why = reason or then.reason
    if why:
        payload["reason"] = why
    elif then.status != "failed":
        payload.pop("reason", None)
    else:
        payload.setdefault("reason", f"{command.operation} failed in state '{command.status}'")
    return payload


def on_error(spec: StateSpec, workflow: Workflow) -> Transition:
    return spec.on_error or workflow.on_error or FAILED


def after_script(spec: StateSpec, workflow: Workflow, command: CommandState, result: ScriptResult,
                 program: str) -> dict[str, Any]:  # fmt: skip
    if result.error is not None:
        return moved(command, on_error(spec, workflow), f"{program} cannot be run: {result.error}")
    if result.killed or result.exit_code is None:
        killed = spec.on_kill or spec.on_timeout or workflow.on_timeout or on_error(spec, workflow)
        return moved(command, killed, killed.reason or f"{program} was killed: it ran past its timeout")
    code = result.exit_code
    printed = parse_script_output(result.stdout) or {}
    extra = {key: value for key, value in printed.items() if key not in ("status", "reason")}
    said = printed.get("reason") if isinstance(printed.get("reason"), str) else None
    then: Transition | None = next(
        (item.then for item in spec.on_exit if item.low <= code <= item.high and item.high - item.low < 255),
        None,
    )
    if then is None and code == 0:
        then = spec.on_success
    if then is None and code == 0:
        status = printed.get("status")
        if isinstance(status, str) and (status in spec.on_stdout or (not spec.on_stdout and status)):
            return moved(command, Transition(status), said, **extra)
        reason = f"{program} did not print the next state" + (
            f" (one of {', '.join(spec.on_stdout)})" if spec.on_stdout else ""
        )
        return moved(command, on_error(spec, workflow), reason, **extra)
    if then is None:
        wildcard = next((item.then for item in spec.on_exit if item.high - item.low >= 255), None)
        then = wildcard or on_error(spec, workflow)
        return moved(command, then, said or then.reason or f"{program} returned exit code {code}", **extra)
    return moved(command, then, said, **extra)


def after_action(spec: StateSpec, workflow: Workflow, command: CommandState,
                 error: str | None = None, **fields: Any) -> dict[str, Any]:  # fmt: skip
    """After a proceed/builtin/await step: ``on_success``, or ``on_error`` with ``error``."""
    if error is not None:
        return moved(command, on_error(spec, workflow), error)
    if spec.on_success is None:
        return moved(command, FAILED, f"state '{spec.name}' of {workflow.source} has no on_success")
    return moved(command, spec.on_success, **fields)


def launched(spec: StateSpec, workflow: Workflow, command: CommandState) -> dict[str, Any]:
    """The state a background action (script, sub-operation, restart) moves to once started."""
    then = spec.on_exec or spec.on_success
    if then is None:
        return moved(command, FAILED, f"state '{spec.name}' of {workflow.source} has no on_exec")
    return moved(command, then)


def iterate(spec: StateSpec, workflow: Workflow, command: CommandState) -> dict[str, Any]:
    path = spec.argument.strip()
    items = render_value(path, command)
    if not isinstance(items, list):
        return moved(command, on_error(spec, workflow), f"{path} is not a list")
    current = command.payload.get("@next")
    index = current["index"] + 1 if isinstance(current, dict) and isinstance(current.get("index"), int) else 0
    while index < len(items) and isinstance(items[index], dict) and items[index].get("skip") is True:
        index += 1
    if index >= len(items):
        fields = {key: value for key, value in command.payload.items() if key != "@next"}
        done = CommandState(command.topic, command.target, command.operation, command.command_id, fields)
        return after_action(spec, workflow, done)
    then = spec.on_next or spec.on_success
    if then is None:
        return moved(command, FAILED, f"state '{spec.name}' of {workflow.source} has no on_next")
    fields = {"@next": {"index": index, "item": items[index]}}
    return moved(command, then, None, **fields)


def sub_operation(spec: StateSpec, command: CommandState, printed: dict[str, Any] | None = None
                  ) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """The operation and init payload of a sub-command (``input_script`` output first, then ``input``)."""
    operation = render_text(spec.argument, command)
    payload: dict[str, Any] = dict(printed or {})
    given = render_value(spec.input, command) if spec.input is not None else {}
    if isinstance(given, dict):
        payload.update(given)
    return operation, {**payload, "status": "init"}


def after_sub_operation(spec: StateSpec, workflow: Workflow, command: CommandState,
                        finished: CommandState) -> dict[str, Any]:  # fmt: skip
    output = render_value(spec.output, finished) if spec.output else {}
    fields = _merged(command.payload, output if isinstance(output, dict) else {})
    fields.pop("status", None)
    if finished.status == "successful":
        return after_action(spec, workflow, command, **fields)
    reason = finished.payload.get("reason")
    why = f"{finished.operation} failed" + (f": {reason}" if isinstance(reason, str) and reason else "")
    then = on_error(spec, workflow)
    return moved(command, then, then.reason or why, **fields)


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged
