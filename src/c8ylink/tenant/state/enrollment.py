"""Getting devices in: bulk registration, bootstrap credentials, EST (re-)enrollment and certificate
login (``deviceAccessToken``). cumulocity-api.md §3.8 and §3.10."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from c8ylink.core.errors import TlsError
from c8ylink.infra.tls.certs import Certificate, fingerprint_sha1
from c8ylink.infra.tls.chains import build_chain
from c8ylink.infra.tls.csr import CertificateRequest, csr_common_name, csr_requests_ca
from c8ylink.infra.tls.names import common_name_of
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.bulk import BulkDevice, RowFailure, parse_bulk_csv
from c8ylink.tenant.state.errors import TenantApiError, forbidden, unauthorized, validation_error
from c8ylink.tenant.state.registrations import ACCEPTED, BASIC, registration_not_found
from c8ylink.tenant.state.signals import DeviceUserCreated
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.tokens import IssuedToken
from c8ylink.tenant.state.users import DEVICE, DEVICE_PREFIX, User, device_username

DEVICE_PASSWORD_LENGTH = 24


@dataclass(slots=True)
class BulkResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    failures: list[RowFailure] = field(default_factory=list)

    def to_document(self) -> dict[str, Any]:
        succeeded = len(self.created) + len(self.updated)
        return {
            "numberOfAll": succeeded + len(self.failures),
            "numberOfCreated": len(self.created),
            "numberOfFailed": len(self.failures),
            "numberOfSuccessful": succeeded,
            "credentialUpdatedList": [
                *({"deviceId": d, "bulkNewDeviceStatus": "CREATED"} for d in self.created),
                *({"deviceId": d, "bulkNewDeviceStatus": "CREDENTIAL_UPDATED"} for d in self.updated),
            ],
            "failedCreationList": [
                {
                    "deviceId": f.device_id,
                    "bulkNewDeviceStatus": "FAILED",
                    "failureReason": f.reason,
                    "line": f.line,
                }
                for f in self.failures
            ],
        }


def register_bulk(state: TenantState, principal: Principal, csv_text: str) -> BulkResult:
    devices, failures = parse_bulk_csv(csv_text)
    result = BulkResult(failures=list(failures))
    for device in devices:
        try:
            updated = _register_one(state, principal, device)
        except TenantApiError as exc:
            result.failures.append(RowFailure(device.external_id, device.line, exc.message))
            continue
        (result.updated if updated else result.created).append(device.external_id)
    return result


def _register_one(state: TenantState, principal: Principal, device: BulkDevice) -> bool:
    """Register one row; True when only the credentials of an existing device were updated."""
    if device.tenant not in (None, state.tenant_id):
        raise validation_error(
            "TENANT can only name another tenant when registering from the management tenant"
        )
    if state.registrations.find(device.external_id) is not None:
        raise validation_error(f"Device '{device.external_id}' is already registered")
    now = state.now()
    username = device_username(device.external_id)
    bound = state.identity.find(device.id_type, device.external_id)
    if device.auth_type == BASIC:
        user = state.users.find(state.tenant_id, username)
        if bound is not None and user is not None:
            state.users.set_password(user, device.credentials or "", now=now)
            return True
        ensure_device_user(state, username, device.credentials)
    else:
        state.registrations.register_for_enrollment(
            device.external_id, device.otp or "", owner=principal.username, tenant=state.tenant_id, now=now
        )
        ensure_device_user(state, username, None)
    if bound is None:
        object_id = _create_device_object(state, device, owner=username)
        for extra_type, extra_value in device.external_ids:
            state.identity.add(object_id, extra_type, extra_value)
    return False


def _create_device_object(state: TenantState, device: BulkDevice, *, owner: str) -> str:
    body: dict[str, Any] = {
        **device.properties,
        "name": device.name or device.external_id,
        "c8y_IsDevice": {},
    }
    if device.type:
        body["type"] = device.type
    if device.iccid:
        body["c8y_Mobile"] = {"iccid": device.iccid}
    if device.shell:
        body["c8y_SupportedOperations"] = ["c8y_Command"]
    document = state.inventory.create(body, owner=owner, now=state.now())
    state.identity.add(document["id"], device.id_type, device.external_id)
    if device.path:
        group_id = _ensure_group_path(state, device.path, owner=owner)
        state.inventory.add_reference(group_id, "childAssets", document["id"])
    return str(document["id"])


def _ensure_group_path(state: TenantState, path: Sequence[str], *, owner: str) -> str:
    parent: str | None = None
    for name in path:
        candidates = (
            state.inventory.references(parent, "childAssets")
            if parent
            else [
                doc["id"]
                for doc in state.inventory.select_groups()
                if not state.inventory.asset_parents(doc["id"])
            ]
        )
        match = next(
            (
                cid
                for cid in candidates
                if (state.inventory.find(cid) or {}).get("name") == name
                and "c8y_IsDeviceGroup" in (state.inventory.find(cid) or {})
            ),
            None,
        )
        if match is None:
            group = state.inventory.create(
                {"name": name, "type": "c8y_DeviceGroup", "c8y_IsDeviceGroup": {}},
                owner=owner,
                now=state.now(),
            )
            match = group["id"]
            if parent is not None:
                state.inventory.add_reference(parent, "childAssets", match)
        parent = match
    assert parent is not None
    return parent


def ensure_device_user(state: TenantState, username: str, password: str | None) -> User:
    existing = state.users.find(state.tenant_id, username)
    if existing is not None:
        return existing
    user = state.users.add(state.tenant_id, username, roles=[DEVICE], password=password, now=state.now())
    state.emit(DeviceUserCreated(username))
    return user


def device_credentials(state: TenantState, principal: Principal, body: Any) -> dict[str, str]:
    """Bootstrap polling: 404 until the operator accepted the request, then the device's credentials once."""
    if not principal.is_bootstrap and not principal.is_admin:
        raise forbidden()
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body["id"]:
        raise validation_error("Following mandatory fields should be included: id")
    request_id = body["id"]
    registration = state.registrations.device_polled(request_id)
    if registration is None or registration.status != ACCEPTED or registration.auth_type != BASIC:
        raise registration_not_found(request_id)
    username = device_username(request_id)
    password = state.secrets.password(DEVICE_PASSWORD_LENGTH)
    user = ensure_device_user(state, username, password)
    state.users.set_password(user, password, now=state.now())
    state.registrations.delete(request_id)
    return {"id": request_id, "tenantId": state.tenant_id, "username": username, "password": password}


