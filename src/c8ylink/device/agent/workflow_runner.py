"""``WorkflowRunner``: drives a command through its workflow (the I/O around ``core.workflows``).

From the command's current state, while the workflow has an action for it: run the action, publish
the next state (retained, QoS 1), go on from there. A state with no action is left to another
component (the runner stops; a later message on the topic starts it again); ``successful``/``failed``
end it. Actions:

- ``script``: run with the state's (else the workflow's) timeout; ``background_script``: the next
  state is published (and acknowledged) before the process is started;
- ``operation``: a sub-command ``<op>/sub-<cmd id>-<n>`` of the same entity is published ``init``; its
  topic is kept in the payload (``@subcommand``) for ``await-operation-completion``, which waits for
  it to end, takes its ``output`` fields and clears its topic;
- ``await-agent-restart``: successful when found after the agent started again, else it times out;
- ``restart`` (and the builtin step of the ``restart`` operation): the device reboot of ``system.toml``,
  the command waiting in ``on_exec``; the agent, started again, moves it to ``on_success``/``on_error``;
- ``builtin``: the agent's own step for the operation (``builtin`` callback).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.workflows import steps
from c8ylink.core.workflows.expressions import CommandState, parse_script_output, render_command
from c8ylink.core.workflows.spec import TERMINAL, ActionKind, StateSpec, Workflow
from c8ylink.infra.processes import launch_background, run_script

log = logging.getLogger("c8ylink.agent")

SUBCOMMAND = "@subcommand"
DEFAULT_RESTART_WAIT = 300.0

Publish = Callable[[str, dict[str, Any] | None], None]
PublishWait = Callable[[str, dict[str, Any]], Awaitable[None]]
Builtin = Callable[[CommandState, str], Awaitable[tuple[str | None, dict[str, Any]]]]
TopicFor = Callable[[str, str], str]
# reboot the device, the command in its on_exec state; why it failed, or None when going down
Restart = Callable[[str, dict[str, Any], dict[str, str]], Awaitable[str | None]]
RESTART_FIELD = "@restart"  # the states to move to after the reboot, kept while it happens


async def _no_restart(_topic: str, _payload: dict[str, Any], _after: dict[str, str]) -> str | None:
    return "The agent cannot restart the device"


class WorkflowRunner:
    def __init__(
        self, publish: Publish, publish_wait: PublishWait, builtin: Builtin, topic_for: TopicFor,
        restart: Restart = _no_restart,
    ) -> None:  # fmt: skip
        self._restart = restart
        self._publish = publish
        self._publish_wait = publish_wait
        self._builtin = builtin
        self._topic_for = topic_for
        self._waiting: dict[str, asyncio.Future[CommandState]] = {}
        self._finished: dict[str, CommandState] = {}  # sub-commands that ended before being awaited
        self._count = 0

    def observe(self, command: CommandState) -> None:
        """Every command state of this agent's entity: a finished sub-command wakes its parent."""
        if command.status not in TERMINAL:
            return
        future = self._waiting.pop(command.topic, None)
        if future is not None and not future.done():
            future.set_result(command)
        elif command.command_id.startswith("sub-"):
            self._finished[command.topic] = command

    async def drive(self, workflow: Workflow, command: CommandState, *, resumed: bool = False) -> None:
        while command.status not in TERMINAL:
            spec = workflow.state(command.status)
            if spec is None or spec.action is ActionKind.WAIT:
                log.info("%s: waiting in state '%s' for another component", command.topic, command.status)
                return
            if spec.action is ActionKind.CLEANUP:
                return
            try:
                payload = await self._step(workflow, spec, command, resumed)
            except C8yLinkError as exc:
                payload = steps.moved(command, steps.on_error(spec, workflow), str(exc))
            resumed = False
            if payload is None:
                return
            command = replace(command, payload=payload)
            self._publish(command.topic, payload)

    async def _step(self, workflow: Workflow, spec: StateSpec, command: CommandState, resumed: bool
                    ) -> dict[str, Any] | None:  # fmt: skip
        timeout = spec.timeout or workflow.timeout
        match spec.action:
            case ActionKind.PROCEED:
                return steps.after_action(spec, workflow, command)
            case ActionKind.BUILTIN if command.operation == "restart" and spec.name == "executing":
                return await self._reboot(spec, workflow, command)
            case ActionKind.BUILTIN:
                error, fields = await self._builtin(command, spec.name)
                return steps.after_action(spec, workflow, command, error, **fields)
            case ActionKind.SCRIPT:
                argv = render_command(spec.argument, command)
                result = await run_script(argv, timeout)
                return steps.after_script(spec, workflow, command, result, argv[0])
            case ActionKind.BACKGROUND_SCRIPT:
                argv = render_command(spec.argument, command)
                payload = steps.launched(spec, workflow, command)
                await self._publish_wait(command.topic, payload)
                error = launch_background(argv)
                if error is not None:
                    return steps.moved(command, steps.FAILED, f"{argv[0]} cannot be run: {error}")
                await self.drive(workflow, replace(command, payload=payload))
                return None
            case ActionKind.ITERATE:
                return steps.iterate(spec, workflow, command)
            case ActionKind.OPERATION:
                return await self._start_sub_operation(spec, workflow, command, timeout)
            case ActionKind.AWAIT_OPERATION:
                return await self._await_sub_operation(spec, workflow, command, timeout)
            case ActionKind.AWAIT_AGENT_RESTART:
                if resumed:
                    return steps.after_action(spec, workflow, command)
                await asyncio.sleep(timeout or DEFAULT_RESTART_WAIT)
                then = spec.on_timeout or workflow.on_timeout or steps.FAILED
                return steps.moved(command, then, then.reason or "The agent did not restart in time")
            case ActionKind.RESTART:
                return await self._reboot(spec, workflow, command)
        return None

    async def _reboot(
        self, spec: StateSpec, workflow: Workflow, command: CommandState
    ) -> dict[str, Any] | None:
        """The device reboot of a ``restart`` action (or the restart operation's builtin step, which
        stays in its state while the device is down)."""
        payload = steps.launched(spec, workflow, command) if spec.on_exec else dict(command.payload)
        failed = steps.on_error(spec, workflow)
        after = {"successful": (spec.on_success or steps.FAILED).status, "failed": failed.status}
        error = await self._restart(command.topic, payload, after)
        if error is None:
            return None  # going down: the agent moves on once started again
        return steps.moved(command, failed, error)

    async def _start_sub_operation(self, spec: StateSpec, workflow: Workflow, command: CommandState,
                                   timeout: float | None) -> dict[str, Any]:  # fmt: skip
        printed: dict[str, Any] | None = None
        if spec.input_script:
            argv = render_command(spec.input_script, command)
            result = await run_script(argv, timeout)
            printed = parse_script_output(result.stdout) if result.exit_code == 0 else None
            if printed is None:
                return steps.moved(command, steps.on_error(spec, workflow),
                                   f"The input script {argv[0]} of state '{spec.name}' failed")  # fmt: skip
        operation, init = steps.sub_operation(spec, command, printed)
        if not operation or "/" in operation or "${" in operation:
            return steps.moved(
                command, steps.on_error(spec, workflow), f"Invalid sub-operation {operation!r}"
            )
        self._count += 1
        sub_topic = self._topic_for(operation, f"sub-{command.command_id}-{self._count}")
        self._waiting[sub_topic] = asyncio.get_running_loop().create_future()
        payload = steps.launched(spec, workflow, command)
        payload[SUBCOMMAND] = sub_topic
        self._publish(sub_topic, init)
        return payload

    async def _await_sub_operation(self, spec: StateSpec, workflow: Workflow, command: CommandState,
                                   timeout: float | None) -> dict[str, Any]:  # fmt: skip
        sub_topic = command.payload.get(SUBCOMMAND)
        if not isinstance(sub_topic, str):
            return steps.moved(command, steps.on_error(spec, workflow), "No sub-operation to wait for")
        early = self._finished.pop(sub_topic, None)
        if early is not None:
            finished = early
        else:
            future = self._waiting.get(sub_topic) or asyncio.get_running_loop().create_future()
            self._waiting[sub_topic] = future
            try:
                finished = await asyncio.wait_for(future, timeout)
            except TimeoutError:
                self._waiting.pop(sub_topic, None)
                then = spec.on_timeout or workflow.on_timeout or steps.FAILED
                return steps.moved(command, then, then.reason or f"{sub_topic} did not finish in time")
        self._publish(sub_topic, None)  # the sub-command's retained state is cleared
        parent = replace(command, payload={k: v for k, v in command.payload.items() if k != SUBCOMMAND})
        return steps.after_sub_operation(spec, workflow, parent, finished)
