"""What to do about a failed TLS handshake with Cumulocity (pure; shared by ``tedge cert`` and
``tedge connect``).

``explain_tls_error`` takes the classified ``TlsError`` of ``infra.net`` (its ``kind``) and adds the
advice that fits: an unknown server CA points at ``c8y.root_cert_path``, a refused device certificate
at renewing or trusting it, an expired one at renewing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from c8ylink.core.errors import TlsError


@dataclass(frozen=True, slots=True)
class TlsContext:
    """What the advice may mention: the trust setting, and the device certificate if one was presented."""

    root_cert_key: str = "c8y.root_cert_path"
    root_cert_path: str = "/etc/ssl/certs"
    cert_path: str | None = None
    cert_not_after: datetime | None = None  # when the presented device certificate expires
    now: datetime | None = None


def explain_tls_error(error: TlsError, context: TlsContext) -> TlsError:
    """``error`` with advice appended (same ``kind``); unchanged when there is nothing to add."""
    advice = tls_advice(error.kind, context)
    if advice is None:
        return error
    explained = TlsError(f"{error.message}\n{advice}", kind=error.kind, exit_code=error.exit_code)
    explained.__cause__ = error.__cause__
    return explained


def tls_advice(kind: str, context: TlsContext) -> str | None:
    root = f"{context.root_cert_key} ({context.root_cert_path})"
    if kind == "unknown-ca":
        return (
            f"Check that {root} holds the certificate of the CA that signed the tenant's server certificate "
            f"(a PEM file, or a directory of them): `tedge config set {context.root_cert_key} <path>`"
        )
    if kind in ("expired", "not-yet-valid"):
        return "The tenant's server certificate is not valid now: check the date and time of this device"
    if kind == "hostname":
        return "Check that c8y.url / c8y.http name the tenant as its server certificate does"
    if kind in ("peer-rejected-certificate", "peer-closed"):
        return _rejected_device_certificate(context)
    if kind == "key-mismatch" and context.cert_path:
        return f"The device key does not belong to {context.cert_path}: create or download a new certificate"
    return None


def _rejected_device_certificate(context: TlsContext) -> str | None:
    if context.cert_path is None:
        return None
    expired = (
        context.cert_not_after is not None
        and context.now is not None
        and context.now > context.cert_not_after
    )
    if expired:
        return (
            f"The device certificate {context.cert_path} has expired: renew it "
            "(`tedge cert renew`, then upload it if it is self-signed), or register the device again "
            "and run `tedge cert download c8y`"
        )
    return (
        f"The tenant did not accept the device certificate {context.cert_path}: upload it "
        "(`tedge cert upload c8y`) or register the device with the tenant's certificate authority "
        "(`tedge cert download c8y`); `tedge cert show` tells whether it is still valid"
    )
