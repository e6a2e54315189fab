"""``DeviceConnection``: one MQTT connection of a device, the I/O shell around ``endpoint`` (asyncio
streams).

CONNECT first, whole within ``MqttTimeouts.connect`` of the connection (one deadline, however the bytes
trickle in), CONNACK with the code ``auth`` decided, then PUBLISH
(QoS 0/1/2), SUBSCRIBE (only downstream topics, else 0x80), UNSUBSCRIBE, PINGREQ, DISCONNECT.
A frame over the packet limit, malformed traffic or a silent client (1.5 x keep-alive) closes the
connection; so does a newer session of the same device. Server messages are sent only to this
session, only on topics it subscribed, at the granted QoS, never retained; while the device has no
managed object yet they are held back (cumulocity-api.md §1.5).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from c8ylink.core.c8y_topics import DEFAULT_DOWNSTREAM, SMARTREST_DOWNSTREAM, subscription_allowed
from c8ylink.core.errors import MqttProtocolError, UnsupportedProtocol
from c8ylink.core.mqtt.encoders import (
    PINGRESP_PACKET,
    encode_ack,
    encode_connack,
    encode_puback,
    encode_publish,
    encode_suback,
)
from c8ylink.core.mqtt.packets import SUBACK_FAILURE, ConnackCode, Connect, Publish
from c8ylink.core.mqtt.server_decoder import (
    Frame,
    PacketReader,
    decode_connect,
    decode_packet_id,
    decode_publish,
    decode_subscribe,
    decode_unsubscribe,
)
from c8ylink.core.mqtt.topic import TopicFilter
from c8ylink.core.mqtt.wire import MAX_PACKET_ID, PacketType
from c8ylink.tenant.mqtt.auth import DeviceIdentity, Refused
from c8ylink.tenant.mqtt.lines import Outgoing

if TYPE_CHECKING:
    from c8ylink.tenant.mqtt.listener import MqttListener

log = logging.getLogger(__name__)
READ_SIZE = 65536
MAX_WITHHELD = 1000


@dataclass(frozen=True, slots=True)
class MqttTimeouts:
    """The fixed times of the MQTT endpoint, in seconds (tests shorten them)."""

    connect: float = 10.0  # from the connection (after TLS) to a whole CONNECT packet
    close: float = 5.0  # flushing what is buffered when a connection ends
    tls_handshake: float | None = None  # None: the tenant's handshake_timeout (as its REST ports)
    availability_period: float = 30.0  # how often devices' availability is re-evaluated


class DeviceConnection:
    def __init__(
        self, listener: MqttListener, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.listener = listener
        self.reader = reader
        self.writer = writer
        self.identity: DeviceIdentity | None = None
        self.connect: Connect | None = None
        self.subscriptions: dict[str, tuple[TopicFilter, int]] = {}
        self.clean_disconnect = False
        self.suppress_will = False
        self.bound = False  # the device has a managed object: downstream messages may flow
        self.connected_status = False
        self._withheld: list[Outgoing] = []
        self._next_id = 0
        self._qos2_inbound: set[int] = set()
        self._frames = PacketReader(listener.max_packet)
        self.closed = asyncio.Event()

    # -- running ---------------------------------------------------------------------------------------
    async def run(self) -> None:
        try:
            await self._serve()
        except (MqttProtocolError, ConnectionError, TimeoutError, OSError) as exc:
            log.debug("MQTT session %s closed: %s", self._name, exc)
        except Exception:  # a bug closes one session, never the listener
            log.exception("MQTT session %s failed", self._name)
        finally:
            await self._close_transport()
            self.closed.set()
            self.listener.session_ended(self)

    async def _close_transport(self) -> None:
        """Flush what is buffered (a refusing CONNACK, the last acknowledgements), then close."""
        if self.writer.transport.is_closing():
            return
        self.writer.close()
        try:
            async with asyncio.timeout(self.listener.timeouts.close):
                await self.writer.wait_closed()
        except (TimeoutError, ConnectionError, OSError):
            self.writer.transport.abort()

    @property
    def _name(self) -> str:
        return self.connect.client_id if self.connect else "(before CONNECT)"

    async def _read_frames(self, timeout: float | None) -> list[Frame]:
        async with asyncio.timeout(timeout):
            data = await self.reader.read(READ_SIZE)
        if not data:
            raise ConnectionError("connection closed by the client")
        return self._frames.feed(data)

    async def _serve(self) -> None:
        async with asyncio.timeout(self.listener.timeouts.connect):  # one deadline for the whole CONNECT
            data = await self.reader.read(READ_SIZE)
            if not data:
                raise ConnectionError("connection closed by the client")
            if data[0] != PacketType.CONNECT << 4:  # not MQTT (or not CONNECT first): no need to wait
                raise MqttProtocolError("the first packet must be CONNECT")
            frames = self._frames.feed(data)
            while not frames:
                frames = await self._read_frames(None)
        packet_type, _, body = frames.pop(0)
        if packet_type != PacketType.CONNECT:
            raise MqttProtocolError("the first packet must be CONNECT")
        if not self._accept(body):
            await self.writer.drain()
            return
        keep_alive = self.connect.keep_alive * 1.5 if self.connect and self.connect.keep_alive else None
        while True:
            for packet_type, flags, body in frames:
                if not self._handle(packet_type, flags, body):
                    await self.writer.drain()
                    return
            if self.writer.transport.get_write_buffer_size() > READ_SIZE:
                await self.writer.drain()
            frames = await self._read_frames(keep_alive)

    def _accept(self, body: bytes) -> bool:
        try:
            self.connect = decode_connect(body)
        except UnsupportedProtocol as exc:
            log.info("MQTT client refused: %s", exc)
            self.writer.write(encode_connack(ConnackCode.UNACCEPTABLE_PROTOCOL))
            return False
        try:
            self.identity = self.listener.authenticate(self.connect, self.writer)
        except Refused as exc:
            log.info("MQTT client %r refused (CONNACK %d): %s", self.connect.client_id, exc.code, exc.reason)
            self.writer.write(encode_connack(exc.code))
            return False
        self.listener.register(self)
        self.writer.write(encode_connack(ConnackCode.ACCEPTED))
        return True

    # -- incoming packets --------------------------------------------------------------------------------
    def _handle(self, packet_type: int, flags: int, body: bytes) -> bool:
        """Handle one packet; False when the session ends."""
        if packet_type == PacketType.PUBLISH:
            self._on_publish(decode_publish(flags, body))
        elif packet_type == PacketType.PUBREL:
            packet_id = decode_packet_id(body)
            self._qos2_inbound.discard(packet_id)
            self.writer.write(encode_ack(PacketType.PUBCOMP, packet_id))
        elif packet_type == PacketType.PUBREC:
            self.writer.write(encode_ack(PacketType.PUBREL, decode_packet_id(body)))
        elif packet_type in (PacketType.PUBACK, PacketType.PUBCOMP):
            decode_packet_id(body)
        elif packet_type == PacketType.SUBSCRIBE:
            self._on_subscribe(flags, body)
        elif packet_type == PacketType.UNSUBSCRIBE:
            request = decode_unsubscribe(flags, body)
            for topic_filter in request.filters:
                self.subscriptions.pop(topic_filter, None)
            self.writer.write(encode_ack(PacketType.UNSUBACK, request.packet_id))
        elif packet_type == PacketType.PINGREQ:
            self.writer.write(PINGRESP_PACKET)
        elif packet_type == PacketType.DISCONNECT:
            self.clean_disconnect = True
            return False
        else:
            raise MqttProtocolError(f"unexpected packet type {packet_type} from a client")
        return True

    def _on_publish(self, publish: Publish) -> None:
        duplicate = publish.qos == 2 and publish.packet_id in self._qos2_inbound
        if not duplicate:
            self._process(publish)
        if publish.qos == 1:
            self.listener.after_commit(self._acknowledge, encode_puback(publish.packet_id))
        elif publish.qos == 2:
            self._qos2_inbound.add(publish.packet_id)
            self.listener.after_commit(self._acknowledge, encode_ack(PacketType.PUBREC, publish.packet_id))

    def _acknowledge(self, packet: bytes) -> None:
        """Write a PUBACK/PUBREC once the message it answers is stored (the turn's group commit)."""
        if not self.writer.transport.is_closing():
            self.writer.write(packet)

    def _process(self, publish: Publish) -> None:
        assert self.identity is not None
        replies = self.listener.handle_publish(self.identity, publish)
        if not self.bound and self.listener.device_exists(self.identity.serial):
            self.bound = True
            for topic, payload in self._withheld:
                self.deliver(topic, payload)
            self._withheld.clear()
        self.listener.device_active(self)
        for topic, payload in replies:
            self.deliver(topic, payload, reply=True)

    def _on_subscribe(self, flags: int, body: bytes) -> None:
        request = decode_subscribe(flags, body)
        codes: list[int] = []
        granted: list[str] = []
        for topic_filter, qos in request.filters:
            if subscription_allowed(topic_filter):
                self.subscriptions[topic_filter] = (TopicFilter(topic_filter), qos)
                codes.append(qos)
                granted.append(topic_filter)
            else:
                log.info("MQTT client %s may not subscribe to %r", self._name, topic_filter)
                codes.append(SUBACK_FAILURE)
        self.writer.write(encode_suback(request.packet_id, codes))
        if granted:
            self.listener.subscribed(self, granted)

    # -- outgoing --------------------------------------------------------------------------------------
    @property
    def downstream_subscribed(self) -> bool:
        return self.granted_qos(SMARTREST_DOWNSTREAM) is not None

    @property
    def collections(self) -> list[tuple[str, str]]:
        """``(xid, topic)`` of the custom collections whose responses this session subscribed:
        ``s/dc/<xid>``, and ``s/dd`` for the default collection named in the client id."""
        prefix = "s/dc/"
        found = [
            (f[len(prefix) :], f)
            for f in self.subscriptions
            if f.startswith(prefix) and "+" not in f and "#" not in f
        ]
        default = self.identity.template_xid if self.identity is not None else None
        if default and self.granted_qos(DEFAULT_DOWNSTREAM) is not None:
            found.append((default, DEFAULT_DOWNSTREAM))
        return found

    def granted_qos(self, topic: str) -> int | None:
        granted = [qos for topic_filter, qos in self.subscriptions.values() if topic_filter.matches(topic)]
        return max(granted) if granted else None

    def deliver(self, topic: str, payload: bytes, *, reply: bool = False) -> bool:
        """Send a server message if the session subscribed to ``topic``; True when it was sent (or held)."""
        qos = self.granted_qos(topic)
        if qos is None or self.writer.transport.is_closing():
            return False
        if not reply and not self.bound:
            self.bound = self.identity is not None and self.listener.device_exists(self.identity.serial)
        if not self.bound and not reply:
            if len(self._withheld) < MAX_WITHHELD:
                self._withheld.append((topic, payload))
            return True
        packet_id = 0
        if qos:
            self._next_id = self._next_id % MAX_PACKET_ID + 1
            packet_id = self._next_id
        self.writer.write(encode_publish(topic, payload, qos, False, packet_id))
        return True

    def close(self, *, will: bool = True) -> None:
        """End the session from the server side (take-over, revoked certificate, shutdown)."""
        self.suppress_will = self.suppress_will or not will
        self.writer.transport.abort()
