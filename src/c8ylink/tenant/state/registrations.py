"""Device registrations: new device requests, their status flow, and enrollment one-time passwords.

    WAITING_FOR_CONNECTION --(device polls deviceCredentials)--> PENDING_ACCEPTANCE --(operator)--> ACCEPTED

Bulk registration with ``AUTH_TYPE=CERTIFICATES`` + ``ENROLLMENT_OTP`` creates an ACCEPTED
registration whose OTP lets the device enroll once over EST (``<externalId>:<otp>``). Wrong OTPs are
counted; after ``MAX_OTP_FAILURES`` the registration is locked until it is deleted and registered again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from c8ylink.tenant.state.errors import (
    BAD_CREDENTIALS,
    TenantApiError,
    conflict,
    missing_fields,
    not_found,
    unauthorized,
    validation_error,
)
from c8ylink.tenant.state.ids import SecretSource
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.times import format_time
from c8ylink.tenant.state.users import hash_password, password_matches

KIND = "registration"
WAITING, PENDING, ACCEPTED = "WAITING_FOR_CONNECTION", "PENDING_ACCEPTANCE", "ACCEPTED"
STATUSES = (WAITING, PENDING, ACCEPTED)
BASIC, CERTIFICATES = "BASIC", "CERTIFICATES"
MAX_OTP_FAILURES = 5
OTP_LOCKED = "Invalid credentials! : Enrollment locked after too many wrong one-time passwords"
OTP_USED = "Invalid credentials! : The one-time password has already been used"


@dataclass(frozen=True, slots=True)
class Registration:
    id: str
    status: str
    owner: str
    tenant: str
    creation_time: str
    auth_type: str = BASIC
    group_id: str | None = None
    type: str | None = None
    security_token: str | None = field(default=None, repr=False)
    otp_hash: str | None = field(default=None, repr=False)
    otp_used: bool = False
    otp_failures: int = 0

    @property
    def locked(self) -> bool:
        return self.otp_failures >= MAX_OTP_FAILURES

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "owner": self.owner,
            "tenant": self.tenant,
            "creationTime": self.creation_time,
            "authType": self.auth_type,
            "groupId": self.group_id,
            "type": self.type,
            "securityToken": self.security_token,
            "otpHash": self.otp_hash,
            "otpUsed": self.otp_used,
            "otpFailures": self.otp_failures,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Registration:
        return cls(
            id=record["id"],
            status=record["status"],
            owner=record["owner"],
            tenant=record["tenant"],
            creation_time=record["creationTime"],
            auth_type=record.get("authType", BASIC),
            group_id=record.get("groupId"),
            type=record.get("type"),
            security_token=record.get("securityToken"),
            otp_hash=record.get("otpHash"),
            otp_used=bool(record.get("otpUsed")),
            otp_failures=int(record.get("otpFailures", 0)),
        )


def registration_not_found(request_id: str) -> TenantApiError:
    return not_found("devicecontrol", f"Could not find new device request with id '{request_id}'")


def parse_new_device_request(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise validation_error("The new device request must be a JSON object")
    request_id = body.get("id")
    if request_id in (None, ""):
        raise missing_fields("id")
    if not isinstance(request_id, str):
        raise validation_error("id must be a string")
    return body


class Registrations:
    def __init__(self, journal: Journal, secrets: SecretSource) -> None:
        self._journal = journal
        self._secrets = secrets
        self._items: dict[str, Registration] = {}

    def find(self, request_id: str) -> Registration | None:
        return self._items.get(request_id)

    def get(self, request_id: str) -> Registration:
        found = self._items.get(request_id)
        if found is None:
            raise registration_not_found(request_id)
        return found

    def all(self) -> list[Registration]:
        return list(self._items.values())

    def _store(self, registration: Registration) -> Registration:
        self._items[registration.id] = registration
        self._journal.put(KIND, registration.id, registration.to_record())
        return registration

    def request(self, body: Mapping[str, Any], *, owner: str, tenant: str, now: datetime) -> Registration:
        """A new request (POST newDeviceRequests), waiting for the device to poll."""
        request_id = body["id"]
        if request_id in self._items:
            raise conflict("devicecontrol", f"New device request with id '{request_id}' already exists")
        return self._store(
            Registration(
                id=request_id,
                status=WAITING,
                owner=owner,
                tenant=tenant,
                creation_time=format_time(now),
                group_id=_optional_string(body, "groupId"),
                type=_optional_string(body, "type"),
            )
        )

    def register_for_enrollment(
        self, request_id: str, otp: str, *, owner: str, tenant: str, now: datetime
    ) -> Registration:
        """An ACCEPTED certificate registration whose OTP allows one EST enrollment."""
        if request_id in self._items:
            raise conflict("devicecontrol", f"Device '{request_id}' is already registered")
        return self._store(
            Registration(
                id=request_id,
                status=ACCEPTED,
                owner=owner,
                tenant=tenant,
                creation_time=format_time(now),
                auth_type=CERTIFICATES,
                otp_hash=hash_password(otp, self._secrets.token_bytes(16)),
            )
        )

    def device_polled(self, request_id: str) -> Registration | None:
        """The device asked for credentials: WAITING becomes PENDING_ACCEPTANCE."""
        found = self._items.get(request_id)
        if found is not None and found.status == WAITING:
            return self._store(replace(found, status=PENDING))
        return found

    def update(self, request_id: str, body: object) -> Registration:
        found = self.get(request_id)
        if not isinstance(body, dict):
            raise validation_error("The new device request must be a JSON object")
        status = body.get("status")
        if status is None:
            raise missing_fields("status")
        if status != ACCEPTED:
            raise validation_error(f"status can only be changed to {ACCEPTED}, not '{status}'")
        if found.status != PENDING:
            raise validation_error(
                f"Device request {request_id} is in status {found.status}; only {PENDING} can be accepted"
            )
        token = body.get("securityToken")
        if token is not None and found.security_token is not None and token != found.security_token:
            raise validation_error("The security token does not match the one the device sent")
        return self._store(replace(found, status=ACCEPTED))

    def force_status(self, request_id: str, status: str) -> Registration:
        """Admin override (the local control API): set any status."""
        if status not in STATUSES:
            raise validation_error(f"status must be one of {', '.join(STATUSES)}")
        return self._store(replace(self.get(request_id), status=status))

    def delete(self, request_id: str) -> Registration:
        found = self.get(request_id)
        del self._items[request_id]
        self._journal.delete(KIND, request_id)
        return found

    def check_enrollment_otp(self, request_id: str, otp: str) -> Registration:
        """The registration an EST request with ``<id>:<otp>`` may use, or 401 (counting wrong OTPs)."""
        found = self._items.get(request_id)
        if found is None or found.auth_type != CERTIFICATES or found.otp_hash is None:
            password_matches(None, otp)  # the work of a wrong one-time password: no timing oracle
            raise unauthorized(BAD_CREDENTIALS)
        if found.locked:
            raise unauthorized(OTP_LOCKED)
        if not password_matches(found.otp_hash, otp):
            updated = self._store(replace(found, otp_failures=found.otp_failures + 1))
            raise unauthorized(OTP_LOCKED if updated.locked else BAD_CREDENTIALS)
        if found.otp_used:
            raise unauthorized(OTP_USED)
        return found

    def consume_otp(self, request_id: str) -> Registration:
        return self._store(replace(self.get(request_id), otp_used=True, otp_failures=0))

    def restore(self, records: Iterable[Mapping[str, Any]]) -> None:
        for record in records:
            registration = Registration.from_record(record)
            self._items[registration.id] = registration


def _optional_string(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise validation_error(f"{name} must be a string")
    return str(value)
