"""Chain building: from a leaf, through optional intermediates, to one of a set of trust anchors.

Cumulocity's rules for device certificates: every signing certificate is ``CA:TRUE``, every
certificate is within its validity period, ``pathlen`` constraints hold, and the chain ends at a
trusted certificate (which may be the leaf itself, e.g. a self-signed device certificate).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from cryptography import x509

from c8ylink.core.errors import TlsError
from c8ylink.infra.tls.certs import (
    Certificate,
    fingerprint_sha1,
    is_ca_certificate,
    is_valid_at,
    signed_by,
)
from c8ylink.infra.tls.names import format_name

MAX_DEPTH = 8


def build_chain(
    leaf: Certificate,
    intermediates: Sequence[Certificate],
    anchors: Iterable[Certificate],
    *,
    now: datetime,
) -> list[Certificate]:
    """``[leaf, ..., anchor]``, or ``TlsError`` saying why no valid path exists."""
    trusted = list(anchors)
    if not is_valid_at(leaf, now):
        raise TlsError(f"certificate {format_name(leaf.subject)} is not valid at {now.isoformat()}")
    leaf_fingerprint = fingerprint_sha1(leaf)
    if any(fingerprint_sha1(anchor) == leaf_fingerprint for anchor in trusted):
        return [leaf]
    path = [leaf]
    current = leaf
    pool = [cert for cert in intermediates if fingerprint_sha1(cert) != leaf_fingerprint]
    for _ in range(MAX_DEPTH):
        anchor = _find_issuer(current, trusted, now)
        if anchor is not None:
            _check_path_lengths([*path, anchor])
            return [*path, anchor]
        issuer = _find_issuer(current, [c for c in pool if c not in path], now)
        if issuer is None:
            raise TlsError(
                f"no trusted certificate issued {format_name(current.subject)} "
                f"(issuer {format_name(current.issuer)})"
            )
        path.append(issuer)
        current = issuer
    raise TlsError("certificate chain is too long")


def order_chain(certificates: Sequence[Certificate]) -> list[Certificate]:
    """Leaf first, then each certificate's issuer (PKCS#7 stores certificates as a sorted SET)."""
    remaining = list(certificates)
    issuers = {id(c) for c in remaining for other in remaining if other is not c and signed_by(other, c)}
    leaves = [c for c in remaining if id(c) not in issuers] or remaining[:1]
    ordered: list[Certificate] = []
    current: Certificate | None = leaves[0] if leaves else None
    while current is not None and current not in ordered:
        ordered.append(current)
        current = next((c for c in remaining if c not in ordered and signed_by(current, c)), None)
    return ordered + [c for c in remaining if c not in ordered]


def _find_issuer(cert: Certificate, candidates: Iterable[Certificate], now: datetime) -> Certificate | None:
    for candidate in candidates:
        if candidate.subject != cert.issuer or not signed_by(cert, candidate):
            continue
        if not is_ca_certificate(candidate) or not is_valid_at(candidate, now):
            continue
        return candidate
    return None


def _check_path_lengths(chain: list[Certificate]) -> None:
    # chain[i] (i >= 1) signs chain[i-1]; below it sit i-1 intermediate CAs (the leaf does not count)
    for index, cert in enumerate(chain[1:], start=1):
        try:
            constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            continue
        intermediates_below = index - 1
        if constraints.path_length is not None and intermediates_below > constraints.path_length:
            raise TlsError(f"path length constraint of {format_name(cert.subject)} is exceeded")