def _check_device_csr(csr: CertificateRequest, device_id: str) -> None:
    common_name = csr_common_name(csr)
    if common_name != device_id:
        raise validation_error(
            f"The common name of the certificate signing request ('{common_name}') "
            f"must be the device id '{device_id}'"
        )
    if csr_requests_ca(csr):
        raise validation_error("A device certificate cannot be a CA certificate (CA:TRUE requested)")


def enroll(
    state: TenantState, external_id: str, otp: str, csr_reader: Callable[[], CertificateRequest]
) -> list[Certificate]:
    """EST simpleenroll: authenticate ``<externalId>:<otp>`` first, then parse and sign the CSR.

    ``csr_reader`` is a callable returning the parsed request (it raises 400 on malformed input),
    so that unauthenticated callers learn nothing about their body.
    """
    state.registrations.check_enrollment_otp(external_id, otp)
    csr = csr_reader()
    _check_device_csr(csr, external_id)
    certificates = state.trust.issue(csr, now=state.now())
    state.registrations.consume_otp(external_id)
    ensure_device_user(state, device_username(external_id), None)
    return certificates


def reenroll(state: TenantState, principal: Principal, csr: CertificateRequest) -> list[Certificate]:
    """EST simplereenroll: a device renews its own certificate (CN = its external id)."""
    if not principal.is_device or not principal.username.startswith(DEVICE_PREFIX):
        raise forbidden()
    _check_device_csr(csr, principal.username[len(DEVICE_PREFIX) :])
    return state.trust.issue(csr, now=state.now())


def certificate_login(state: TenantState, leaf: Certificate, chain: Sequence[Certificate]) -> IssuedToken:
    """deviceAccessToken: a device token for the device named by a trusted client certificate."""
    anchors = {trusted.fingerprint: trusted for trusted in state.trust.enabled()}
    try:
        path = build_chain(leaf, list(chain), [t.certificate for t in anchors.values()], now=state.now())
    except TlsError as exc:
        raise unauthorized(f"Invalid credentials! : {exc}") from exc
    anchor = anchors[fingerprint_sha1(path[-1])]
    common_name = common_name_of(leaf.subject)
    if not common_name:
        raise unauthorized("Invalid credentials! : the certificate has no common name")
    username = device_username(common_name)
    user = state.users.find(state.tenant_id, username)
    if user is None:
        if not anchor.auto_registration:
            raise unauthorized(f"Invalid credentials! : device '{common_name}' is not registered")
        user = ensure_device_user(state, username, None)
    if not user.is_device:
        raise unauthorized()
    return state.tokens.issue_device_token(username, now=state.now())
