"""A small synchronous MQTT client over paho-mqtt 2.x for the CLIs (``tedge connect`` checks,
``tedge mqtt pub|sub``) and tests.

    with MqttClient(MqttOptions(host="127.0.0.1", port=1883, client_id="tedge-pub")) as client:
        client.subscribe([("c8y/s/dat", 1)])                  # waits for the SUBACK
        client.publish("c8y/s/uat", b"", qos=1)              # QoS 1 waits for the PUBACK
        message = client.next_message(timeout=10)            # MqttMessage, or None after the timeout

``connect`` honours TLS (``MqttOptions.ca_file/ca_dir/cert_file/key_file``), username/password and a
last will. Every failure is a ``BrokerError`` (or a ``TlsError`` for handshakes) whose message says
what happened: ``Failed to connect to the MQTT broker at 127.0.0.1:1883: Connection refused``; no
paho type or exception leaves this module. A connection that drops is not re-established:
``next_message`` then raises ``BrokerError``.

The long-running services use ``mqtt_session`` instead (asyncio, batched I/O; see its docstring).
"""

from __future__ import annotations

import queue
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from c8ylink.core.errors import BrokerError
from c8ylink.infra.net.mqtt_errors import connect_error
from c8ylink.infra.net.mqtt_options import MqttMessage, MqttOptions

__all__ = ["MqttClient", "MqttMessage", "MqttOptions"]

_DISCONNECTED = object()


class _ClosingSSLSocket(ssl.SSLSocket):
    """paho leaves a socket whose handshake failed open; this one closes itself."""

    def do_handshake(self, block: bool = False) -> None:
        try:
            super().do_handshake(block)
        except BaseException:
            self.close()
            raise


class MqttClient:
    def __init__(self, options: MqttOptions) -> None:
        self.options = options
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=options.client_id,
            clean_session=options.clean_session,
            protocol=paho.MQTTv311,
            reconnect_on_failure=False,
        )
        self._messages: queue.Queue[Any] = queue.Queue()
        self._connected = threading.Event()
        self._connect_result: Any = None
        self._subscribed: dict[int, Any] = {}
        self._sub_event = threading.Condition()
        self._closing = False
        self._lost = False
        client = self._client
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe

    # ----------------------------------------------------------------------------------------- callbacks

    def _on_connect(self, _client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        self._connect_result = reason
        self._connected.set()

    def _on_disconnect(self, _client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if not self._closing:
            self._lost = True
        self._connected.set()  # unblock a connect() that is still waiting
        self._messages.put(_DISCONNECTED)

    def _on_message(self, _client: Any, _userdata: Any, message: Any) -> None:
        self._messages.put(
            MqttMessage(message.topic, bytes(message.payload), message.qos, bool(message.retain))
        )

    def _on_subscribe(self, _client: Any, _userdata: Any, mid: int, codes: Any, _props: Any) -> None:
        with self._sub_event:
            self._subscribed[mid] = codes
            self._sub_event.notify_all()

    # ----------------------------------------------------------------------------------------- API

    def connect(self) -> None:
        """Connect and wait for the broker's CONNACK (``options.connect_timeout``)."""
        options, client = self.options, self._client
        context = options.ssl_context()
        if context is not None:
            context.sslsocket_class = _ClosingSSLSocket
            client.tls_set_context(context)
        if options.username is not None:
            client.username_pw_set(options.username, options.password)
        if options.will is not None:
            will = options.will
            client.will_set(will.topic, will.payload, will.qos, will.retain)
        client.connect_timeout = options.connect_timeout
        try:
            client.connect(options.host, options.port, keepalive=options.keepalive)
        except OSError as exc:
            raise connect_error(options, exc) from None
        client.loop_start()
        if not self._connected.wait(options.connect_timeout):
            self._stop()
            raise BrokerError(f"Timed out connecting to the MQTT broker at {options.address}")
        reason = self._connect_result
        if reason is None or reason.is_failure:
            self._stop()
            text = "the connection was closed" if reason is None else str(reason).lower()
            raise BrokerError(f"The MQTT broker at {options.address} refused the connection: {text}")

    def publish(
        self, topic: str, payload: bytes | str, *, qos: int = 0, retain: bool = False, timeout: float = 30.0
    ) -> None:
        """Publish; with QoS 1 return only once the broker acknowledged the message."""
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        try:
            info = self._client.publish(topic, data, qos=qos, retain=retain)
            info.wait_for_publish(timeout)
        except (RuntimeError, ValueError) as exc:
            raise BrokerError(f"Failed to publish on {topic}: {exc}") from None
        if not info.is_published():
            raise BrokerError(f"Timed out after {timeout:g} s waiting for the broker to acknowledge {topic}")

    def subscribe(self, filters: Sequence[tuple[str, int]], *, timeout: float = 30.0) -> tuple[int, ...]:
        """Subscribe and wait for the SUBACK; returns the granted QoS per filter."""
        result, mid = self._client.subscribe(list(filters))
        if result != paho.MQTT_ERR_SUCCESS or mid is None:
            raise BrokerError(f"Failed to subscribe to {', '.join(f for f, _ in filters)}: not connected")
        deadline = time.monotonic() + timeout
        with self._sub_event:
            while mid not in self._subscribed:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._lost:
                    raise BrokerError("No answer from the MQTT broker to the subscription request")
                self._sub_event.wait(min(remaining, 0.5))
            codes = self._subscribed.pop(mid)
        refused = [name for (name, _), code in zip(filters, codes, strict=False) if code.is_failure]
        if refused:
            raise BrokerError(f"The MQTT broker refused the subscription to {', '.join(refused)}")
        return tuple(int(code.value) for code in codes)

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
        self._closing = True
        self._client.disconnect()
        self._stop()

    def _stop(self) -> None:
        self._closing = True
        self._client.loop_stop()

    def __enter__(self) -> MqttClient:
        self.connect()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.disconnect()
