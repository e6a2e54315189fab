"""``AgentService``: the I/O shell of ``tedge-agent``.

Connected to the local broker (client id ``tedge-agent``, retained last will ``{"status":"down"}`` on
``te/<device>/service/tedge-agent/status/health``), the agent

1. settles a restart it launched before it stopped (``restart``): ``successful`` if the device
   rebooted, ``failed`` otherwise;
2. subscribes to ``te/<device>/cmd/+/+``, publishes its health ``up`` and its capabilities (retained
   ``te/<device>/cmd/restart`` ``{}``, ``cmd/software_list`` and ``cmd/software_update``
   ``{"types": [<plugins>]}`` when there are sm-plugins);
3. runs each command whose status is ``init``, one at a time: publishes ``executing``, does the work,
   publishes ``successful`` (with its results) or ``failed`` with a ``reason``. Status messages are
   retained and carry the request's fields. A command found ``executing`` that this process is not
   running was interrupted by an agent restart: it is marked ``failed`` (only when found so on
   subscribing, i.e. delivered as retained; the live echoes of the agent's own statuses are not);
4. drives the commands of operations that have a workflow (``workflow_runner``): the agent's own
   ``firmware_update`` and ``device_profile``, and every ``<config-dir>/operations/<op>.toml`` (which
   replaces the builtin behaviour of its operation; its ``builtin`` steps call the agent's own code).
   Each such command runs in its own task, so that a command can wait for its sub-commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from ssl import SSLContext
from typing import Any

from c8ylink.core.clock import Clock, SystemClock
from c8ylink.core.entity_store import EntityStore
from c8ylink.core.errors import BrokerError, C8yLinkError
from c8ylink.core.mqtt.packets import Will
from c8ylink.core.mqtt.topic import TopicError
from c8ylink.core.timestamps import format_service_time
from c8ylink.core.topics import (
    Command,
    CommandMetadata,
    EntityMetadata,
    EntityTopicId,
    Health,
    Twin,
    parse_topic,
    topic_for,
)
from c8ylink.core.workflows.expressions import CommandState
from c8ylink.core.workflows.spec import Workflow
from c8ylink.device.agent.entity_api import EntityApi
from c8ylink.device.agent.file_operations import DeviceOperations, OperationFailed
from c8ylink.device.agent.file_transfer import DEFAULT_MAX_SIZE, FileTransferServer
from c8ylink.device.agent.firmware import FirmwareConfig
from c8ylink.device.agent.operation_log import OperationLogs
from c8ylink.device.agent.plugins import DEFAULT_TIMEOUT, discover_plugins
from c8ylink.device.agent.restart import NOT_REBOOTED, RestartFiles
from c8ylink.device.agent.software import SoftwareOptions, list_software, update_software
from c8ylink.device.agent.system_config import SystemCommands
from c8ylink.device.agent.workflow_files import WorkflowFiles
from c8ylink.device.agent.workflow_runner import RESTART_FIELD, WorkflowRunner
from c8ylink.infra.net.mqtt_options import MqttOptions
from c8ylink.infra.net.mqtt_session import MqttSession
from c8ylink.infra.net.reconnect import ReconnectPolicy, keep_connected, wait_or_stop

log = logging.getLogger("c8ylink.agent")

SERVICE_NAME = "tedge-agent"
HANDLED = ("restart", "software_list", "software_update", "config_snapshot", "config_update", "log_upload")
TERMINAL = ("successful", "failed")
INTERRUPTED = "tedge-agent was restarted while the command was running"


@dataclass(frozen=True, slots=True)
class FileTransferConfig:
    """Where the file transfer service listens (``http.bind.*``) and keeps its files."""

    address: str
    port: int
    root: Path  # <data.path>/file-transfer
    max_size: int = DEFAULT_MAX_SIZE
    ssl: SSLContext | None = None  # HTTPS (http.cert_path, http.key_path; http.ca_path: client certificates)


@dataclass
class AgentConfig:
    topic_root: str
    device_topic_id: EntityTopicId
    plugins_dir: Path
    restart: RestartFiles
    system: SystemCommands = field(default_factory=SystemCommands)
    plugin_timeout: float = DEFAULT_TIMEOUT
    reconnect: ReconnectPolicy = field(default_factory=ReconnectPolicy)
    file_transfer: FileTransferConfig | None = None
    operations: DeviceOperations = field(default_factory=DeviceOperations)
    plugin_files_poll: float = 2.0  # seconds between looks at the plugin files
    software: SoftwareOptions = field(default_factory=SoftwareOptions)  # software.plugin.*, tmp.path
    sudo: str | None = None  # run the sm-plugins through this sudo (sudo.enable)
    disabled: frozenset[str] = frozenset()  # operations agent.enable.* turns off
    timestamp_format: str = "unix"  # service.timestamp_format: the time of the health messages
    operation_logs: OperationLogs | None = None  # logs.path: one log file per command
    workflows: WorkflowFiles = field(default_factory=WorkflowFiles)
    firmware: FirmwareConfig | None = None

    @property
    def health_topic(self) -> str:
        kind, device, _, _ = self.device_topic_id.segments
        return topic_for(self.topic_root, EntityTopicId(f"{kind}/{device}/service/{SERVICE_NAME}"), Health())

    def command_topic(self, operation: str, command_id: str | None = None) -> str:
        channel = CommandMetadata(operation) if command_id is None else Command(operation, command_id)
        return topic_for(self.topic_root, self.device_topic_id, channel)


class AgentService:
    def __init__(
        self, config: AgentConfig, broker: MqttOptions, *, clock: Clock | None = None, pid: int | None = None
    ) -> None:
        self.config = config
        self.broker = broker
        self.clock = clock or SystemClock()
        self.pid = pid or os.getpid()
        self.plugins = discover_plugins(config.plugins_dir, timeout=config.plugin_timeout, sudo=config.sudo)
        self.session: MqttSession | None = None
        self.ready = asyncio.Event()
        self._queue: asyncio.Queue[tuple[str, str, dict[str, Any]]] = asyncio.Queue()
        self._active: set[str] = set()  # command topics queued or running here
        self._stop = asyncio.Event()
        self._download_client: Any = None
        self.file_transfer: FileTransferServer | None = None
        self.entities = EntityStore(config.device_topic_id)
        self._file_operations: dict[str, dict[str, Any]] = {}  # announced config/log operations
        self.workflows: dict[str, Workflow] = config.workflows.load()
        self.runner = WorkflowRunner(self._publish_state, self._publish_state_wait, self._builtin_step,
                                     self.config.command_topic, self._workflow_restart)  # fmt: skip
        self._driving: set[str] = set()  # command topics a workflow task is driving
        self._tasks: set[asyncio.Task[None]] = set()
        self._published: dict[str, bytes] = {}  # the last state the agent published per command topic

    # ----------------------------------------------------------------------------------------- run

    async def run(self, stop: asyncio.Event) -> None:
        self._stop = stop
        server = await self._start_file_transfer()
        worker = asyncio.create_task(self._work())
        try:
            await keep_connected(
                self._new_session, lambda session: self._serve(session, stop), self._ended, stop,
                client_id=self.client_id, log=log, policy=self.config.reconnect,
            )  # fmt: skip
        finally:
            worker.cancel()
            if server is not None:
                await server.stop()

    async def _start_file_transfer(self) -> FileTransferServer | None:
        """The file transfer service; the agent runs without it (logged) when it cannot listen."""
        config = self.config.file_transfer
        if config is None or self.config.device_topic_id != EntityTopicId.main_device():
            return None  # a child device's agent uses the main device's service
        api = EntityApi(self.entities, self.config.topic_root, self._publish_registration)
        server = FileTransferServer(config.root, max_size=config.max_size, entity_api=api)
        try:
            await server.start(config.address, config.port, ssl=config.ssl)
        except OSError as exc:
            log.error(
                "The file transfer service cannot listen on %s:%d (%s): file operations will fail",
                config.address, config.port, exc.strerror or exc,
            )  # fmt: skip
            return None
        self.file_transfer = server
        return server

    def _publish_registration(self, topic: str, payload: bytes) -> bool:
        if self.session is None:
            return False
        self.session.publish(topic, payload, qos=1, retain=True)
        return True

    def _new_session(self) -> MqttSession:
        self.session = MqttSession(self._options(), self._on_message)
        return self.session

    def _ended(self, _session: MqttSession) -> None:
        self.session = None
        self.ready.clear()

    def _options(self) -> MqttOptions:
        values = {name: getattr(self.broker, name) for name in MqttOptions.__dataclass_fields__}
        will = Will(self.config.health_topic, self._health("down"), qos=1, retain=True)
        return MqttOptions(**{**values, "client_id": self.client_id, "will": will})

    @property
    def client_id(self) -> str:
        """``tedge-agent`` for the main device; ``tedge-agent#<topic id>`` for a child device's agent, so
        that both can share a broker."""
        device = self.config.device_topic_id
        return SERVICE_NAME if device == EntityTopicId.main_device() else f"{SERVICE_NAME}#{device.value}"

    def _health(self, status: str) -> bytes:
        body: dict[str, Any] = {
            "status": status,
            "pid": self.pid,
            "time": format_service_time(self.clock.now(), self.config.timestamp_format),
        }
        return json.dumps(body).encode()

    async def _serve(self, session: MqttSession, stop: asyncio.Event) -> None:
        await self._settle_restart(session)
        registrations = f"{self.config.topic_root}/+/+/+/+"
        await session.subscribe([(self.config.command_topic("+", "+"), 1), (registrations, 1)])
        session.publish(self.config.health_topic, self._health("up"), qos=1, retain=True)
        for operation, metadata in self._capabilities():
            session.publish(
                self.config.command_topic(operation), json.dumps(metadata).encode(), qos=1, retain=True
            )
        self.ready.set()
        log.info("tedge-agent ready: plugins %s", ", ".join(self.plugins) or "none")
        closed = asyncio.create_task(session.wait_closed())
        stopping = asyncio.create_task(stop.wait())
        watching = asyncio.create_task(self._watch_plugin_files(session))
        workflows = asyncio.create_task(self._watch_workflow_files(session))
        try:
            await asyncio.wait({closed, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            watching.cancel()
            workflows.cancel()
        if closed.done():
            closed.result()
            return
        closed.cancel()
        try:
            await session.publish_wait(self.config.health_topic, self._health("down"), retain=True, timeout=5)
        except BrokerError as exc:
            log.warning("Could not publish the agent's health before stopping: %s", exc)
        await session.disconnect()

    def _capabilities(self) -> list[tuple[str, dict[str, Any]]]:
        capabilities: list[tuple[str, dict[str, Any]]] = [("restart", {})]
        if self.plugins:
            types = {"types": list(self.plugins)}
            capabilities += [("software_list", types), ("software_update", types)]
        return capabilities + self._file_capabilities() + self._workflow_capabilities()

    def _workflow_capabilities(self) -> list[tuple[str, dict[str, Any]]]:
        """``device_profile`` always, ``firmware_update`` with a firmware plugin, and the operation of
        every user workflow file."""
        found: dict[str, dict[str, Any]] = {"device_profile": {}}
        firmware = self.config.firmware
        if firmware is not None and firmware.available():
            found["firmware_update"] = {}
        for operation, workflow in self.workflows.items():
            if not workflow.source.startswith("builtin") and operation not in HANDLED:
                found.setdefault(operation, {})
        return sorted(found.items())

    def _file_capabilities(self) -> list[tuple[str, dict[str, Any]]]:
        try:
            found = self.config.operations.capabilities()
        except C8yLinkError as exc:
            log.error("Configuration and log management are not offered: %s", exc)
            found = []
        found = [
            (operation, metadata) for operation, metadata in found if operation not in self.config.disabled
        ]
        self._file_operations = dict(found)
        return found

    async def _watch_plugin_files(self, session: MqttSession) -> None:
        """Announce the configuration and log types again when a plugin file changes (or appears, or
        goes: the operation is then withdrawn with an empty retained message)."""
        operations = self.config.operations
        seen = operations.signature()
        while True:
            await asyncio.sleep(self.config.plugin_files_poll)
            current = operations.signature()
            if current == seen:
                continue
            seen = current
            before = self._file_operations
            after = dict(self._file_capabilities())
            for operation in sorted(before.keys() | after.keys()):
                if before.get(operation) != after.get(operation):
                    payload = json.dumps(after[operation]).encode() if operation in after else b""
                    session.publish(self.config.command_topic(operation), payload, qos=1, retain=True)
            log.info("Plugin files changed: configuration and log operations announced again")

    async def _watch_workflow_files(self, session: MqttSession) -> None:
        """Read the workflow files again when one changes, appears or goes; announce the operations
        that came (``{}``) or went (an empty retained message). Running commands keep their workflow."""
        files = self.config.workflows
        seen = files.signature()
        while True:
            await asyncio.sleep(self.config.plugin_files_poll)
            current = files.signature()
            if current == seen:
                continue
            seen = current
            before = dict(self._workflow_capabilities())
            self.workflows = files.load()
            after = dict(self._workflow_capabilities())
            for operation in sorted(before.keys() ^ after.keys()):
                payload = json.dumps(after[operation]).encode() if operation in after else b""
                session.publish(self.config.command_topic(operation), payload, qos=1, retain=True)
            log.info("Workflow files changed: read again")

    async def _settle_restart(self, session: MqttSession) -> None:
        files = self.config.restart
        pending = files.pending()
        if pending is None:
            return
        after = pending.payload.pop(RESTART_FIELD, None)  # a workflow's restart action: its next states
        nexts = after if isinstance(after, dict) else {}
        if files.has_rebooted(pending):
            log.info("Device restart successful")
            result = {**pending.payload, "status": nexts.get("successful", "successful")}
            result.pop("reason", None)
        else:
            log.error(NOT_REBOOTED)
            result = {**pending.payload, "status": nexts.get("failed", "failed"), "reason": NOT_REBOOTED}
        result = self._logged(pending.topic, result)
        await session.publish_wait(pending.topic, json.dumps(result).encode(), qos=1, retain=True)
        files.clear()

    # ----------------------------------------------------------------------------------------- commands

    def _remember(self, entity: EntityTopicId, payload: bytes) -> None:
        try:
            document = json.loads(payload) if payload else None
        except ValueError:
            return
        if document is None or isinstance(document, dict):
            self.entities.remember(entity.value, document)

    def _on_message(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        if not payload and topic.count("/") == 4:  # a cleared registration
            with contextlib.suppress(TopicError):
                self.entities.remember(parse_topic(self.config.topic_root, topic)[0].value, None)
        if not payload:
            return  # a cleared command
        try:
            entity, channel = parse_topic(self.config.topic_root, topic)
        except TopicError:
            return
        if isinstance(channel, EntityMetadata):
            self._remember(entity, payload)
            return
        if entity != self.config.device_topic_id or not isinstance(channel, Command):
            return
        if channel.operation in self.config.disabled:
            return  # agent.enable.<operation> = false: another component handles it
        try:
            request = json.loads(payload)
        except ValueError:
            request = None
        if isinstance(request, dict):
            command = CommandState(topic, entity.value, channel.operation, channel.command_id, request)
            self.runner.observe(command)
            workflow = self.workflows.get(channel.operation)
            if workflow is not None and (workflow.source != "builtin" or channel.operation not in HANDLED):
                self._start_workflow(workflow, command, payload, resumed=retain)
                return
        if channel.operation not in HANDLED or topic in self._active:
            return
        if not isinstance(request, dict):
            self._status(topic, {}, "failed", reason="Invalid command: the payload is not a JSON object")
            return
        status = request.get("status")
        if status == "init":
            self._active.add(topic)
            self._queue.put_nowait((topic, channel.operation, request))
        elif status not in TERMINAL and retain:
            # found executing when subscribing: left by an earlier run (a restart it made is settled
            # first). Not so a live message: that is the echo of a status of ours, which can come back
            # after the command ended (one that ends at once always does)
            self._status(topic, request, "failed", reason=INTERRUPTED)

    def _status(self, topic: str, request: dict[str, Any], status: str, **fields: Any) -> None:
        body = {**request, "status": status, **fields}
        if status != "failed":
            body.pop("reason", None)
        self._publish_state(topic, body)

    def _logged(self, topic: str, body: dict[str, Any]) -> dict[str, Any]:
        """The state with ``logPath`` once its line is in the command's log (``logs.path``)."""
        status = body.get("status")
        if self.config.operation_logs is None or not isinstance(status, str):
            return body
        operation, _, command_id = topic.rpartition("/cmd/")[2].partition("/")
        reason = str(body.get("reason", "")) if status == "failed" else ""
        path = self.config.operation_logs.append(operation, command_id, status, reason, self.clock.now())
        return body if path is None else {**body, "logPath": str(path)}

    def _publish_state(self, topic: str, body: dict[str, Any] | None) -> None:
        """A command state (retained, QoS 1); None clears the topic."""
        data = b"" if body is None else json.dumps(self._logged(topic, body)).encode()
        self._published[topic] = data
        if self.session is not None:
            self.session.publish(topic, data, qos=1, retain=True)

    async def _publish_state_wait(self, topic: str, body: dict[str, Any]) -> None:
        data = json.dumps(self._logged(topic, body)).encode()
        self._published[topic] = data
        if self.session is not None:
            await self.session.publish_wait(topic, data, qos=1, retain=True)

    # ----------------------------------------------------------------------------------------- workflows

    def _start_workflow(
        self, workflow: Workflow, command: CommandState, payload: bytes, *, resumed: bool
    ) -> None:
        if command.topic in self._driving or command.status in TERMINAL:
            return
        if not resumed and command.status != "init" and self._published.get(command.topic) == payload:
            return  # the echo of a state this agent published (an init is a sub-command it created)
        self._driving.add(command.topic)
        task = asyncio.get_running_loop().create_task(self._drive(workflow, command, resumed))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drive(self, workflow: Workflow, command: CommandState, resumed: bool) -> None:
        log.info("Running %s (workflow %s, state %s)", command.topic, workflow.source, command.status)
        try:
            await self.runner.drive(workflow, command, resumed=resumed)
        except Exception as exc:  # a bug must not stop the agent: fail the command, keep going
            log.exception("Internal error running %s", command.topic)
            self._status(
                command.topic, command.payload, "failed", reason=f"Internal error of tedge-agent: {exc}"
            )
        finally:
            self._driving.discard(command.topic)

    async def _builtin_step(self, command: CommandState, state: str) -> tuple[str | None, dict[str, Any]]:
        """The agent's own step of an operation, for a workflow state whose action is ``builtin``."""
        operation, request = command.operation, command.payload
        try:
            if operation == "firmware_update":
                if self.config.firmware is None:
                    return "This agent has no firmware support", {}
                if state == "scheduled":
                    return None, await self.config.firmware.download(request)
                if state == "executing":
                    fields = await self.config.firmware.install(request)
                    self._publish_firmware(request)
                    return None, fields
            elif state == "executing" and operation in HANDLED and operation != "restart":
                return None, await self._perform(operation, request)
        except OperationFailed as exc:
            log.error("%s failed: %s", command.topic, exc)
            return str(exc), {}
        return None, {}

    def _publish_firmware(self, request: dict[str, Any]) -> None:
        """``twin/firmware``: the mapper reports it as the device's ``c8y_Firmware``."""
        if self.session is None:
            return
        twin = {
            "name": request.get("name"),
            "version": request.get("version"),
            "url": request.get("remoteUrl"),
        }
        topic = topic_for(self.config.topic_root, self.config.device_topic_id, Twin("firmware"))
        self.session.publish(topic, json.dumps(twin).encode(), qos=1, retain=True)

    async def _work(self) -> None:
        while True:
            topic, operation, request = await self._queue.get()
            try:
                await self._run(topic, operation, request)
            except Exception as exc:  # a bug must not stop the agent: fail the command, keep going
                log.exception("Internal error running %s", topic)
                self._status(topic, request, "failed", reason=f"Internal error of tedge-agent: {exc}")
            finally:
                self._active.discard(topic)

    async def _run(self, topic: str, operation: str, request: dict[str, Any]) -> None:
        log.info("Running %s", topic)
        if operation == "restart":
            await self._restart(topic, request)
            return
        self._status(topic, request, "executing")
        try:
            results = await self._perform(operation, request)
        except OperationFailed as exc:
            log.error("%s failed: %s", topic, exc)
            self._status(topic, request, "failed", reason=str(exc), **exc.fields)
        else:
            self._status(topic, request, "successful", **results)

    async def _perform(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """The work of a builtin operation: its results, or ``OperationFailed``."""
        if operation == "software_list":
            groups, errors = await list_software(self.plugins, self.config.software)
            if errors and not groups:
                raise OperationFailed("; ".join(errors))
            for error in errors:
                log.warning("%s", error)
            return {"currentSoftwareList": groups}
        if operation == "software_update":
            outcome = await update_software(
                self.plugins, request.get("updateList"), self._download, self.config.software
            )
            if outcome.failures:
                raise OperationFailed(outcome.reason, failures=outcome.failures)
            return {}
        results: dict[str, Any] = await getattr(self.config.operations, operation)(request)
        return results

    async def _workflow_restart(
        self, topic: str, payload: dict[str, Any], after: dict[str, str]
    ) -> str | None:
        """A workflow's ``restart`` action: the reboot of the restart operation, the command waiting in
        its ``on_exec`` state and moving to ``after[successful|failed]`` once the agent is back."""
        try:
            self.config.restart.begin(topic, {**payload, RESTART_FIELD: after})
        except (OSError, C8yLinkError) as exc:
            return f"Cannot save the restart state: {exc}"
        await self._publish_state_wait(topic, payload)
        failure = await self._reboot()
        if failure is not None:
            self.config.restart.clear()
        return failure

    async def _restart(self, topic: str, request: dict[str, Any]) -> None:
        executing = self._logged(topic, {**request, "status": "executing"})
        try:
            self.config.restart.begin(topic, executing)
        except (OSError, C8yLinkError) as exc:
            self._status(topic, request, "failed", reason=f"Cannot save the restart state: {exc}")
            return
        assert self.session is not None
        await self.session.publish_wait(topic, json.dumps(executing).encode(), qos=1, retain=True)
        failure = await self._reboot()
        if failure is None:
            return  # stopping: the device is going down; the next start reports the result
        self.config.restart.clear()
        self._status(topic, request, "failed", reason=failure)

    async def _reboot(self) -> str | None:
        """Run the reboot command; the reason it failed, or None when the agent is being stopped."""
        command, timeout = self.config.system.reboot, self.config.system.reboot_timeout
        shown = " ".join(command)
        os.sync()
        try:
            process = await asyncio.create_subprocess_exec(
                *command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
        except OSError as exc:
            return f"Restart command '{shown}' cannot be run: {exc.strerror or exc}"
        waiter = asyncio.create_task(process.communicate())
        stopping = asyncio.create_task(self._stop.wait())
        done, _ = await asyncio.wait({waiter, stopping}, timeout=timeout, return_when="FIRST_COMPLETED")
        if stopping in done:
            return None
        stopping.cancel()
        if waiter in done:
            _, stderr = waiter.result()
            if process.returncode:
                detail = stderr.decode(errors="replace").strip()[:300]
                return f"Restart command '{shown}' failed with exit code {process.returncode}" + (
                    f": {detail}" if detail else ""
                )
            if await wait_or_stop(self._stop, timeout):
                return None
        else:
            waiter.cancel()
        return f"The device did not restart within {timeout:g} s of running '{shown}'"

    async def _download(self, url: str, path: Path) -> None:
        from c8ylink.infra.net.http import HttpClient

        def fetch() -> None:
            with HttpClient(timeout=self.config.plugin_timeout, follow_redirects=True) as client:
                client.download(url, str(path))

        await asyncio.to_thread(fetch)
