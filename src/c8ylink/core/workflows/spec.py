"""Operation workflows (thin-edge.io 1.x ``/etc/tedge/operations/<op>.toml``), parsed and checked.

    operation = "firmware_update"          # the command this workflow drives
    on_error = "failed"                    # default next state of a failed action
    timeout_second = 600                   # default limit of each action (optional)

    [init]
    action = "proceed"                     # proceed | builtin | cleanup | restart
    on_success = "scheduled"               #   | await-agent-restart | await-operation-completion

    [install]
    script = "/usr/bin/install.sh ${.payload.url}"   # or background_script / operation / iterate
    on_success = "verify"                  # a state name or {status = "...", reason = "..."}
    on_error = { status = "failed", reason = "install failed" }
    on_exit.2-5 = "rollback"               # exit codes (single, range, _ = any other)
    on_stdout = ["a", "b"]                 # the script's output names the next state
    on_exec = "waiting"                    # background_script, operation, restart
    on_next = "apply"                      # iterate

A state with no action key is waited in (another component moves the command on). ``successful`` and
``failed`` are the terminal states; every transition must name a state of the file or one of them,
and ``init`` must be there. A bad file raises ``WorkflowError`` naming the file and what is wrong.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from c8ylink.core.errors import ConfigError

TERMINAL = ("successful", "failed")


class WorkflowError(ConfigError):
    """A workflow file that cannot be used (the agent logs it and ignores the file)."""


class ActionKind(Enum):
    WAIT = "wait"  # no action: another component owns this state
    PROCEED = "proceed"
    BUILTIN = "builtin"
    CLEANUP = "cleanup"
    RESTART = "restart"
    AWAIT_AGENT_RESTART = "await-agent-restart"
    AWAIT_OPERATION = "await-operation-completion"
    SCRIPT = "script"
    BACKGROUND_SCRIPT = "background_script"
    OPERATION = "operation"
    ITERATE = "iterate"


_NAMED_ACTIONS = {kind.value: kind for kind in (
    ActionKind.PROCEED, ActionKind.BUILTIN, ActionKind.CLEANUP, ActionKind.RESTART,
    ActionKind.AWAIT_AGENT_RESTART, ActionKind.AWAIT_OPERATION,
)}  # fmt: skip
_KEYED_ACTIONS = {"script": ActionKind.SCRIPT, "background_script": ActionKind.BACKGROUND_SCRIPT,
                  "background-script": ActionKind.BACKGROUND_SCRIPT, "operation": ActionKind.OPERATION,
                  "iterate": ActionKind.ITERATE}  # fmt: skip
_HANDLERS = ("on_success", "on_error", "on_kill", "on_exec", "on_next", "on_timeout")
_STATE_KEYS = frozenset({"action", *_KEYED_ACTIONS, *_HANDLERS, "on_exit", "on_stdout", "timeout_second",
                         "input", "input_script", "output"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Transition:
    """The next state of a command, with the ``reason`` a failure gets."""

    status: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ExitRange:
    low: int
    high: int
    then: Transition


@dataclass(frozen=True, slots=True)
class StateSpec:
    name: str
    action: ActionKind
    argument: str = ""  # the command line, the operation name or the iterated path
    on_success: Transition | None = None
    on_error: Transition | None = None
    on_exit: tuple[ExitRange, ...] = ()
    on_kill: Transition | None = None
    on_stdout: tuple[str, ...] = ()
    on_exec: Transition | None = None
    on_next: Transition | None = None
    on_timeout: Transition | None = None
    timeout: float | None = None
    input: Any = None  # a sub-operation's init payload (an expression or a table of them)
    input_script: str | None = None
    output: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Workflow:
    operation: str
    states: dict[str, StateSpec]
    on_error: Transition | None = None
    timeout: float | None = None
    on_timeout: Transition | None = None
    source: str = "builtin"

    def state(self, status: str) -> StateSpec | None:
        return self.states.get(status)


def parse_workflow(text: str, *, source: str) -> Workflow:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowError(f"{source}: invalid TOML: {exc}") from exc
    operation = document.get("operation")
    if not isinstance(operation, str) or not operation.strip():
        raise WorkflowError(f"{source}: 'operation' is missing (the command the workflow drives)")
    where = f"{source} ({operation})"
    states: dict[str, StateSpec] = {}
    for name, table in document.items():
        if not isinstance(table, dict):
            continue
        if name == "on_exit":
            raise WorkflowError(f"{where}: 'on_exit' belongs to a state")
        states[name] = _parse_state(name, table, f"{where} [{name}]")
    if "init" not in states:
        raise WorkflowError(f"{where}: the 'init' state is missing")
    workflow = Workflow(
        operation=operation,
        states=states,
        on_error=_transition(document.get("on_error"), f"{where} on_error"),
        timeout=_seconds(document.get("timeout_second"), f"{where} timeout_second"),
        on_timeout=_transition(document.get("on_timeout"), f"{where} on_timeout"),
        source=source,
    )
    _check_targets(workflow, where)
    return workflow


def _parse_state(name: str, table: dict[str, Any], where: str) -> StateSpec:
    unknown = sorted(set(table) - _STATE_KEYS)
    if unknown:
        raise WorkflowError(f"{where}: unknown key {', '.join(repr(key) for key in unknown)}")
    kind, argument = _action(table, where)
    stdout = table.get("on_stdout", [])
    if not isinstance(stdout, list) or not all(isinstance(item, str) for item in stdout):
        raise WorkflowError(f"{where}: 'on_stdout' must be a list of state names")
    handlers = {key: _transition(table.get(key), f"{where} {key}") for key in _HANDLERS}
    output = table.get("output", {})
    if not isinstance(output, dict):
        raise WorkflowError(f"{where}: 'output' must be a table")
    input_script = table.get("input_script")
    if input_script is not None and not isinstance(input_script, str):
        raise WorkflowError(f"{where}: 'input_script' must be a command line")
    return StateSpec(
        name=name, action=kind, argument=argument, on_exit=_exit_ranges(table.get("on_exit"), where),
        on_stdout=tuple(stdout), timeout=_seconds(table.get("timeout_second"), f"{where} timeout_second"),
        input=table.get("input"), input_script=input_script, output=output, **handlers,
    )  # fmt: skip


def _action(table: dict[str, Any], where: str) -> tuple[ActionKind, str]:
    keyed = [key for key in _KEYED_ACTIONS if key in table]
    if "action" in table:
        keyed.insert(0, "action")
    if len(keyed) > 1:
        raise WorkflowError(f"{where}: one action per state ({' and '.join(keyed)} given)")
    if not keyed:
        return ActionKind.WAIT, ""
    value = table[keyed[0]]
    if not isinstance(value, str) or not value.strip():
        raise WorkflowError(f"{where}: '{keyed[0]}' must be a non-empty string")
    if keyed[0] != "action":
        return _KEYED_ACTIONS[keyed[0]], value
    name = value.split()[0]
    if name not in _NAMED_ACTIONS:
        known = ", ".join(sorted(_NAMED_ACTIONS))
        raise WorkflowError(f"{where}: unknown action '{value}' (known: {known})")
    return _NAMED_ACTIONS[name], value[len(name) :].strip()


def _transition(value: Any, where: str) -> Transition | None:
    if value is None:
        return None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str) and value:
        return Transition(value)
    if isinstance(value, dict) and isinstance(value.get("status"), str) and value["status"]:
        reason = value.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise WorkflowError(f"{where}: 'reason' must be a string")
        return Transition(value["status"], reason)
    raise WorkflowError(f'{where}: expected a state name or {{status = "...", reason = "..."}}')


def _exit_ranges(value: Any, where: str) -> tuple[ExitRange, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise WorkflowError(f"{where}: 'on_exit' must be a table of exit codes")
    ranges: list[ExitRange] = []
    for key, then in value.items():
        transition = _transition(then, f"{where} on_exit.{key}")
        assert transition is not None
        try:
            low, _, high = str(key).partition("-")
            bounds = (0, 255) if key == "_" else (int(low), int(high or low))
        except ValueError:
            raise WorkflowError(f"{where}: 'on_exit.{key}' is not an exit code or range") from None
        for known in ranges:
            if (
                key != "_"
                and known.low <= bounds[1]
                and bounds[0] <= known.high
                and known.high - known.low < 255
            ):
                raise WorkflowError(f"{where}: 'on_exit.{key}' overlaps another exit code")
        ranges.append(ExitRange(bounds[0], bounds[1], transition))
    return tuple(sorted(ranges, key=lambda item: item.high - item.low))  # the most specific first


def _seconds(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise WorkflowError(f"{where}: expected a positive number of seconds")
    return float(value)


def _check_targets(workflow: Workflow, where: str) -> None:
    known = set(workflow.states) | set(TERMINAL)
    for state in workflow.states.values():
        targets = [state.on_success, state.on_error, state.on_kill, state.on_exec, state.on_next,
                   state.on_timeout, *(item.then for item in state.on_exit)]  # fmt: skip
        names = [target.status for target in targets if target is not None] + list(state.on_stdout)
        for name in names:
            if name not in known:
                raise WorkflowError(f"{where}: state '{state.name}' moves to the unknown state '{name}'")
    for target in (workflow.on_error, workflow.on_timeout):
        if target is not None and target.status not in known:
            raise WorkflowError(f"{where}: on_error/on_timeout name the unknown state '{target.status}'")
