"""The synchronous face of the one MQTT client, for the CLIs (``tedge mqtt pub|sub``, the ``tedge
connect`` checks) and tests: an ``mqtt_session.MqttSession`` run on a private event loop.

    with MqttClient(MqttOptions(host="127.0.0.1", port=1883, client_id="tedge-pub")) as client:
        client.subscribe([("c8y/s/dat", 1)])                  # waits for the SUBACK
        client.publish("c8y/s/uat", b"", qos=1)              # QoS 1/2 waits for the PUBACK/PUBCOMP
        message = client.next_message(timeout=10)            # MqttMessage, or None after the timeout

``connect`` honours TLS (``MqttOptions.ca_file/ca_dir/cert_file/key_file``), username/password and a
last will. Every failure is a ``BrokerError`` (or a ``TlsError`` for handshakes) whose message says
what happened: ``Failed to connect to the MQTT broker at 127.0.0.1:1883: Connection refused``. A
connection that drops is not re-established: ``next_message`` then raises ``BrokerError``.

The loop runs in a daemon thread of its own, so a client works the same from plain code, from another
thread and from inside a running event loop (an async test); the calling thread only ever waits on a
queue or a future, which Ctrl-C interrupts at once (``KeyboardInterrupt``; ``disconnect`` still works
afterwards).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import queue
import threading
from collections.abc import Coroutine, Iterator, Sequence
from types import TracebackType
from typing import Any, TypeVar

from c8ylink.core.errors import BrokerError
from c8ylink.infra.net.mqtt_options import MqttMessage, MqttOptions
from c8ylink.infra.net.mqtt_session import MqttSession

__all__ = ["MqttClient", "MqttMessage", "MqttOptions"]

T = TypeVar("T")
_DISCONNECTED = object()
DISCONNECT_TIMEOUT = 5.0


class MqttClient:
    def __init__(self, options: MqttOptions) -> None:
        self.options = options
        self._messages: queue.Queue[object] = queue.Queue()
        self._session = MqttSession(options, self._received)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _serve(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop's thread: run until stopped, then close what is left (a transport, the watcher)."""
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            self._session.abort()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            asyncio.set_event_loop(None)
            loop.close()

    def _received(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        self._messages.put(MqttMessage(topic, payload, qos, retain))

    # ----------------------------------------------------------------------------------------- API

    def connect(self) -> None:
        """Connect and wait for the broker's CONNACK (``options.connect_timeout``)."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=self._serve, args=(loop,), name="mqtt-client", daemon=True)
        self._thread.start()
        try:
            self._run(self._connect())
        except BaseException:
            self._stop()
            raise

    async def _connect(self) -> None:
        await self._session.connect()
        asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        with contextlib.suppress(BrokerError):
            await self._session.wait_closed()
        self._messages.put(_DISCONNECTED)

    def publish(
        self, topic: str, payload: bytes | str, *, qos: int = 0, retain: bool = False, timeout: float = 30.0
    ) -> None:
        """Publish; with QoS 1 or 2 return only once the broker acknowledged the message."""
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        self._run(self._session.publish_wait(topic, data, qos, retain, timeout))

    def subscribe(self, filters: Sequence[tuple[str, int]], *, timeout: float = 30.0) -> tuple[int, ...]:
        """Subscribe and wait for the SUBACK; returns the granted QoS per filter."""
        return self._run(self._session.subscribe(filters, timeout))

    def next_message(self, timeout: float | None = None) -> MqttMessage | None:
        """The next message received; ``None`` after ``timeout`` s; ``BrokerError`` if disconnected."""
        try:
            item = self._messages.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _DISCONNECTED:
            self._messages.put(_DISCONNECTED)  # later calls see it too
            raise BrokerError(f"The client was disconnected from the MQTT broker at {self.options.address}")
        assert isinstance(item, MqttMessage)
        return item

    def messages(self, timeout: float | None = None) -> Iterator[MqttMessage]:
        """Messages until ``timeout`` s pass without one (forever with ``None``)."""
        while (message := self.next_message(timeout)) is not None:
            yield message

    def disconnect(self) -> None:
        """Send DISCONNECT (the broker then drops the last will), close, and end the loop's thread."""
        if self._loop is None:
            return
        try:
            with contextlib.suppress(BrokerError, concurrent.futures.TimeoutError):
                self._run(self._session.disconnect(), DISCONNECT_TIMEOUT)
        finally:
            self._stop()

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coroutine`` on the loop and wait for its result (its exception is raised here)."""
        if self._loop is None or not self._loop.is_running():
            coroutine.close()
            raise BrokerError(f"The client is not connected to the MQTT broker at {self.options.address}")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()  # Ctrl-C (or a timeout) while waiting: stop the coroutine too
            raise

    def _stop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # already closed
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(DISCONNECT_TIMEOUT)

    def __enter__(self) -> MqttClient:
        self.connect()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.disconnect()
