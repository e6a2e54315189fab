"""How to reach an MQTT broker: one value shared by the sync client (``mqtt``) and the asyncio session
(``mqtt_session``), and the TLS context it implies.

TLS is used when a CA file or directory is given (the broker's certificate is checked against it,
hostname included) and a client certificate is presented when ``cert_file`` is set, as thin-edge's
``mqtt.client.auth.*`` settings do. Importing this module loads neither paho nor ssl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from c8ylink.core.mqtt_packets import Will

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

    @property
    def uses_tls(self) -> bool:
        return bool(self.ca_file or self.ca_dir or self.cert_file)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def ssl_context(self) -> ssl.SSLContext | None:
        """The client TLS context, or ``None`` for plain TCP; ``TlsError`` for unreadable files."""
        if not self.uses_tls:
            return None
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
