"""infra.net.tls_errors: handshake failures classified by kind (the advice depends on it)."""

from __future__ import annotations

import ssl

import pytest

from c8ylink.infra.net.tls_errors import tls_error_from_ssl


def _ssl_error(reason: str) -> ssl.SSLError:
    error = ssl.SSLError(1, f"[SSL: {reason}] something")
    error.reason = reason
    return error


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("UNEXPECTED_EOF_WHILE_READING", "peer-closed"),
        ("SSLV3_ALERT_CERTIFICATE_EXPIRED", "peer-rejected-certificate"),
        ("TLSV1_ALERT_UNKNOWN_CA", "peer-rejected-certificate"),
        ("KEY_VALUES_MISMATCH", "key-mismatch"),
        ("WRONG_VERSION_NUMBER", "other"),
    ],
)
def test_kinds(reason: str, kind: str) -> None:
    assert tls_error_from_ssl(_ssl_error(reason), "h:8443").kind == kind


def test_a_server_hanging_up_during_the_handshake() -> None:
    error = tls_error_from_ssl(_ssl_error("UNEXPECTED_EOF_WHILE_READING"), "h:8443")
    assert error.message == "h:8443 closed the connection during the TLS handshake"
