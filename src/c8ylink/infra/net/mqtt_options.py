"""How to reach an MQTT broker: one value for the asyncio session (``mqtt_session``) and its
synchronous face (``mqtt_client``), and the TLS context it implies.

TLS is used when a CA file or directory is given (the broker's certificate is checked against it,
hostname included) and a client certificate is presented when ``cert_file`` is set, as thin-edge's
``mqtt.client.auth.*`` settings do. ``trust_paths`` trusts what each of several paths holds, as
tedge's ``c8y.root_cert_path`` (``tedge connect`` creating the device over a direct connection);
``client_auth_in_handshake`` then caps TLS at 1.2 so that a refused client certificate fails the
handshake with the server's reason. Importing this module loads neither asyncio nor ssl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from c8ylink.core.mqtt.packets import Will

if TYPE_CHECKING:
    import ssl

__all__ = ["MqttMessage", "MqttOptions", "Will"]


@dataclass(frozen=True, slots=True)
class MqttOptions:
    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str = ""
    clean_session: bool = True
    keepalive: int = 60
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    ca_dir: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    will: Will | None = None
    connect_timeout: float = 60.0
    # tedge's c8y.root_cert_path way: every path a PEM file or a directory of them (hashed or not)
    trust_paths: tuple[str, ...] = ()
    client_auth_in_handshake: bool = False  # TLS 1.2 at most: a refused certificate fails the handshake

    @property
    def uses_tls(self) -> bool:
        return bool(self.ca_file or self.ca_dir or self.cert_file or self.trust_paths)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def ssl_context(self) -> ssl.SSLContext | None:
        """The client TLS context, or ``None`` for plain TCP; ``TlsError`` for unreadable files."""
        if not self.uses_tls:
            return None
        if self.trust_paths:
            from c8ylink.infra.tls.contexts import build_trusting_client_context

            return build_trusting_client_context(
                self.trust_paths,
                cert_file=self.cert_file,
                key_file=self.key_file,
                client_auth_in_handshake=self.client_auth_in_handshake,
            )
        from c8ylink.infra.tls.contexts import build_client_context

        return build_client_context(
            ca_file=self.ca_file, ca_dir=self.ca_dir, cert_file=self.cert_file, key_file=self.key_file
        )


@dataclass(frozen=True, slots=True)
class MqttMessage:
    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8", errors="replace")
