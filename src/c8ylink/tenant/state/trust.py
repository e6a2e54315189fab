"""Trusted certificates and the tenant certificate authority (cumulocity-api.md §3.9-3.10).

A trusted certificate must be an X.509 v3 CA certificate (``CA:TRUE``) that has not expired; its id
is the lowercase SHA-1 fingerprint of the DER encoding. The tenant CA (at most one) is a trusted
certificate marked ``tenantCertificateAuthority`` whose private key stays here to sign device CSRs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from c8ylink.core.errors import TlsError
from c8ylink.infra.tls.ca import CertificateAuthority, create_certificate_authority, issue_certificate
from c8ylink.infra.tls.certs import (
    Certificate,
    decode_certificate,
    describe_certificate,
    encode_certificate_pem,
)
from c8ylink.infra.tls.csr import CertificateRequest
from c8ylink.infra.tls.keys import decode_private_key_pem, encode_private_key_pem
from c8ylink.infra.tls.names import build_name
from c8ylink.tenant.state.errors import TenantApiError, conflict, not_found, validation_error
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.times import format_time

KIND = "trustedCertificate"
CA_KIND = "certificateAuthority"
ENABLED, DISABLED = "ENABLED", "DISABLED"
DEVICE_CERT_DAYS = 365


@dataclass(frozen=True, slots=True)
class TrustedCertificate:
    fingerprint: str
    name: str
    pem: str
    status: str
    auto_registration: bool
    tenant_ca: bool
    created: str
    certificate: Certificate = field(repr=False, compare=False)

    def to_record(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "name": self.name,
            "pem": self.pem,
            "status": self.status,
            "autoRegistrationEnabled": self.auto_registration,
            "tenantCertificateAuthority": self.tenant_ca,
            "created": self.created,
        }


def trusted_certificate_not_found(fingerprint: str) -> TenantApiError:
    return not_found("certificate", f"Certificate with fingerprint '{fingerprint}' not found")


def _check_choice(value: object, name: str) -> str:
    if value not in (ENABLED, DISABLED):
        raise validation_error(f"{name} must be {ENABLED} or {DISABLED}, not '{value}'")
    return str(value)


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise validation_error(f"{name} must be true or false")
    return value


def parse_trusted_certificate(pem_text: object, *, now: datetime) -> Certificate:
    """The certificate from ``certInPemFormat`` (with or without armour), or 422 why it cannot be trusted."""
    if not isinstance(pem_text, str) or not pem_text.strip():
        raise validation_error("Following mandatory fields should be included: certInPemFormat")
    try:
        certificate = decode_certificate(pem_text)
        info = describe_certificate(certificate)
    except TlsError as exc:
        raise validation_error(f"Unable to parse certificate: {exc}") from exc
    if info.version != 3:
        raise validation_error("Certificate must be an X.509 v3 certificate")
    if not info.is_ca:
        raise validation_error("Certificate is not a CA certificate: BasicConstraints CA:TRUE is required")
    if info.not_after < now:
        raise validation_error(f"Certificate expired at {format_time(info.not_after)}")
    return certificate


class TrustedCertificates:
    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._items: dict[str, TrustedCertificate] = {}
        self._authority: CertificateAuthority | None = None

    def find(self, fingerprint: str) -> TrustedCertificate | None:
        return self._items.get(fingerprint.lower())

    def get(self, fingerprint: str) -> TrustedCertificate:
        found = self.find(fingerprint)
        if found is None:
            raise trusted_certificate_not_found(fingerprint)
        return found

    def all(self) -> list[TrustedCertificate]:
        return list(self._items.values())

    def enabled(self) -> list[TrustedCertificate]:
        return [cert for cert in self._items.values() if cert.status == ENABLED]

    def _store(self, trusted: TrustedCertificate) -> TrustedCertificate:
        self._items[trusted.fingerprint] = trusted
        self._journal.put(KIND, trusted.fingerprint, trusted.to_record())
        return trusted

    def add(self, body: Mapping[str, Any], *, now: datetime, tenant_ca: bool = False) -> TrustedCertificate:
        certificate = parse_trusted_certificate(body.get("certInPemFormat"), now=now)
        info = describe_certificate(certificate)
        if info.fingerprint in self._items:
            raise conflict("certificate", f"Certificate with fingerprint '{info.fingerprint}' already exists")
        name = body.get("name")
        if name is not None and not isinstance(name, str):
            raise validation_error("name must be a string")
        return self._store(
            TrustedCertificate(
                fingerprint=info.fingerprint,
                name=name or info.common_name or info.fingerprint,
                pem=encode_certificate_pem(certificate).decode("ascii"),
                status=_check_choice(body.get("status", ENABLED), "status"),
                auto_registration=_check_bool(
                    body.get("autoRegistrationEnabled", False), "autoRegistrationEnabled"
                ),
                tenant_ca=tenant_ca,
                created=format_time(now),
                certificate=certificate,
            )
        )

    def update(self, fingerprint: str, body: object) -> TrustedCertificate:
        found = self.get(fingerprint)
        if not isinstance(body, dict):
            raise validation_error("The trusted certificate must be a JSON object")
        changed = found
        if "name" in body:
            if not isinstance(body["name"], str) or not body["name"]:
                raise validation_error("name must be a non-empty string")
            changed = replace(changed, name=body["name"])
        if "status" in body:
            changed = replace(changed, status=_check_choice(body["status"], "status"))
        if "autoRegistrationEnabled" in body:
            changed = replace(
                changed,
                auto_registration=_check_bool(body["autoRegistrationEnabled"], "autoRegistrationEnabled"),
            )
        return self._store(changed)

    def delete(self, fingerprint: str) -> TrustedCertificate:
        found = self.get(fingerprint)
        del self._items[found.fingerprint]
        self._journal.delete(KIND, found.fingerprint)
        if found.tenant_ca:
            self._authority = None
            self._journal.delete(CA_KIND, "ca")
        return found

    # -- the tenant certificate authority -------------------------------------------------------------
    @property
    def authority(self) -> CertificateAuthority | None:
        return self._authority

    def create_authority(self, tenant_id: str, *, now: datetime) -> TrustedCertificate:
        if self._authority is not None:
            raise conflict("certificate", "The tenant already has a certificate authority")
        subject = build_name(tenant_id, organization="Cumulocity", country="US")
        authority = create_certificate_authority(subject, now=now, days=3650)
        trusted = self.add(
            {
                "name": f"{tenant_id} certificate authority",
                "certInPemFormat": encode_certificate_pem(authority.certificate).decode("ascii"),
                "status": ENABLED,
                "autoRegistrationEnabled": True,
            },
            now=now,
            tenant_ca=True,
        )
        self._authority = authority
        self._journal.put(
            CA_KIND,
            "ca",
            {
                "key": encode_private_key_pem(authority.key).decode("ascii"),
                "fingerprint": trusted.fingerprint,
            },
        )
        return trusted

    def issue(self, csr: CertificateRequest, *, now: datetime) -> list[Certificate]:
        """``[leaf]`` for a device CSR (as Cumulocity answers EST); 404 without a certificate authority."""
        if self._authority is None:
            raise not_found("certificate", "The tenant has no certificate authority")
        leaf = issue_certificate(self._authority, csr, now=now, days=DEVICE_CERT_DAYS)
        return [leaf]

    def restore(self, records: Iterable[Mapping[str, Any]], authority: Mapping[str, Any] | None) -> None:
        for record in records:
            certificate = decode_certificate(record["pem"])
            self._items[record["fingerprint"]] = TrustedCertificate(
                fingerprint=record["fingerprint"],
                name=record["name"],
                pem=record["pem"],
                status=record["status"],
                auto_registration=bool(record["autoRegistrationEnabled"]),
                tenant_ca=bool(record.get("tenantCertificateAuthority")),
                created=record["created"],
                certificate=certificate,
            )
        if authority is not None and authority.get("fingerprint") in self._items:
            trusted = self._items[authority["fingerprint"]]
            self._authority = CertificateAuthority(
                trusted.certificate, decode_private_key_pem(authority["key"])
            )
