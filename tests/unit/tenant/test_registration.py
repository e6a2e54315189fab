"""Registration flows: new device requests, bootstrap credentials, bulk CSV, EST OTPs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from c8ylink.infra.tls.certs import describe_certificate
from c8ylink.infra.tls.csr import build_csr
from c8ylink.infra.tls.keys import generate_private_key
from c8ylink.infra.tls.names import build_name
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.bulk import detect_separator, parse_bulk_csv
from c8ylink.tenant.state.enrollment import device_credentials, enroll, reenroll, register_bulk
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.registrations import ACCEPTED, PENDING, WAITING
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.users import BOOTSTRAP

from .conftest import device_principal

BOOT = Principal("management", "devicebootstrap", frozenset({BOOTSTRAP}), "basic")
OTP = "0123456789abcdef"


def test_basic_registration_flow(state: TenantState, admin: Principal) -> None:
    request = state.registrations.request({"id": "dev-1"}, owner="admin", tenant="t100", now=state.now())
    assert request.status == WAITING
    with pytest.raises(TenantApiError) as caught:
        device_credentials(state, BOOT, {"id": "dev-1"})
    assert caught.value.status == 404
    assert state.registrations.get("dev-1").status == PENDING
    accepted = state.registrations.update("dev-1", {"status": ACCEPTED})
    assert accepted.status == ACCEPTED
    credentials = device_credentials(state, BOOT, {"id": "dev-1"})
    assert credentials["username"] == "device_dev-1" and credentials["tenantId"] == "t100"
    user = state.users.get("t100", "device_dev-1")
    assert user.is_device and state.users.check_password(user, credentials["password"])
    with pytest.raises(TenantApiError):
        device_credentials(state, BOOT, {"id": "dev-1"})  # delivered once


def test_only_pending_requests_can_be_accepted(state: TenantState) -> None:
    state.registrations.request({"id": "dev-2"}, owner="admin", tenant="t100", now=state.now())
    with pytest.raises(TenantApiError) as caught:
        state.registrations.update("dev-2", {"status": ACCEPTED})
    assert caught.value.status == 422


@pytest.mark.parametrize(("header", "separator"), [("ID\tNAME", "\t"), ("ID;NAME", ";"), ("ID,NAME", ",")])
def test_bulk_csv_separators_are_detected(header: str, separator: str) -> None:
    assert detect_separator(header) == separator


def test_bulk_csv_rows_and_custom_properties() -> None:
    text = (
        "ID;AUTH_TYPE;ENROLLMENT_OTP;NAME;TYPE;ICCID;PATH;SHELL;com_cumulocity_model_Agent.active;external-imei\n"
        f"d1;CERTIFICATES;{OTP};Device 1;thin-edge.io;8949;a/b;1;true;35693\n"
    )
    devices, failures = parse_bulk_csv(text)
    assert failures == []
    device = devices[0]
    assert (device.external_id, device.auth_type, device.otp, device.name) == (
        "d1",
        "CERTIFICATES",
        OTP,
        "Device 1",
    )
    assert device.path == ("a", "b") and device.shell and device.iccid == "8949"
    assert device.properties == {"com_cumulocity_model_Agent": {"active": "true"}}
    assert device.external_ids == (("imei", "35693"),)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ID,CREDENTIALS\nd1\n", "Wrong number of columns"),
        ("ID,NAME\nd1,x\n", "Missing mandatory value CREDENTIALS"),
        ("ID,ENROLLMENT_OTP\nd1,short\n", "ENROLLMENT_OTP must have"),
        ("ID,AUTH_TYPE,CREDENTIALS\nd1,TOKEN,pw\n", "AUTH_TYPE must be"),
        ("ID,CREDENTIALS\n,pw\n", "Missing mandatory value ID"),
    ],
    ids=["short-row", "no-credentials", "short-otp", "bad-auth-type", "empty-id"],
)
def test_bad_bulk_rows_fail_one_by_one(text: str, reason: str) -> None:
    devices, failures = parse_bulk_csv(text)
    assert devices == []
    assert reason in failures[0].reason


@pytest.mark.parametrize("text", ["", "NAME,TYPE\nx,y\n"], ids=["empty-file", "no-id-column"])
def test_unusable_bulk_files_are_422(text: str) -> None:
    with pytest.raises(TenantApiError) as caught:
        parse_bulk_csv(text)
    assert caught.value.status == 422


def _csr(common_name: str) -> object:
    return build_csr(generate_private_key(), build_name(common_name))


def test_bulk_certificate_registration_then_single_use_enrollment(
    state: TenantState, admin: Principal
) -> None:
    state.trust.create_authority("t100", now=state.now())
    result = register_bulk(
        state, admin, f"ID\tAUTH_TYPE\tENROLLMENT_OTP\tNAME\nd1\tCERTIFICATES\t{OTP}\tDev 1\n"
    )
    assert result.to_document()["numberOfSuccessful"] == 1
    device = state.identity.get("c8y_Serial", "d1")
    assert state.inventory.get(device.object_id)["owner"] == "device_d1"
    leaf = enroll(state, "d1", OTP, lambda: _csr("d1"))[0]  # type: ignore[arg-type,return-value]
    assert describe_certificate(leaf).common_name == "d1"
    with pytest.raises(TenantApiError, match="already been used") as caught:
        enroll(state, "d1", OTP, lambda: _csr("d1"))  # type: ignore[arg-type,return-value]
    assert caught.value.status == 401


def test_wrong_otps_lock_the_registration(state: TenantState, admin: Principal) -> None:
    state.trust.create_authority("t100", now=state.now())
    register_bulk(state, admin, f"ID,ENROLLMENT_OTP\nd2,{OTP}\n")
    for _ in range(5):
        with pytest.raises(TenantApiError):
            enroll(state, "d2", "wrong-otp-123", lambda: _csr("d2"))  # type: ignore[arg-type,return-value]
    with pytest.raises(TenantApiError, match="locked"):
        enroll(state, "d2", OTP, lambda: _csr("d2"))  # type: ignore[arg-type,return-value]


def test_enrollment_checks_the_common_name(state: TenantState, admin: Principal) -> None:
    state.trust.create_authority("t100", now=state.now())
    register_bulk(state, admin, f"ID,ENROLLMENT_OTP\nd3,{OTP}\n")
    with pytest.raises(TenantApiError) as caught:
        enroll(state, "d3", OTP, lambda: _csr("someone-else"))  # type: ignore[arg-type,return-value]
    assert caught.value.status == 422
    leaf = reenroll(state, device_principal("d3"), _csr("d3"))[0]  # type: ignore[arg-type]
    assert describe_certificate(leaf).not_before.year == datetime(2025, 12, 31, tzinfo=UTC).year
    with pytest.raises(TenantApiError) as caught:
        reenroll(state, device_principal("d3"), _csr("d4"))  # type: ignore[arg-type]
    assert caught.value.status == 422


def test_unregistered_devices_cannot_enroll(state: TenantState) -> None:
    with pytest.raises(TenantApiError) as caught:
        enroll(state, "nobody", OTP, lambda: _csr("nobody"))  # type: ignore[arg-type,return-value]
    assert caught.value.status == 401
    assert caught.value.error == "security/Unauthorized"


def test_a_short_password_fails_its_row_when_created_as_when_updated(
    state: TenantState, admin: Principal
) -> None:
    # creating and updating a device user follow one password rule
    result = register_bulk(state, admin, "ID,CREDENTIALS\nd-short,pw\nd-long,secret-pw\n")
    assert result.created == ["d-long"]
    assert [(f.device_id, f.reason) for f in result.failures] == [
        ("d-short", "Password must have at least 6 characters")
    ]
    assert state.users.find(state.tenant_id, "device_d-short") is None
