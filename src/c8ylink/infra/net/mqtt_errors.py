"""Connection failures of both MQTT clients, in one wording."""

from __future__ import annotations

from c8ylink.core.errors import BrokerError, C8yLinkError
from c8ylink.infra.net.mqtt_options import MqttOptions
from c8ylink.infra.net.tls_errors import find_ssl_error, tls_error_from_ssl


def connect_error(options: MqttOptions, exc: OSError) -> C8yLinkError:
    """``TlsError`` for a failed handshake, else ``BrokerError`` naming the broker and the reason."""
    ssl_error = find_ssl_error(exc)
    if ssl_error is not None:
        return tls_error_from_ssl(ssl_error, options.address)
    reason = exc.strerror or str(exc) or type(exc).__name__
    return BrokerError(f"Failed to connect to the MQTT broker at {options.address}: {reason}")
