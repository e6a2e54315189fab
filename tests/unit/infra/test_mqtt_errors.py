"""How a failed MQTT connection is worded: the system's text for the error, whatever asyncio made of it."""

from __future__ import annotations

import errno
import os
import socket
import ssl

import pytest

from c8ylink.core.errors import BrokerError, TlsError
from c8ylink.infra.net.mqtt_errors import connect_error
from c8ylink.infra.net.mqtt_options import MqttOptions

PLAIN = MqttOptions(host="127.0.0.1", port=1883)
TLS = MqttOptions(host="127.0.0.1", port=8883, ca_file="/ca.pem")
REFUSED = os.strerror(errno.ECONNREFUSED)


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('127.0.0.1', 1883)"),
        OSError(
            "Multiple exceptions: [Errno 111] Connect call failed ('::1', 1883, 0, 0), "
            "[Errno 111] Connect call failed ('127.0.0.1', 1883)"
        ),
    ],
    ids=["one address", "several addresses"],
)
def test_a_refused_connection_reads_as_the_system_says_it(exc: OSError) -> None:
    error = connect_error(PLAIN, exc)
    assert isinstance(error, BrokerError)
    assert str(error) == f"Failed to connect to the MQTT broker at 127.0.0.1:1883: {REFUSED}"


def test_a_name_that_does_not_resolve_keeps_the_resolver_text() -> None:
    error = connect_error(PLAIN, socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
    assert str(error).endswith(": Name or service not known")


def test_a_hang_up_in_the_tls_handshake_is_a_tls_error() -> None:
    error = connect_error(TLS, ConnectionResetError())
    assert isinstance(error, TlsError) and error.kind == "peer-closed"
    assert str(error) == "127.0.0.1:8883 closed the connection during the TLS handshake"
    assert isinstance(connect_error(PLAIN, ConnectionResetError()), BrokerError)


def test_an_ssl_error_is_classified() -> None:
    alert = ssl.SSLError(1, "[SSL: SSLV3_ALERT_CERTIFICATE_EXPIRED] sslv3 alert certificate expired")
    alert.reason = "SSLV3_ALERT_CERTIFICATE_EXPIRED"
    error = connect_error(TLS, alert)
    assert isinstance(error, TlsError) and error.kind == "peer-rejected-certificate"
