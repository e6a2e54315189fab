"""MQTT devices for tests: certificates made with our own ``infra.tls``, paho-mqtt as the client.

``DeviceCerts`` issues device certificates (tenant CA, or an own CA uploaded as a trusted
certificate); ``PahoDevice`` wraps a paho client with queues so tests wait on events, never sleep.
"""

from __future__ import annotations

import queue
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from c8ylink.infra.tls.ca import CertificateAuthority, create_certificate_authority, issue_certificate
from c8ylink.infra.tls.certs import encode_certificate_pem
from c8ylink.infra.tls.csr import build_csr
from c8ylink.infra.tls.keys import encode_private_key_pem, generate_private_key
from c8ylink.infra.tls.names import build_name
from c8ylink.tenant.background import BackgroundTenant

DEADLINE = 20.0
NO_CONNACK = -1
CONNACK_CODES = {"Success": 0, "Unsupported protocol version": 1, "Client identifier not valid": 2,
                 "Server unavailable": 3, "Bad user name or password": 4, "Not authorized": 5}  # fmt: skip


@dataclass(frozen=True, slots=True)
class CertFiles:
    cert: Path
    key: Path


def write_device_cert(directory: Path, serial: str, issuer: CertificateAuthority, now: Any, *,
                      chain: tuple[CertificateAuthority, ...] = ()) -> CertFiles:  # fmt: skip
    key = generate_private_key()
    leaf = issue_certificate(issuer, build_csr(key, build_name(serial)), now=now)
    files = CertFiles(directory / f"{serial}.pem", directory / f"{serial}.key")
    files.cert.write_bytes(
        encode_certificate_pem(leaf) + b"".join(encode_certificate_pem(ca.certificate) for ca in chain)
    )
    files.key.write_bytes(encode_private_key_pem(key))
    return files


def tenant_ca_cert(tenant: BackgroundTenant, directory: Path, serial: str) -> CertFiles:
    """A device certificate issued by the tenant CA (what EST enrollment hands out)."""
    state = tenant.service.state
    authority = tenant.call(lambda: state.trust.authority)
    assert authority is not None
    return write_device_cert(directory, serial, authority, tenant.call(state.now))


def own_ca(tenant: BackgroundTenant, name: str) -> CertificateAuthority:
    return create_certificate_authority(build_name(name), now=tenant.call(tenant.service.state.now))


def mqtt_address(tenant: BackgroundTenant, key: str = "mqtt_tls") -> tuple[str, int]:
    host, _, port = tenant.info.extra[key].rpartition(":")
    return host, int(port)


class PahoDevice:
    """A paho-mqtt client; ``connect()`` returns the MQTT 3.1.1 CONNACK code."""

    def __init__(
        self,
        tenant: BackgroundTenant,
        client_id: str,
        *,
        cert: CertFiles | None = None,
        username: str | None = None,
        password: str | None = None,
        tls: bool = True,
        protocol: int = mqtt.MQTTv311,
        will: tuple[str, str] | None = None,
    ) -> None:
        self.tenant = tenant
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol)
        self.address = mqtt_address(tenant, "mqtt_tls" if tls else "mqtt")
        if tls:
            context = ssl.create_default_context(cafile=str(tenant.info.ca_file))
            if cert is not None:
                context.load_cert_chain(str(cert.cert), str(cert.key))
            self.client.tls_set_context(context)
        if username is not None:
            self.client.username_pw_set(username, password)
        if will is not None:
            self.client.will_set(will[0], will[1], qos=1)
        self.messages: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.connacks: queue.Queue[int] = queue.Queue()
        self.subacks: queue.Queue[list[int]] = queue.Queue()
        self.disconnected = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda client, userdata, message: self.messages.put(message)
        self.client.on_subscribe = self._on_subscribe
        self.client.on_disconnect = self._on_disconnect

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        self.connacks.put(CONNACK_CODES.get(str(reason), -1))

    def _on_disconnect(self, *args: Any) -> None:
        self.connacks.put(NO_CONNACK)  # read only if the connection ended before any CONNACK
        self.disconnected.set()

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, codes: Any, properties: Any) -> None:
        self.subacks.put([code.value if code.value < 128 else 0x80 for code in codes])

    def connect(self) -> int:
        """The CONNACK code, or ``NO_CONNACK`` when the server closed the connection without one."""
        self.client.connect(*self.address, keepalive=30)
        self.client.loop_start()
        return self.connacks.get(timeout=DEADLINE)

    def subscribe(self, *topics: str, qos: int = 1) -> list[int]:
        self.client.subscribe([(topic, qos) for topic in topics])
        return self.subacks.get(timeout=DEADLINE)

    def publish(self, topic: str, payload: str | bytes, qos: int = 1, retain: bool = False) -> None:
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(DEADLINE)

    def expect(self, topic: str, contains: str = "") -> str:
        """The next message on ``topic`` whose payload contains ``contains`` (others are skipped)."""
        while True:
            message = self.messages.get(timeout=DEADLINE)
            text = message.payload.decode()
            if message.topic == topic and contains in text:
                assert not message.retain, f"server message on {topic} was retained"
                return text

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
