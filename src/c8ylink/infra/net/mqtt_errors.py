"""Connection failures of the MQTT client, in one wording."""

from __future__ import annotations

import os
import re

from c8ylink.core.errors import BrokerError, C8yLinkError
from c8ylink.infra.net.mqtt_options import MqttOptions
from c8ylink.infra.net.tls_errors import find_ssl_error, tls_error_from_ssl, tls_hang_up_error

_ERRNO = re.compile(r"\[Errno (\d+)\]")


def connect_error(options: MqttOptions, exc: OSError) -> C8yLinkError:
    """``TlsError`` for a failed handshake, else ``BrokerError`` naming the broker and the reason.

    ``exc`` comes from opening the connection (TCP, then TLS): a connection reset there, over TLS, is
    the server hanging up in the handshake (how a refused client certificate may look)."""
    ssl_error = find_ssl_error(exc)
    if ssl_error is not None:
        return tls_error_from_ssl(ssl_error, options.address)
    if options.uses_tls and isinstance(exc, ConnectionResetError | ConnectionAbortedError):
        return tls_hang_up_error(options.address)
    return BrokerError(f"Failed to connect to the MQTT broker at {options.address}: {_reason(exc)}")


def _reason(exc: OSError) -> str:
    """The system's words for the error: asyncio words a refused connection "Connect call failed
    ('127.0.0.1', 1883)", and when a name resolved to several addresses, "Multiple exceptions: ...";
    both carry the error number, whose text ("Connection refused") is what users read elsewhere."""
    if exc.errno is not None and exc.errno > 0:  # a resolver error (socket.gaierror) has a negative one
        return os.strerror(exc.errno)
    if exc.errno is None and (number := _ERRNO.search(str(exc))) is not None:
        return os.strerror(int(number[1]))
    return exc.strerror or str(exc) or type(exc).__name__
