"""The tenant's own TLS material in ``<data-dir>/tls``: a local root CA (what clients trust) and a
server certificate for ``localhost``, ``127.0.0.1`` and any extra hostnames, re-issued when the
hostnames change or it nears expiry. Also the growing set of client CAs for mutual-TLS listeners.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from c8ylink.core.errors import TlsError
from c8ylink.infra.files import write_atomic
from c8ylink.infra.tls.ca import CertificateAuthority, create_certificate_authority, issue_server_certificate
from c8ylink.infra.tls.certs import (
    encode_certificate_pem,
    load_certificate_chain,
    signed_by,
    subject_alternative_names,
)
from c8ylink.infra.tls.contexts import ClientAuth, add_client_cas, build_server_context
from c8ylink.infra.tls.keys import encode_private_key_pem, load_private_key
from c8ylink.infra.tls.names import build_name

DEFAULT_HOSTNAMES = ("localhost", "127.0.0.1")
RENEW_BEFORE = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class ServerTls:
    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self, client_auth: ClientAuth = ClientAuth.NONE) -> ssl.SSLContext:
        return build_server_context(self.cert_file, self.key_file, client_auth=client_auth)


def ensure_server_tls(directory: Path, hostnames: tuple[str, ...], *, now: datetime) -> ServerTls:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    tls = ServerTls(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    authority = _ensure_ca(directory, tls.ca_file, now=now)
    wanted = tuple(dict.fromkeys((*DEFAULT_HOSTNAMES, *hostnames)))
    if _server_certificate_current(tls, authority, wanted, now=now):
        return tls
    key, certificate = issue_server_certificate(
        authority, build_name(wanted[0], organization="c8ylink"), wanted, now=now
    )
    write_atomic(tls.key_file, encode_private_key_pem(key), mode=0o600)
    write_atomic(
        tls.cert_file, encode_certificate_pem(certificate) + encode_certificate_pem(authority.certificate)
    )
    return tls


def _ensure_ca(directory: Path, ca_file: Path, *, now: datetime) -> CertificateAuthority:
    key_file = directory / "ca-key.pem"
    if ca_file.exists() and key_file.exists():
        return _load_ca(directory, ca_file, key_file)
    authority = create_certificate_authority(
        build_name("c8ylink local tenant CA", organization="c8ylink"), now=now, days=3650
    )
    write_atomic(key_file, encode_private_key_pem(authority.key), mode=0o600)
    write_atomic(ca_file, encode_certificate_pem(authority.certificate))
    return authority


def _load_ca(directory: Path, ca_file: Path, key_file: Path) -> CertificateAuthority:
    """The tenant's TLS CA from its files; a damaged file is named, with what to do (never replaced:
    every client trusts this CA)."""
    try:
        certificate = load_certificate_chain(ca_file)[0]
        key = load_private_key(key_file)
    except TlsError as exc:
        reason = str(exc).split(". See https://", 1)[0]  # cryptography's FAQ link adds nothing here
        raise TlsError(
            f"Cannot load the tenant's TLS certificate authority ({ca_file.name}, {key_file.name}) from "
            f"{directory}: {reason}; restore both files, or delete {directory} to create a new CA "
            "(clients must then trust the new ca.pem)"
        ) from None
    return CertificateAuthority(certificate, key)


def _server_certificate_current(
    tls: ServerTls, authority: CertificateAuthority, hostnames: tuple[str, ...], *, now: datetime
) -> bool:
    if not (tls.cert_file.exists() and tls.key_file.exists()):
        return False
    try:
        leaf = load_certificate_chain(tls.cert_file)[0]
    except TlsError:
        return False
    return (
        set(subject_alternative_names(leaf)) == set(hostnames)
        and leaf.not_valid_after_utc - RENEW_BEFORE > now
        and signed_by(leaf, authority.certificate)
    )


class ClientTrust:
    """Client-certificate issuers for mutual-TLS listeners: every certificate ever trusted by the
    tenant while it runs (contexts only grow; the application re-checks status and chain per request)."""

    def __init__(self) -> None:
        self._pems: dict[str, str] = {}
        self._contexts: list[ssl.SSLContext] = []

    def add(self, fingerprint: str, pem: str) -> None:
        if fingerprint in self._pems:
            return
        self._pems[fingerprint] = pem
        for context in self._contexts:
            add_client_cas(context, pem)

    def server_context(self, tls: ServerTls, client_auth: ClientAuth = ClientAuth.OPTIONAL) -> ssl.SSLContext:
        context = tls.server_context(client_auth)
        for pem in self._pems.values():
            add_client_cas(context, pem)
        self._contexts.append(context)
        return context

    def __len__(self) -> int:
        return len(self._pems)
