"""The connect steps that talk to Cumulocity over MQTT (tedge.md §3.4 step 5, §3.5).

    checks = MqttCloudChecks(now=clock.now)
    checks.create_device(config, cert_path)   # direct MQTT/TLS to c8y.mqtt: 100,<id>,<type> on s/us, PUBACK
    checks.check_connection(config)           # through the local bridge: s/uat -> 71 (or 123 -> 124)
    checks.connected_tenant(config)           # the iss claim of a token obtained through the bridge

Before anything goes on the wire, ``load_tls_identity`` reads the device certificate and key (the
"Failed to create TLS client config: ..." errors of the user docs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from c8ylink.core.errors import C8yLinkError
from c8ylink.device.cert_files import check_key_matches, load_device_certificate, load_device_key
from c8ylink.device.connect_config import ConnectConfig


@dataclass(frozen=True, slots=True)
class TlsIdentity:
    """The certificate (file) and key (file) the device presents, and when the certificate expires."""

    cert_path: str
    key_path: str
    not_after: datetime


def load_tls_identity(config: ConnectConfig, cert_path: str) -> TlsIdentity:
    """Check that the certificate and its key can be read and belong together."""
    key_path = config.connection.key_path
    try:
        if config.cryptoki_mode != "off":
            raise C8yLinkError(
                f"device.cryptoki.mode is '{config.cryptoki_mode}': keys in a hardware security module are "
                "not supported by c8ylink; set it to 'off' and use a key file"
            )
        certificate = load_device_certificate(cert_path)
        key = load_device_key(key_path)
        check_key_matches(key, certificate, key_path=key_path, cert_path=cert_path)
    except C8yLinkError as exc:
        raise C8yLinkError("Failed to create TLS client config") from exc
    return TlsIdentity(cert_path, key_path, certificate.not_valid_after_utc)


class MqttCloudChecks:
    def __init__(self, *, now: Callable[[], datetime]) -> None:
        self.now = now

    def create_device(self, config: ConnectConfig, cert_path: str) -> None:
        if not config.basic_auth:
            load_tls_identity(config, cert_path)
        raise C8yLinkError("creating the device over MQTT needs the MQTT client of issue 9 (not merged yet)")

    def check_connection(self, config: ConnectConfig) -> None:
        raise C8yLinkError("the connection check needs the MQTT client of issue 9 (not merged yet)")

    def connected_tenant(self, config: ConnectConfig) -> str:
        raise C8yLinkError("the tenant check needs the MQTT client of issue 9 (not merged yet)")
