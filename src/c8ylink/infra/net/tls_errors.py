"""Turn ``ssl`` exceptions into ``TlsError`` with a ``kind`` and a sentence a user understands."""

from __future__ import annotations

import ssl

from c8ylink.core.errors import TlsError

# OpenSSL X509_V_ERR_* codes
_UNKNOWN_CA_CODES = {2, 18, 19, 20, 21, 27}
_EXPIRED, _NOT_YET_VALID, _HOSTNAME_MISMATCH = 10, 9, 62

# TLS alerts a server sends when it refuses the certificate we presented
_REJECTION_ALERTS = (
    "CERTIFICATE_UNKNOWN", "BAD_CERTIFICATE", "UNKNOWN_CA", "CERTIFICATE_EXPIRED",
    "CERTIFICATE_REVOKED", "ACCESS_DENIED", "CERTIFICATE_REQUIRED", "HANDSHAKE_FAILURE",
)  # fmt: skip


def tls_error_from_ssl(exc: ssl.SSLError, peer: str) -> TlsError:
    """Classify a failed TLS handshake with ``peer`` (``host:port``)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = exc.verify_code
        detail = exc.verify_message or str(exc)
        if code in _UNKNOWN_CA_CODES:
            return TlsError(
                f"the certificate of {peer} is not trusted ({detail}): its CA is unknown", kind="unknown-ca"
            )
        if code == _EXPIRED:
            return TlsError(f"the certificate of {peer} has expired", kind="expired")
        if code == _NOT_YET_VALID:
            return TlsError(f"the certificate of {peer} is not valid yet", kind="not-yet-valid")
        if code == _HOSTNAME_MISMATCH:
            return TlsError(f"the certificate of {peer} does not match its name ({detail})", kind="hostname")
        return TlsError(f"the certificate of {peer} failed verification: {detail}", kind="other")
    reason = (exc.reason or "").upper()
    if any(alert in reason for alert in _REJECTION_ALERTS):
        text = (exc.reason or str(exc)).lower().replace("_", " ")
        return TlsError(f"{peer} rejected the device certificate ({text})", kind="peer-rejected-certificate")
    if "UNEXPECTED_EOF" in reason:
        # what a server that refuses a client certificate without an alert looks like
        return tls_hang_up_error(peer)
    if "KEY_VALUES_MISMATCH" in reason:
        return TlsError("the private key does not match the certificate", kind="key-mismatch")
    return TlsError(f"TLS handshake with {peer} failed: {exc.reason or exc}", kind="other")


def tls_hang_up_error(peer: str) -> TlsError:
    """The server closed the connection in the middle of the handshake (asyncio reports that as a bare
    ``ConnectionResetError``, a blocking socket as ``UNEXPECTED_EOF``)."""
    return TlsError(f"{peer} closed the connection during the TLS handshake", kind="peer-closed")


def find_ssl_error(exc: BaseException | None) -> ssl.SSLError | None:
    """The ``ssl.SSLError`` somewhere in an exception's cause/context chain, if any."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, ssl.SSLError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None
