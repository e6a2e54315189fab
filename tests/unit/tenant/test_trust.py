"""Trusted certificates and the tenant CA; fault rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from c8ylink.core.clock import FixedClock
from c8ylink.infra.tls.armor import pem_body
from c8ylink.infra.tls.ca import create_certificate_authority, issue_certificate
from c8ylink.infra.tls.certs import build_self_signed_certificate, encode_certificate_pem
from c8ylink.infra.tls.csr import build_csr
from c8ylink.infra.tls.keys import generate_private_key
from c8ylink.infra.tls.names import build_name
from c8ylink.tenant.faults import FaultPlan, parse_fault_rule
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.tenant import TenantState


def _self_signed_pem(clock: FixedClock, *, days: int = 365) -> str:
    cert = build_self_signed_certificate(
        generate_private_key(), build_name("dev"), now=clock.now(), days=days
    )
    return encode_certificate_pem(cert).decode()


def test_trusted_certificates_accept_pem_with_or_without_armour(
    state: TenantState, clock: FixedClock
) -> None:
    pem = _self_signed_pem(clock)
    entry = state.trust.add(
        {"name": "dev", "certInPemFormat": pem_body(pem), "status": "ENABLED"}, now=clock.now()
    )
    assert len(entry.fingerprint) == 40 and entry.fingerprint == entry.fingerprint.lower()
    assert entry.pem.startswith("-----BEGIN CERTIFICATE-----")
    with pytest.raises(TenantApiError) as caught:
        state.trust.add({"certInPemFormat": pem}, now=clock.now())
    assert caught.value.status == 409


@pytest.mark.parametrize("problem", ["not-a-ca", "expired", "garbage", "missing"])
def test_untrustworthy_certificates_are_422(state: TenantState, clock: FixedClock, problem: str) -> None:
    if problem == "not-a-ca":
        ca = create_certificate_authority(build_name("ca"), now=clock.now())
        leaf = issue_certificate(ca, build_csr(generate_private_key(), build_name("leaf")), now=clock.now())
        body = {"certInPemFormat": encode_certificate_pem(leaf).decode()}
    elif problem == "expired":
        body = {"certInPemFormat": _self_signed_pem(FixedClock(clock.now() - timedelta(days=800)), days=10)}
    elif problem == "garbage":
        body = {"certInPemFormat": "hello"}
    else:
        body = {}
    with pytest.raises(TenantApiError) as caught:
        state.trust.add(body, now=clock.now())
    assert caught.value.status == 422


def test_only_name_status_and_auto_registration_change(state: TenantState, clock: FixedClock) -> None:
    entry = state.trust.add({"certInPemFormat": _self_signed_pem(clock)}, now=clock.now())
    updated = state.trust.update(
        entry.fingerprint.upper(), {"status": "DISABLED", "autoRegistrationEnabled": True}
    )
    assert (updated.status, updated.auto_registration) == ("DISABLED", True)
    assert state.trust.enabled() == []
    with pytest.raises(TenantApiError):
        state.trust.update(entry.fingerprint, {"status": "MAYBE"})


def test_the_tenant_ca_exists_once_and_goes_with_its_trusted_certificate(
    state: TenantState, clock: FixedClock
) -> None:
    entry = state.trust.create_authority("t100", now=clock.now())
    assert entry.tenant_ca and state.trust.authority is not None
    with pytest.raises(TenantApiError) as caught:
        state.trust.create_authority("t100", now=clock.now())
    assert caught.value.status == 409
    state.trust.delete(entry.fingerprint)
    assert state.trust.authority is None


def test_faults_count_down_and_match_prefixes() -> None:
    plan = FaultPlan()
    plan.add(parse_fault_rule({"status": 503, "count": 2, "pathPrefix": "/inventory", "method": "get"}))
    assert plan.take("POST", "/inventory/managedObjects") is None
    assert plan.take("GET", "/alarm/alarms") is None
    assert plan.take("GET", "/inventory/managedObjects") is not None
    assert plan.take("GET", "/inventory/managedObjects/1") is not None
    assert plan.take("GET", "/inventory/managedObjects") is None
    with pytest.raises(TenantApiError):
        parse_fault_rule({"status": 200})
