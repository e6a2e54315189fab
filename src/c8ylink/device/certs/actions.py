"""``tedge cert create | create-csr | show | needs-renewal | remove`` and the self-signed renewal.

Each operation takes a ``CertConfig`` (``device.certs.config``), the time (``now``) and returns what the
command prints; files are handled by ``device.certs.files``. Rules (tedge.md §2.1-2.5): new keys are
ECDSA P-256 PKCS#8; subjects are ``CN=<id>, O=<organization>, OU=<unit>``; self-signed certificates are
``CA:TRUE`` and valid from ``now - 1 day`` for ``certificate.validity.requested_duration``; an existing
key is reused, an existing certificate is never overwritten.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from c8ylink.core.errors import C8yLinkError, TlsError
from c8ylink.device.certs.config import CertConfig
from c8ylink.device.certs.device_id import check_device_id
from c8ylink.device.certs.files import (
    CertificateExistsError,
    check_key_matches,
    ensure_directory,
    load_device_certificate,
    load_device_certificate_chain,
    load_device_key,
    load_device_key_if_exists,
    remove_file,
    remove_file_quietly,
    save_certificate_chain,
    save_csr,
    save_new_certificate,
    save_new_key,
)
from c8ylink.device.certs.status import ValidityStatus, validity_status
from c8ylink.infra.tls.certs import (
    Certificate,
    CertificateInfo,
    build_self_signed_certificate,
    describe_certificate,
    is_self_signed,
)
from c8ylink.infra.tls.csr import CertificateRequest, build_csr
from c8ylink.infra.tls.keys import PrivateKey, generate_private_key
from c8ylink.infra.tls.names import Name, build_name, common_name_of


@dataclass(frozen=True, slots=True)
class CertificateView:
    """A certificate file described at one moment: what ``show`` prints."""

    path: str
    info: CertificateInfo
    status: ValidityStatus


def device_subject(config: CertConfig, device_id: str) -> Name:
    return build_name(
        device_id, organization=config.organization, organizational_unit=config.organization_unit
    )


def check_software_key(config: CertConfig) -> None:
    """Refuse clearly when the key is meant to live in a hardware security module (PKCS#11)."""
    if config.cryptoki_mode != "off":
        raise C8yLinkError(
            f"device.cryptoki.mode is '{config.cryptoki_mode}': keys held by a hardware security module "
            "(PKCS#11) are not supported by c8ylink yet. Run `tedge config set device.cryptoki.mode off` "
            "to use a key file"
        )


def reuse_or_create_key(config: CertConfig) -> PrivateKey:
    """The device key: the existing one, else a new ECDSA P-256 key saved 0600 -> 0400."""
    check_software_key(config)
    key_path = config.paths.key_path
    key = load_device_key_if_exists(key_path)
    if key is None:
        key = generate_private_key()
        ensure_directory(key_path)
        save_new_key(key_path, key, config.owner)
    return key


def create_certificate(config: CertConfig, device_id: str, *, now: datetime) -> str:
    """A self-signed certificate (and the key when there is none); returns the certificate path."""
    check_device_id(device_id)
    cert_path = config.paths.cert_path
    if os.path.lexists(cert_path):
        raise CertificateExistsError(cert_path)
    ensure_directory(cert_path)
    key = reuse_or_create_key(config)
    certificate = build_self_signed_certificate(
        key, device_subject(config, device_id), now=now, validity=config.requested_validity
    )
    save_new_certificate(cert_path, certificate, config.owner)
    return cert_path


def create_csr(config: CertConfig, device_id: str, *, output_path: str | None = None) -> CertificateRequest:
    """A CSR for ``device_id`` signed by the device key (created when missing), written 0444."""
    check_device_id(device_id)
    key = reuse_or_create_key(config)
    csr = build_csr(key, device_subject(config, device_id))
    path = output_path or config.paths.csr_path
    ensure_directory(path)
    save_csr(path, csr, config.owner)
    return csr


def view_certificate(path: str, config: CertConfig, *, now: datetime) -> CertificateView:
    info = describe_certificate(load_device_certificate(path))
    status = validity_status(info.not_before, info.not_after, now=now, minimum=config.minimum_validity)
    return CertificateView(path, info, status)


def remove_certificate(config: CertConfig) -> bool:
    """Delete ``<cert>.new`` (quietly), the certificate and the key; ``False`` if there was no certificate."""
    remove_file_quietly(config.paths.new_cert_path)
    removed = remove_file(config.paths.cert_path)
    remove_file(config.paths.key_path)
    return removed


def current_device_identity(config: CertConfig) -> tuple[Certificate, PrivateKey, str]:
    """The active certificate, its key (checked to match) and the device id it names."""
    check_software_key(config)
    cert_path, key_path = config.paths.cert_path, config.paths.key_path
    certificate = load_device_certificate(cert_path)
    key = load_device_key(key_path)
    check_key_matches(key, certificate, key_path=key_path, cert_path=cert_path)
    device_id = common_name_of(certificate.subject)
    if not device_id:
        raise TlsError(f"the certificate {cert_path} has no Common Name in its subject")
    return certificate, key, device_id


def renew_self_signed(config: CertConfig, *, now: datetime) -> str:
    """A new self-signed certificate with the same CN and key, written to ``<cert>.new``."""
    certificate, key, device_id = current_device_identity(config)
    if not is_self_signed(certificate):
        raise C8yLinkError(
            f"The certificate {config.paths.cert_path} is not self-signed: it cannot be renewed as a "
            "self-signed certificate.\n"
            "        Run `tedge cert renew --ca c8y` to renew it with Cumulocity's certificate authority."
        )
    renewed = build_self_signed_certificate(
        key, device_subject(config, device_id), now=now, validity=config.requested_validity
    )
    new_path = config.paths.new_cert_path
    save_certificate_chain(new_path, [renewed], config.owner)
    return new_path


def is_self_signed_file(path: str) -> bool:
    return is_self_signed(load_device_certificate_chain(path)[0])
