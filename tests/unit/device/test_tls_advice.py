"""The advice added to TLS failures with the tenant (shared with `tedge connect`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from c8ylink.core.errors import TlsError
from c8ylink.device.c8y.tls_advice import TlsContext, explain_tls_error

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ROOT = TlsContext(root_cert_key="c8y.profiles.second.root_cert_path", root_cert_path="/etc/tedge/ca.pem")


def test_unknown_ca_points_at_the_root_cert_path() -> None:
    error = TlsError("the certificate of t:443 is not trusted (x): its CA is unknown", kind="unknown-ca")
    explained = explain_tls_error(error, ROOT)
    assert explained.kind == "unknown-ca"
    assert explained.message.splitlines() == [
        "the certificate of t:443 is not trusted (x): its CA is unknown",
        "Check that c8y.profiles.second.root_cert_path (/etc/tedge/ca.pem) holds the certificate of the CA "
        "that signed the tenant's server certificate (a PEM file, or a directory of them): "
        "`tedge config set c8y.profiles.second.root_cert_path <path>`",
    ]


def test_an_expired_device_certificate_asks_for_renewal() -> None:
    context = TlsContext(cert_path="/c.pem", cert_not_after=NOW - timedelta(days=1), now=NOW)
    error = TlsError(
        "t:8443 rejected the device certificate (certificate expired)", kind="peer-rejected-certificate"
    )
    advice = explain_tls_error(error, context).message.splitlines()[1]
    assert advice.startswith("The device certificate /c.pem has expired: renew it (`tedge cert renew`")


@pytest.mark.parametrize("kind", ["peer-rejected-certificate", "peer-closed"])
def test_a_valid_but_refused_device_certificate_asks_for_trust(kind: str) -> None:
    context = TlsContext(cert_path="/c.pem", cert_not_after=NOW + timedelta(days=10), now=NOW)
    error = TlsError("t:8443 rejected the device certificate (unknown ca)", kind=kind)
    advice = explain_tls_error(error, context).message.splitlines()[1]
    assert advice.startswith("The tenant did not accept the device certificate /c.pem: upload it")


def test_a_hang_up_without_a_device_certificate_has_no_advice() -> None:
    error = TlsError("t:443 closed the connection during the TLS handshake", kind="peer-closed")
    assert explain_tls_error(error, ROOT) is error


@pytest.mark.parametrize(("kind", "phrase"), [("expired", "date and time"), ("hostname", "c8y.url")])
def test_server_certificate_problems(kind: str, phrase: str) -> None:
    assert phrase in explain_tls_error(TlsError("x", kind=kind), ROOT).message


def test_nothing_to_add_keeps_the_error() -> None:
    error = TlsError("odd", kind="other")
    assert explain_tls_error(error, ROOT) is error
