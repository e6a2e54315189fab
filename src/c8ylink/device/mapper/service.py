"""``MapperService``: the I/O shell of ``tedge-mapper c8y`` around the pure ``converter.convert``.

One asyncio task owns the MQTT session to the local broker and the ``MapperState``:

1. connect (client id ``tedge-mapper-<prefix>``, persistent session, retained last will
   ``{"status":"down"}`` on the mapper's health topic), retrying with a growing delay;
2. subscribe to ``MapperConfig.subscriptions`` (+ the JWT answers of ``c8y/s/dat`` and a private
   marker topic), publish the retained health ``up``, then publish the marker: when it comes back,
   every retained message (registrations, capabilities, alarms) has been converted, so the startup
   messages follow (device type/name, ``114``, ``117``, ``500``) and the alarm shadows are reconciled;
3. every message: ``convert`` and publish what it returns (in the same socket write); a capability
   also updates the operation files; a file transfer the converter asks for (configuration and log
   operations) runs as a task and what follows it is published when it ends; an unexpected
   exception is logged and reported on ``te/errors``
   so that one bad message never stops the mapper; the command of a custom operation (operation
   templates of ``operations/c8y``, read at start) runs as a process and its outcome is reported;
4. every half availability interval: the heartbeats;
5. on stop: health ``down`` (retained), DISCONNECT. A lost connection goes back to 1 with the same
   state; unacknowledged QoS 1 messages are sent again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import ssl
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from c8ylink.core.c8y_topics import TOKEN_DOWNSTREAM
from c8ylink.core.clock import Clock, SystemClock
from c8ylink.core.errors import BrokerError, C8yLinkError
from c8ylink.core.mqtt.packets import Will
from c8ylink.core.mqtt.topic import TopicError
from c8ylink.core.topics import CommandMetadata, parse_topic
from c8ylink.device.local_http import LocalFiles
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.context import Context
from c8ylink.device.mapper.convert.capabilities import apply_operation_files
from c8ylink.device.mapper.convert.custom_operations import custom_topic, finish_custom_run
from c8ylink.device.mapper.convert.deadlines import deadline_topic, expire_command
from c8ylink.device.mapper.convert.file_operations import finish_transfer, transfer_topic
from c8ylink.device.mapper.convert.health import heartbeat_seconds
from c8ylink.device.mapper.convert.operation_logs import TRANSFER_KIND as LOG_TRANSFER
from c8ylink.device.mapper.convert.operation_logs import finish_log_upload
from c8ylink.device.mapper.converter import (
    build_heartbeats,
    build_mapper_health,
    build_startup_messages,
    convert,
    finish_alarm_sync,
)
from c8ylink.device.mapper.errors import ConversionError, ErrorKind, build_error_message
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.operation_files import load_operation_files, sync_operation_files
from c8ylink.device.mapper.state import MapperState
from c8ylink.device.mapper.template_files import load_templates
from c8ylink.device.mapper.transfers import CloudRequests, Transfers
from c8ylink.infra.net.mqtt_options import MqttOptions
from c8ylink.infra.net.mqtt_session import MqttSession
from c8ylink.infra.net.reconnect import ReconnectPolicy, keep_connected
from c8ylink.infra.processes import run_script

log = logging.getLogger("c8ylink.mapper")

RawHandler = Callable[[bytes], None]


@dataclass
class MapperRuntime:
    """What the service needs besides the converter configuration."""

    broker: MqttOptions  # client id, will and session flag are set by the service
    operations_dir: Path | None = None
    clock: Clock = field(default_factory=SystemClock)
    pid: int = field(default_factory=os.getpid)
    heartbeat_seconds: float | None = None  # default: half the availability interval
    operations_scan_seconds: float = 2.0  # how often operations_dir is read for added/removed files
    file_transfer_ssl: ssl.SSLContext | None = None  # the file transfer service's HTTPS (http.*)
    file_transfer_files: LocalFiles | None = None  # its directory, written and read in place
    reconnect: ReconnectPolicy = field(default_factory=ReconnectPolicy)


class MapperService:
    def __init__(self, config: MapperConfig, runtime: MapperRuntime) -> None:
        self.config = config
        self.runtime = runtime
        self.state = MapperState.create(config)
        self.session: MqttSession | None = None
        self.ready = asyncio.Event()  # set once the startup messages are out (for tests and the proxy)
        self.raw_handlers: dict[str, RawHandler] = {}  # topic -> handler, outside the converter
        self._marker = f"{config.topic_prefix}-internal/sync/{config.mapper_service_name}-{runtime.pid}"
        self._synced = False
        self._pending: list[Message] = []  # unacknowledged when the last connection ended
        self._transfer_topic = transfer_topic(config)
        self._deadline_topic = deadline_topic(config)
        self.cloud: CloudRequests | None = None  # the proxy service, for transfers without the local hop
        self._transfers: Transfers | None = None
        self._transfer_tasks: set[asyncio.Task[None]] = set()
        self._scan_operation_files()  # before the startup messages: the main device's 114 includes them
        if runtime.operations_dir is not None:
            self.state.templates = load_templates(runtime.operations_dir)
        self._custom_topic = custom_topic(config)

    # ----------------------------------------------------------------------------------------- run

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set; reconnects on its own when the broker goes away."""
        try:
            await keep_connected(
                self._new_session, lambda session: self._serve(session, stop), self._ended, stop,
                client_id=self.config.mapper_service_name, log=log, policy=self.runtime.reconnect,
            )  # fmt: skip
        finally:
            if self._transfers is not None:
                await self._transfers.close()

    def _ended(self, session: MqttSession) -> None:
        self.session = None
        self.ready.clear()

    def _new_session(self) -> MqttSession:
        health = build_mapper_health(self.config, "down", self.runtime.pid)
        options = self.runtime.broker
        broker = MqttOptions(
            **{
                **{name: getattr(options, name) for name in MqttOptions.__dataclass_fields__},
                "client_id": self.config.mapper_service_name,
                "clean_session": False,
                "will": Will(health.topic, health.payload, qos=1, retain=True),
            }
        )
        self.session = MqttSession(
            broker, self._on_message
        )  # set first: a persistent session delivers at once
        return self.session

    async def _serve(self, session: MqttSession, stop: asyncio.Event) -> None:
        log.info("Connected to the MQTT broker at %s", self.runtime.broker.address)
        try:
            await self._serve_session(session, stop)
        finally:  # what the broker did not acknowledge goes again on the next connection
            self._pending = [Message(m.topic, m.payload, m.qos, m.retain) for m in session.unacknowledged()]

    async def _serve_session(self, session: MqttSession, stop: asyncio.Event) -> None:
        self._synced = False
        filters = [*self.config.subscriptions, self.config.cloud_topic(TOKEN_DOWNSTREAM), self._marker]
        await session.subscribe([(name, 1) for name in filters])
        for message in self._pending:
            self._publish(message)
        self._publish(build_mapper_health(self.config, "up", self.runtime.pid, self.runtime.clock.now()))
        session.publish(self._marker, b"", qos=1)
        heartbeat = asyncio.create_task(self._heartbeats(session))
        scanner = asyncio.create_task(self._watch_operation_files())
        closed = asyncio.create_task(session.wait_closed())
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({closed, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            heartbeat.cancel()
            scanner.cancel()
            stopping.cancel()
        if closed.done():
            closed.result()  # BrokerError when lost
            return
        closed.cancel()
        down = build_mapper_health(self.config, "down", self.runtime.pid, self.runtime.clock.now())
        try:
            await session.publish_wait(down.topic, down.payload, qos=1, retain=True, timeout=5)
        except BrokerError as exc:
            log.warning("Could not publish the mapper's health before stopping: %s", exc)
        await session.disconnect()

    async def _heartbeats(self, session: MqttSession) -> None:
        seconds = self.runtime.heartbeat_seconds or heartbeat_seconds(self.config)
        if not self.config.availability_enabled or seconds <= 0:
            return
        while True:
            await asyncio.sleep(seconds)
            for message in build_heartbeats(self.state, self.config):
                self._publish(message)

    async def _watch_operation_files(self) -> None:
        if self.runtime.operations_dir is None:
            return
        while True:
            await asyncio.sleep(self.runtime.operations_scan_seconds)
            if self._synced:
                self._scan_operation_files()

    def _scan_operation_files(self) -> None:
        """Read the operation files; announce the devices whose custom operations changed."""
        if self.runtime.operations_dir is None:
            return
        found = load_operation_files(self.runtime.operations_dir, self.state.entities.main_device_id)
        for message in apply_operation_files(found, self.state, self.config):
            self._publish(message)

    # ----------------------------------------------------------------------------------------- messages

    def _on_message(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        handler = self.raw_handlers.get(topic)
        if handler is not None:
            handler(payload)
            return
        if topic == self._marker:
            self._finish_startup()
            return
        if topic.endswith("/signal/sync"):
            self._scan_operation_files()
        message = Message(topic, payload, qos, retain)
        try:
            outputs = convert(message, self.state, self.runtime.clock.now(), self.config)
        except Exception as exc:  # a converter bug: report it, keep mapping
            log.exception("Internal error converting a message on %s", topic)
            error = ConversionError(ErrorKind.INVALID_PAYLOAD, f"Internal error of the mapper: {exc}")
            outputs = [build_error_message(self.config, topic, error, self.runtime.clock.now())]
        self._dispatch(outputs)
        if "/cmd/" in topic and self.runtime.operations_dir is not None:
            self._sync_operation_files(topic)

    def _dispatch(self, outputs: list[Message]) -> None:
        """Publish what a converter produced; its transfers and custom commands are started here."""
        for output in outputs:
            if output.topic == self._transfer_topic:
                self._start_transfer(output)
            elif output.topic == self._custom_topic:
                self._start_task(self._custom_run(json.loads(output.payload)))
            elif output.topic == self._deadline_topic:
                self._start_task(self._deadline(json.loads(output.payload)))
            else:
                self._publish(output)

    def _start_transfer(self, message: Message) -> None:
        self._start_task(self._transfer(json.loads(message.payload)))

    def _start_task(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._transfer_tasks.add(task)
        task.add_done_callback(self._transfer_tasks.discard)

    async def _deadline(self, deadline: dict[str, Any]) -> None:
        """Wait, then fail the operation if it is still running (``convert.deadlines``)."""
        await asyncio.sleep(float(deadline["seconds"]))
        ctx = Context(self.state, self.runtime.clock.now(), self.config)
        outputs = expire_command(deadline, ctx)
        if outputs:
            log.error("Operation %s: %s", deadline["operationId"], deadline["reason"])
        self._dispatch(outputs)

    async def _custom_run(self, run: dict[str, Any]) -> None:
        """Run the command of a custom operation, then report its outcome."""
        argv = [str(word) for word in run["argv"]]
        result = await run_script(argv, float(run["timeout"]))
        output: str | None = None
        error: str | None = None
        if result.error is not None:
            error = f"{argv[0]} cannot be run: {result.error}"
        elif result.killed or result.exit_code is None:
            error = f"{argv[0]} was killed: it ran past its timeout of {float(run['timeout']):g} s"
        elif result.exit_code != 0:
            detail = result.stderr.strip() or result.stdout.strip()
            error = f"{argv[0]} returned exit code {result.exit_code}" + (f": {detail}" if detail else "")
        else:
            output = result.stdout
        if error is not None:
            log.error("Custom operation %s: %s", run.get("fragment"), error)
        ctx = Context(self.state, self.runtime.clock.now(), self.config)
        for message in finish_custom_run(run, output, error, ctx):
            self._publish(message)

    async def _transfer(self, transfer: dict[str, Any]) -> None:
        """Carry out a file transfer (on the event loop, streamed), then publish what follows it."""
        result: str | None = None
        error: str | None = None
        if self._transfers is None:
            self._transfers = Transfers(
                self.config, self.cloud, local_ssl=self.runtime.file_transfer_ssl,
                local_files=self.runtime.file_transfer_files,
            )  # fmt: skip
        try:
            result = await self._transfers.run(transfer)
        except C8yLinkError as exc:
            error = str(exc)
        except Exception as exc:  # a bug fails the operation, not the mapper
            log.exception("Internal error of a file transfer")
            error = f"Internal error of the mapper: {exc}"
        if transfer["kind"] == LOG_TRANSFER:
            if error is not None:
                log.error("The operation log %s was not uploaded: %s", transfer.get("path"), error)
            self._dispatch(finish_log_upload(transfer))  # the command's status, after its log
            return
        if error is not None:
            log.error("Operation %s: %s", transfer.get("operationId"), error)
        ctx = Context(self.state, self.runtime.clock.now(), self.config)
        self._dispatch(finish_transfer(transfer, result, error, ctx))

    def _publish(self, message: Message) -> None:
        if self.session is not None:
            self.session.publish(message.topic, message.payload, message.qos, message.retain)

    def publish(self, message: Message) -> None:
        """Publish from outside the converter (the proxy's token requests)."""
        self._publish(message)

    def _finish_startup(self) -> None:
        if self._synced:
            return
        self._synced = True
        for message in [*finish_alarm_sync(self.state, self.config),
                        *build_startup_messages(self.state, self.config)]:  # fmt: skip
            self._publish(message)
        self.ready.set()
        log.info("Mapper ready: %d entities known", sum(1 for _ in self.state.entities))

    def _sync_operation_files(self, topic: str) -> None:
        try:
            entity_id, channel = parse_topic(self.config.topic_root, topic)
        except TopicError:
            return
        entity = self.state.entities.get(entity_id)
        if isinstance(channel, CommandMetadata) and entity is not None:
            assert self.runtime.operations_dir is not None
            sync_operation_files(self.runtime.operations_dir, entity, self.state)
