"""Signals (domain events): what the tenant tells its front ends (e.g. the MQTT listener) after a change.

They are plain values, emitted by the state and dispatched by ``tenant.service`` after the change
has been persisted. A front end subscribes with ``TenantService.subscribe``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class OperationCreated:
    """A new operation; ``operation`` is the stored document (``agentId`` says which device gets it)."""

    operation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OperationUpdated:
    operation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TrustedCertificateAdded:
    fingerprint: str
    pem: str


@dataclass(frozen=True, slots=True)
class TrustedCertificateChanged:
    """Name, status or auto-registration changed; sessions anchored on a DISABLED cert must close."""

    fingerprint: str
    status: str


@dataclass(frozen=True, slots=True)
class TrustedCertificateDeleted:
    """Live connections that used this certificate must be closed (Cumulocity does)."""

    fingerprint: str


@dataclass(frozen=True, slots=True)
class DeviceUserCreated:
    username: str


@dataclass(frozen=True, slots=True)
class UserDeleted:
    username: str


@dataclass(frozen=True, slots=True)
class ManagedObjectDeleted:
    id: str


@dataclass(frozen=True, slots=True)
class DataChanged:
    """What a commit persisted: ``(kind, id, stored record or None when deleted, created)``, in order
    (the real-time notifications are made from it)."""

    changes: tuple[tuple[str, str, dict[str, Any] | None, bool], ...]


TenantEvent = (
    OperationCreated
    | OperationUpdated
    | TrustedCertificateAdded
    | TrustedCertificateChanged
    | TrustedCertificateDeleted
    | DeviceUserCreated
    | UserDeleted
    | ManagedObjectDeleted
    | DataChanged
)
