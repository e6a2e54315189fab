"""``MqttListener``: the tenant's MQTT endpoint as a ``TenantServer`` listener.

Two servers: MQTT over TLS (``mqtt_tls_port``, Cumulocity's 8883: a client certificate is asked for
but optional, so username/password over one-way TLS works too) and plain MQTT (``mqtt_port``,
Cumulocity's 1883: username/password only). Sessions are kept by device identifier (a newer one
takes over). The listener turns the tenant's signals into session work: a new operation goes to
its agent's session; a deleted or disabled trusted certificate, or a deleted user, closes the
sessions that depend on it. State changes of a burst of messages are committed once per loop turn.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from functools import partial
from typing import Any

from c8ylink.core.c8y_topics import DEVICECONTROL_NOTIFICATIONS
from c8ylink.core.errors import TlsError
from c8ylink.core.mqtt.packets import ConnackCode, Connect, Publish
from c8ylink.infra.tls.certs import decode_certificate
from c8ylink.infra.tls.contexts import ClientAuth, peer_certificate_chain_der
from c8ylink.tenant.mqtt.auth import DeviceIdentity, Refused, authenticate
from c8ylink.tenant.mqtt.availability import CONNECTED, DISCONNECTED, refresh_availability, set_connection
from c8ylink.tenant.mqtt.connection import DeviceConnection, MqttTimeouts
from c8ylink.tenant.mqtt.custom_templates import operation_lines
from c8ylink.tenant.mqtt.devices import find_object
from c8ylink.tenant.mqtt.downstream import (
    agent_serial,
    json_message,
    mark_delivered,
    operation_messages,
    pending_operations,
)
from c8ylink.tenant.mqtt.endpoint import handle_publish
from c8ylink.tenant.mqtt.lines import Outgoing
from c8ylink.tenant.server import ListenerContext, bind_socket, url_host
from c8ylink.tenant.service import TenantService
from c8ylink.tenant.state.signals import (
    OperationCreated,
    TenantEvent,
    TrustedCertificateChanged,
    TrustedCertificateDeleted,
    UserDeleted,
)

log = logging.getLogger(__name__)
CUMULOCITY_MAX_PACKET = 16_184  # Cumulocity's MQTT packet limit in bytes, fixed header included


class MqttListener:
    name = "mqtt"

    def __init__(
        self, *, max_packet: int = CUMULOCITY_MAX_PACKET, timeouts: MqttTimeouts | None = None
    ) -> None:
        self.max_packet = max_packet
        self.timeouts = timeouts or MqttTimeouts()
        self.sessions: dict[str, DeviceConnection] = {}
        self._all: set[DeviceConnection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._servers: list[asyncio.Server] = []
        self._service: TenantService | None = None
        self._unsubscribe: Any = None
        self._stopping = False
        self._watch: asyncio.Task[None] | None = None

    @property
    def service(self) -> TenantService:
        assert self._service is not None, "the MQTT listener is not started"
        return self._service

    # -- lifecycle -------------------------------------------------------------------------------------
    async def start(self, context: ListenerContext) -> dict[str, Any]:
        self._service = context.service
        config = context.config
        tls_context = context.client_trust.server_context(context.tls, ClientAuth.OPTIONAL)
        tls_socket = bind_socket(config.host, config.mqtt_tls_port, "--mqtt-tls-port")
        plain_socket = bind_socket(config.host, config.mqtt_port, "--mqtt-port")
        self._servers = [
            await asyncio.start_server(
                self._accept,
                sock=tls_socket,
                ssl=tls_context,
                ssl_handshake_timeout=self.timeouts.tls_handshake or config.handshake_timeout,
            ),
            await asyncio.start_server(self._accept, sock=plain_socket),
        ]
        self._unsubscribe = self.service.subscribe(self._on_signal)
        self._watch = asyncio.create_task(self._watch_availability())
        host = url_host(config.host)
        return {"mqtt_tls": f"{host}:{_port(tls_socket)}", "mqtt": f"{host}:{_port(plain_socket)}"}

    async def stop(self) -> None:
        self._stopping = True
        for server in self._servers:
            server.close()
        if self._watch is not None:
            self._watch.cancel()
        for session in list(self._all):
            session.close(will=False)
        tasks = [*self._tasks, *([self._watch] if self._watch else [])]
        await asyncio.gather(*tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._service is not None:
            self._commit()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._stopping:
            writer.transport.abort()
            return
        session = DeviceConnection(self, reader, writer)
        self._all.add(session)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await session.run()
        finally:
            self._all.discard(session)
            if task is not None:
                self._tasks.discard(task)

    async def _watch_availability(self) -> None:
        while True:
            await asyncio.sleep(self.timeouts.availability_period)
            state = self.service.state
            if refresh_availability(state, state.now()):
                self._schedule_commit()

    # -- what sessions ask ------------------------------------------------------------------------------
    def authenticate(self, connect: Connect, writer: asyncio.StreamWriter) -> DeviceIdentity:
        try:
            chain = [
                decode_certificate(der)
                for der in peer_certificate_chain_der(writer.get_extra_info("ssl_object"))
            ]
        except TlsError as exc:
            raise Refused(ConnackCode.NOT_AUTHORIZED, f"unreadable client certificate: {exc}") from exc
        identity = authenticate(self.service.state, connect, chain, self.service.login_guard)
        self._schedule_commit()
        return identity

    def register(self, session: DeviceConnection) -> None:
        assert session.identity is not None
        previous = self.sessions.get(session.identity.serial)
        self.sessions[session.identity.serial] = session
        if previous is not None and previous is not session:
            log.info("MQTT session of %s taken over by a newer connection", session.identity.serial)
            previous.close()

    def handle_publish(self, identity: DeviceIdentity, publish: Publish) -> list[Outgoing]:
        state = self.service.state
        try:
            replies = handle_publish(state, identity, publish.topic, publish.payload, publish.packet_id)
        except Exception:  # a bug must cost one message, not the session
            log.exception("MQTT publish of %s on %s failed", identity.serial, publish.topic)
            replies = [("s/e", f"50,{publish.topic},Internal error of the local tenant".encode())]
        self._schedule_commit()
        return replies

    def device_exists(self, serial: str) -> bool:
        return find_object(self.service.state, serial) is not None

    def device_active(self, session: DeviceConnection) -> None:
        self._update_connection(session)

    def subscribed(self, session: DeviceConnection, filters: list[str]) -> None:
        self._update_connection(session)
        if session.identity is None or session.granted_qos(DEVICECONTROL_NOTIFICATIONS) is None:
            return
        state = self.service.state
        device = find_object(state, session.identity.serial)
        if device is None:
            return
        for operation in pending_operations(state, device, undelivered=True):
            topic, payload = json_message(state, operation)
            if session.deliver(topic, payload):
                mark_delivered(state, operation)
        self._schedule_commit()

    def _update_connection(self, session: DeviceConnection) -> None:
        if session.identity is None or session.connected_status or not session.downstream_subscribed:
            return
        if set_connection(self.service.state, session.identity.serial, CONNECTED):
            session.connected_status = True
            self._schedule_commit()

    def session_ended(self, session: DeviceConnection) -> None:
        identity = session.identity
        if identity is None or self._service is None:
            return
        if self.sessions.get(identity.serial) is session:
            del self.sessions[identity.serial]
            if session.connected_status:
                set_connection(self.service.state, identity.serial, DISCONNECTED)
        will = session.connect.will if session.connect else None
        if (
            will is not None
            and not session.clean_disconnect
            and not session.suppress_will
            and not self._stopping
        ):
            self.handle_publish(identity, Publish(will.topic, will.payload, will.qos))
        self._schedule_commit()

    # -- the tenant's signals ---------------------------------------------------------------------------
    def _on_signal(self, signal: TenantEvent) -> None:
        if isinstance(signal, OperationCreated):
            self._push_operation(signal.operation)
        elif isinstance(signal, TrustedCertificateDeleted) or (
            isinstance(signal, TrustedCertificateChanged) and signal.status != "ENABLED"
        ):
            self._close_where(lambda identity: identity.anchor == signal.fingerprint)
        elif isinstance(signal, UserDeleted):
            self._close_where(lambda identity: identity.username == signal.username)

    def _push_operation(self, operation: dict[str, Any]) -> None:
        state = self.service.state
        serial = agent_serial(state, operation)
        session = self.sessions.get(serial) if serial is not None else None
        if session is None:
            return
        messages = [
            *operation_messages(state, operation),
            *operation_lines(state, operation, session.collections),
        ]
        delivered = [session.deliver(topic, payload) for topic, payload in messages]
        if any(delivered):
            mark_delivered(state, operation)
            self._schedule_commit()

    def _close_where(self, doomed: Any) -> None:
        for session in list(self._all):
            if session.identity is not None and doomed(session.identity):
                log.info("closing the MQTT session of %s", session.identity.serial)
                session.close()

    # -- persistence -----------------------------------------------------------------------------------
    def _schedule_commit(self) -> None:
        """Join the group commit of this loop turn (the disk full: logged by the service, stored with
        the next change)."""
        self.service.commits.schedule()

    def after_commit(self, acknowledge: Callable[[bytes], None], packet: bytes) -> None:
        """Have ``acknowledge(packet)`` called once this turn's changes are committed."""
        self.service.commits.then(partial(acknowledge, packet))

    def _commit(self) -> None:
        self.service.commits.flush()


def _port(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])
