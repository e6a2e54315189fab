"""The asyncio MQTT 3.1.1 client: of the long-running services (``tedge-mapper``, ``tedge-agent``) and,
through ``mqtt_client``, of the CLIs.

Why not paho here: measured on the target machine, paho's packet-at-a-time I/O (a system call per
packet read and written, a lock and a condition per message) caps a mapper at about 5,000
messages/s, half the target. This session parses a whole socket read in one pass with
``core.mqtt`` (``client_decoder``), calls the handler for each message synchronously, and sends everything the
handler published plus the PUBACKs in one write. The CLIs use it through ``mqtt_client.MqttClient``, a
synchronous facade that runs a session on a private event loop.

    session = MqttSession(options, on_message)     # on_message(topic, payload, qos, retain) -> None
    await session.connect()                         # BrokerError / TlsError
    await session.subscribe([("te/#", 1)])
    session.publish("c8y/s/us", b"500", qos=1)      # queued, sent at the end of this loop turn
    await session.publish_wait("t", b"x", qos=1)    # returns once the broker acknowledged it
    await session.wait_closed()                     # raises BrokerError when the connection is lost
    await session.disconnect()

Incoming QoS 1 messages are acknowledged after the handler returned (at least once); QoS 2 (which the
CLIs offer) runs the PUBREC/PUBREL/PUBCOMP exchange and delivers a message once. A handler that
raises is logged and the message still acknowledged. Outgoing QoS 1 messages stay in
``unacknowledged()`` until their PUBACK, so a service can send them again on its next session.
When the socket's write buffer is full, reading pauses until it drains (back-pressure).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable, Sequence
from typing import Any

from c8ylink.core.errors import BrokerError, ProtocolError
from c8ylink.core.mqtt.client_decoder import PacketDecoder
from c8ylink.core.mqtt.encoders import (
    DISCONNECT_PACKET,
    PINGREQ_PACKET,
    encode_ack,
    encode_connect,
    encode_puback,
    encode_publish,
    encode_subscribe,
    encode_unsubscribe,
)
from c8ylink.core.mqtt.packets import (
    CONNACK_REASONS,
    SUBACK_FAILURE,
    ConnAck,
    PubAck,
    PubComp,
    Publish,
    PubRec,
    PubRel,
    SubAck,
    UnsubAck,
)
from c8ylink.core.mqtt.wire import MAX_PACKET_ID, PacketType
from c8ylink.infra.net.mqtt_errors import connect_error
from c8ylink.infra.net.mqtt_options import MqttMessage, MqttOptions

log = logging.getLogger("c8ylink.mqtt")

MessageHandler = Callable[[str, bytes, int, bool], None]
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


class MqttSession:
    def __init__(self, options: MqttOptions, on_message: MessageHandler) -> None:
        self.options = options
        self.on_message = on_message
        self._decoder = PacketDecoder()
        self._transport: asyncio.Transport | None = None
        self._socket: Any = None
        self._out: list[bytes] = []
        self._flush_scheduled = False
        self._receiving = False
        self._next_id = 0
        self._inflight: dict[int, tuple[MqttMessage, asyncio.Future[None] | None]] = {}
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._released: set[int] = set()  # QoS 2 messages received and delivered, waiting for PUBREL
        self._connack: asyncio.Future[ConnAck] | None = None
        self._closed: asyncio.Future[None] | None = None
        self._closing = False
        self._keepalive: asyncio.Task[None] | None = None
        self._last_read = self._last_write = 0.0
        self.session_present = False

    # ----------------------------------------------------------------------------------------- connect

    async def connect(self) -> bool:
        """Open the connection and log in; returns whether the broker kept a session for this client."""
        loop = asyncio.get_running_loop()
        options = self.options
        self._connack = loop.create_future()
        self._closed = loop.create_future()
        context = options.ssl_context()
        try:
            await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Protocol(self),
                    options.host,
                    options.port,
                    ssl=context,
                    server_hostname=options.host if context is not None else None,
                ),
                options.connect_timeout,
            )
            self._send_now(
                encode_connect(
                    options.client_id,
                    keepalive=options.keepalive,
                    clean_session=options.clean_session,
                    username=options.username,
                    password=options.password,
                    will=options.will,
                )
            )
            connack = await asyncio.wait_for(asyncio.shield(self._connack), options.connect_timeout)
        except TimeoutError:
            self.abort()
            raise BrokerError(f"Timed out connecting to the MQTT broker at {options.address}") from None
        except OSError as exc:
            self.abort()
            raise connect_error(options, exc) from None
        if connack.return_code:
            self.abort()
            reason = CONNACK_REASONS.get(connack.return_code, f"code {connack.return_code}")
            raise BrokerError(f"The MQTT broker at {options.address} refused the connection: {reason}")
        self.session_present = connack.session_present
        if options.keepalive:
            self._keepalive = loop.create_task(self._keep_alive(options.keepalive))
        return connack.session_present

    @property
    def connected(self) -> bool:
        return self._transport is not None and self._closed is not None and not self._closed.done()

    # ----------------------------------------------------------------------------------------- publish

    def publish(self, topic: str, payload: bytes, qos: int = 0, retain: bool = False) -> None:
        """Queue a message; it leaves with the next write (at the latest at the end of this loop turn)."""
        if qos:
            packet_id = self._allocate_id()
            self._inflight[packet_id] = (MqttMessage(topic, payload, qos, retain), None)
            self._queue(encode_publish(topic, payload, qos, retain, packet_id))
        else:
            self._queue(encode_publish(topic, payload, 0, retain))

    async def publish_wait(
        self, topic: str, payload: bytes, qos: int = 1, retain: bool = False, timeout: float = 30.0
    ) -> None:
        """Publish and wait for the broker's PUBACK (QoS 1), PUBCOMP (QoS 2) or for the write (QoS 0)."""
        if not qos:
            self.publish(topic, payload, 0, retain)
            self._flush()
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        packet_id = self._allocate_id()
        self._inflight[packet_id] = (MqttMessage(topic, payload, qos, retain), future)
        self._queue(encode_publish(topic, payload, qos, retain, packet_id))
        await self._await(future, timeout, f"the broker to acknowledge a message on {topic}")

    def unacknowledged(self) -> list[MqttMessage]:
        """QoS 1/2 messages sent but not acknowledged yet, oldest first."""
        return [message for message, _ in self._inflight.values()]

    # ----------------------------------------------------------------------------------------- subscribe

    async def subscribe(self, filters: Sequence[tuple[str, int]], timeout: float = 30.0) -> tuple[int, ...]:
        """Subscribe and wait for the SUBACK; ``BrokerError`` if the broker refused a filter."""
        packet_id = self._allocate_id()
        future: asyncio.Future[tuple[int, ...]] = asyncio.get_running_loop().create_future()
        self._waiting[packet_id] = future
        self._queue(encode_subscribe(packet_id, list(filters)))
        codes: tuple[int, ...] = await self._await(future, timeout, "the broker to confirm the subscription")
        refused = [name for (name, _), code in zip(filters, codes, strict=False) if code == SUBACK_FAILURE]
        if refused:
            raise BrokerError(f"The MQTT broker refused the subscription to {', '.join(refused)}")
        return codes

    async def unsubscribe(self, filters: Sequence[str], timeout: float = 30.0) -> None:
        packet_id = self._allocate_id()
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[packet_id] = future
        self._queue(encode_unsubscribe(packet_id, list(filters)))
        await self._await(future, timeout, "the broker to confirm the unsubscription")

    # ----------------------------------------------------------------------------------------- close

    async def wait_closed(self) -> None:
        """Until the connection ends: returns after ``disconnect``, raises ``BrokerError`` if it was lost."""
        assert self._closed is not None, "connect() first"
        await asyncio.shield(self._closed)

    async def disconnect(self) -> None:
        """Send DISCONNECT (the broker then drops the last will) and close."""
        if self._transport is None:
            return
        self._closing = True
        self._send_now(DISCONNECT_PACKET)
        self._transport.close()
        if self._closed is not None:
            with contextlib.suppress(TimeoutError, BrokerError):
                await asyncio.wait_for(asyncio.shield(self._closed), 5.0)

    # ----------------------------------------------------------------------------------------- internals

    async def _await(self, future: asyncio.Future[Any], timeout: float, what: str) -> Any:
        self._flush()
        assert self._closed is not None
        done, _ = await asyncio.wait({future, self._closed}, timeout=timeout, return_when="FIRST_COMPLETED")
        if future in done:
            return future.result()
        if self._closed in done:
            self._closed.result()  # raises BrokerError if lost
            raise BrokerError(f"The connection to the MQTT broker was closed while waiting for {what}")
        raise BrokerError(f"Timed out after {timeout:g} s waiting for {what}")

    def _allocate_id(self) -> int:
        for _ in range(MAX_PACKET_ID):
            self._next_id = self._next_id % MAX_PACKET_ID + 1
            if self._next_id not in self._inflight and self._next_id not in self._waiting:
                return self._next_id
        raise BrokerError("More than 65535 MQTT messages are waiting for the broker's acknowledgement")

    def _queue(self, data: bytes) -> None:
        self._out.append(data)
        if not self._receiving and not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._out and self._transport is not None:
            data = b"".join(self._out) if len(self._out) > 1 else self._out[0]
            self._out.clear()
            self._transport.write(data)
            self._last_write = time.monotonic()

    def _send_now(self, data: bytes) -> None:
        self._out.append(data)
        self._flush()

    def abort(self) -> None:
        """Drop the connection without DISCONNECT (the broker then publishes the last will)."""
        if self._transport is not None:
            self._transport.abort()

    def connection_made(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._socket = transport.get_extra_info("socket")
        self._last_read = self._last_write = time.monotonic()

    def data_received(self, data: bytes) -> None:
        if _QUICKACK is not None and self._socket is not None:
            # ACK at once: the broker's Nagle algorithm would otherwise hold its next packet until our
            # delayed ACK fires (tens of milliseconds), because a PUBACK alone gets no reply from us
            self._socket.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        self._last_read = time.monotonic()
        self._receiving = True
        try:
            for packet in self._decoder.feed(data):
                if type(packet) is Publish:
                    self._deliver(packet)
                else:
                    self._handle_control(packet)
        except ProtocolError as exc:
            log.error("Closing the MQTT connection: %s", exc)
            self._fail(BrokerError(f"The MQTT broker sent invalid data: {exc}"))
            self.abort()
        finally:
            self._receiving = False
            self._flush()

    def _deliver(self, packet: Publish) -> None:
        qos = packet.qos
        if qos == 2:
            if packet.packet_id in self._released:
                self._out.append(encode_ack(PacketType.PUBREC, packet.packet_id))
                return
            self._released.add(packet.packet_id)
        try:
            self.on_message(packet.topic, packet.payload, qos, packet.retain)
        except Exception:  # a handler bug must not stop the connection: log it, ack the message
            log.exception("Error while handling a message on %s", packet.topic)
        if qos == 1:
            self._out.append(encode_puback(packet.packet_id))
        elif qos:
            self._out.append(encode_ack(PacketType.PUBREC, packet.packet_id))

    def _handle_control(self, packet: object) -> None:
        if isinstance(packet, PubAck | PubComp):
            _, future = self._inflight.pop(packet.packet_id, (None, None))
            if future is not None and not future.done():
                future.set_result(None)
        elif isinstance(packet, PubRec):
            self._out.append(encode_ack(PacketType.PUBREL, packet.packet_id))
        elif isinstance(packet, PubRel):
            self._released.discard(packet.packet_id)
            self._out.append(encode_ack(PacketType.PUBCOMP, packet.packet_id))
        elif isinstance(packet, SubAck):
            self._resolve(packet.packet_id, packet.return_codes)
        elif isinstance(packet, UnsubAck):
            self._resolve(packet.packet_id, None)
        elif isinstance(packet, ConnAck) and self._connack is not None and not self._connack.done():
            self._connack.set_result(packet)

    def _resolve(self, packet_id: int, value: object) -> None:
        future = self._waiting.pop(packet_id, None)
        if future is not None and not future.done():
            future.set_result(value)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if self._keepalive is not None:
            self._keepalive.cancel()
        if self._closing:
            error: BrokerError | None = None
        else:
            reason = f": {exc}" if exc else ""
            error = BrokerError(
                f"The connection to the MQTT broker at {self.options.address} was lost{reason}"
            )
        self._fail(error)

    def _fail(self, error: BrokerError | None) -> None:
        pending: list[asyncio.Future[Any]] = [*self._waiting.values()]
        pending += [future for _, future in self._inflight.values() if future is not None]
        if self._connack is not None:
            pending.append(self._connack)
        for future in pending:
            if not future.done():
                future.set_exception(error or BrokerError("The MQTT connection was closed"))
                future.exception()  # retrieved: nobody may be waiting any more
        self._waiting.clear()
        if self._closed is not None and not self._closed.done():
            if error is None:
                self._closed.set_result(None)
            else:
                self._closed.set_exception(error)
                self._closed.exception()

    async def _keep_alive(self, interval: int) -> None:
        while self._transport is not None:
            await asyncio.sleep(interval / 2)
            now = time.monotonic()
            if now - self._last_read > interval * 1.5:
                log.error("No answer from the MQTT broker for %d s: closing the connection", interval)
                self.abort()
                return
            if now - self._last_write >= interval / 2:
                self._send_now(PINGREQ_PACKET)

    def pause_writing(self) -> None:
        if self._transport is not None:
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        if self._transport is not None:
            self._transport.resume_reading()


class _Protocol(asyncio.Protocol):
    """Forwards the transport's callbacks to the session (kept apart so the session's API stays clean)."""

    def __init__(self, session: MqttSession) -> None:
        self.session = session

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.session.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self.session.data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.session.connection_lost(exc)

    def pause_writing(self) -> None:
        self.session.pause_writing()

    def resume_writing(self) -> None:
        self.session.resume_writing()
