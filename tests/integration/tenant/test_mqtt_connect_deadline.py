"""The tenant's MQTT endpoint drops a client whose CONNECT does not arrive whole within one deadline,
however the bytes trickle in (a read of a few bytes does not start the wait again); on the TLS port
also a client that never starts (or never finishes) its TLS handshake, after the tenant's
``handshake_timeout``, and one that finishes it but never sends CONNECT."""

from __future__ import annotations

import select
import socket
import ssl
import time
from collections.abc import Callable

import pytest

from c8ylink.core.mqtt.encoders import encode_connect
from c8ylink.tenant.background import BackgroundTenant

from .mqtt_devices import mqtt_address

pytestmark = pytest.mark.integration
BYTE_EVERY = 0.2  # seconds between two bytes of the CONNECT
DEADLINE = 1.0  # the tenant's CONNECT deadline in this test
GIVE_UP = 20.0  # a generous bound: the test fails rather than hangs


def _send_slowly(sock: socket.socket, packet: bytes) -> int:
    """Send ``packet`` a byte at a time, waiting up to ``BYTE_EVERY`` for the server to close the
    connection after each; the number of bytes sent when it did (``len(packet)`` if it never did)."""
    give_up = time.monotonic() + GIVE_UP
    for sent in range(len(packet)):
        try:
            sock.sendall(packet[sent : sent + 1])
        except (BrokenPipeError, ConnectionResetError):
            return sent
        readable, _, _ = select.select([sock], [], [], BYTE_EVERY)
        if readable:
            try:
                if sock.recv(64) == b"":
                    return sent + 1
            except ConnectionResetError:
                return sent + 1
            assert sent + 1 == len(packet), "the tenant answered an incomplete CONNECT"
            return len(packet)  # the CONNACK
        assert time.monotonic() < give_up, "the tenant kept the connection open"
    return len(packet)


def test_a_connect_sent_a_byte_at_a_time_is_dropped_at_the_deadline(
    start_tenant: Callable[..., BackgroundTenant],
) -> None:
    from c8ylink.tenant.mqtt.connection import MqttTimeouts
    from c8ylink.tenant.mqtt.listener import MqttListener

    listener = MqttListener(timeouts=MqttTimeouts(connect=DEADLINE))
    packet = encode_connect("slow-device", username="t100/device_slow-device", password="a-long-password")
    assert len(packet) * BYTE_EVERY > 3 * DEADLINE  # each byte arrives well within the deadline
    with start_tenant(mqtt=False, listeners=[listener]) as tenant:
        started = time.monotonic()
        with socket.create_connection(mqtt_address(tenant, "mqtt"), timeout=GIVE_UP) as sock:
            sent = _send_slowly(sock, packet)
        elapsed = time.monotonic() - started
    assert sent < len(packet), "the whole CONNECT was sent before the tenant closed the connection"
    assert elapsed < GIVE_UP


def _closed_by_peer(sock: socket.socket) -> bool:
    """Whether the tenant closes the connection (EOF or reset), sending nothing, well before its
    default deadlines (15 s) would have: within ``5 * DEADLINE``."""
    sock.settimeout(5 * DEADLINE)
    try:
        return sock.recv(64) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_a_client_that_never_sends_a_client_hello_to_the_mqtt_tls_port_is_dropped(
    start_tenant: Callable[..., BackgroundTenant],
) -> None:
    with start_tenant(handshake_timeout=DEADLINE) as tenant:
        with socket.create_connection(mqtt_address(tenant, "mqtt_tls"), timeout=GIVE_UP) as idle:
            assert _closed_by_peer(idle)
        with socket.create_connection(mqtt_address(tenant, "mqtt_tls"), timeout=GIVE_UP) as slow:
            slow.sendall(b"\x16\x03\x01")  # the start of a ClientHello, never finished
            assert _closed_by_peer(slow)


def test_a_tls_client_that_never_sends_connect_is_dropped(
    start_tenant: Callable[..., BackgroundTenant],
) -> None:
    from c8ylink.tenant.mqtt.connection import MqttTimeouts
    from c8ylink.tenant.mqtt.listener import MqttListener

    listener = MqttListener(timeouts=MqttTimeouts(connect=DEADLINE))
    with start_tenant(mqtt=False, listeners=[listener]) as tenant:
        context = ssl.create_default_context(cafile=str(tenant.info.ca_file))
        raw = socket.create_connection(mqtt_address(tenant, "mqtt_tls"), timeout=GIVE_UP)
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:  # the handshake succeeds
            assert _closed_by_peer(sock)
