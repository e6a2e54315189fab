"""The /__local__ control API (users, TFA, registrations, faults) and persistence across restarts."""

from __future__ import annotations

import queue
from collections.abc import Callable
from pathlib import Path

import httpx2
import pyotp
import pytest

from c8ylink.infra.tls.certs import build_self_signed_certificate, encode_certificate_pem
from c8ylink.infra.tls.keys import generate_private_key
from c8ylink.infra.tls.names import build_name
from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import INFO_FILE, load_tenant_info
from c8ylink.tenant.state.signals import (
    DataChanged,
    OperationCreated,
    TrustedCertificateAdded,
    TrustedCertificateDeleted,
)

from .conftest import admin_auth, unique

pytestmark = pytest.mark.integration


def test_tenant_json_describes_the_running_tenant(tenant: BackgroundTenant) -> None:
    info = load_tenant_info(tenant.info.data_dir)
    assert {"tenant", "domain", "https_url", "mtls_url", "ca_file", "admin"} <= set(info)
    assert info["tenant"] == "t100" and info["domain"] == "localhost"
    assert info["https_url"].startswith("https://127.0.0.1:") and info["mtls_url"].startswith(
        "https://127.0.0.1:"
    )
    assert Path(info["ca_file"]).is_absolute() and Path(info["ca_file"]).is_file()
    assert info["admin"] == {"username": "admin", "password": tenant.info.admin.password}
    assert (tenant.info.data_dir / INFO_FILE).stat().st_mode & 0o077 == 0  # it holds passwords


def test_admin_api_adds_users_and_their_second_factor(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client]
) -> None:
    name = unique("ops")
    added = api.post("/__local__/users", json={"username": name, "roles": ["user"]})
    assert added.status_code == 201
    password = added.json()["password"]
    user = client_for(tenant, (f"t100/{name}", password))
    assert user.get("/inventory/managedObjects").status_code == 200
    assert user.get("/tenant/tenants/t100/trusted-certificates").status_code == 403  # not a tenant admin
    assert api.post("/__local__/users", json={"username": name}).status_code == 409
    secret = api.post(f"/__local__/users/{name}/tfa", json={"mode": "enable"}).json()["secret"]
    assert user.get("/inventory/managedObjects").status_code == 401
    assert (
        user.get("/inventory/managedObjects", headers={"tfatoken": pyotp.TOTP(secret).now()}).status_code
        == 200
    )
    assert api.delete(f"/__local__/users/{name}/tfa").status_code == 204
    assert user.get("/inventory/managedObjects").status_code == 200
    assert user.get("/__local__/users").status_code == 403
    assert api.delete(f"/__local__/users/{name}").status_code == 204
    assert user.get("/inventory/managedObjects").status_code == 401


def test_injected_faults_fail_the_next_requests_then_stop(api: httpx2.Client) -> None:
    rule = {"status": 503, "count": 2, "pathPrefix": "/inventory", "message": "maintenance"}
    assert api.post("/__local__/faults", json=rule).status_code == 201
    assert api.get("/alarm/alarms").status_code == 200  # other paths are untouched
    for _ in range(2):
        failed = api.get("/inventory/managedObjects")
        assert failed.status_code == 503 and failed.json()["message"] == "maintenance"
    assert api.get("/inventory/managedObjects").status_code == 200
    api.post("/__local__/faults", json={"status": 500, "count": 9})
    assert (
        api.get("/__local__/faults").json()["faults"][0]["remaining"] == 9
    )  # the control API is never faulted
    assert api.delete("/__local__/faults").status_code == 204
    assert api.get("/tenant/currentTenant").status_code == 200


def test_bad_fault_rules_are_422(api: httpx2.Client) -> None:
    assert api.post("/__local__/faults", json={"status": 200}).status_code == 422
    assert api.post("/__local__/faults", json={"count": 0}).status_code == 422


def test_registrations_can_be_listed_and_force_accepted(api: httpx2.Client) -> None:
    serial = unique("force")
    api.post("/devicecontrol/newDeviceRequests", json={"id": serial})
    assert api.post(f"/__local__/registrations/{serial}/accept").status_code == 204
    listed = {r["id"]: r for r in api.get("/__local__/registrations").json()["registrations"]}
    assert listed[serial]["status"] == "ACCEPTED" and listed[serial]["authType"] == "BASIC"


def test_a_restart_keeps_everything(
    start_tenant: Callable[..., BackgroundTenant], client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    data_dir = tmp_path / "persistent"
    with start_tenant(data_dir=data_dir) as first:
        api = client_for(first, admin_auth(first))
        device = api.post("/inventory/managedObjects", json={"name": "kept", "c8y_IsDevice": {}}).json()["id"]
        api.post(
            f"/identity/globalIds/{device}/externalIds", json={"externalId": "kept-1", "type": "c8y_Serial"}
        )
        api.post(
            "/measurement/measurements",
            json={"source": {"id": device}, "type": "t", "time": "2026-01-01T00:00:00Z"},
        )
        api.post("/__local__/users", json={"username": "kept-user", "password": "kept-password"})
        token = (
            client_for(first)
            .post("/tenant/oauth/token", data={"username": "admin", "password": first.info.admin.password})
            .json()["access_token"]
        )
        password = first.info.admin.password
        trusted = [
            c["fingerprint"]
            for c in api.get("/tenant/tenants/t100/trusted-certificates").json()["certificates"]
        ]
        ca_file = first.info.ca_file.read_bytes()
    assert not (data_dir / INFO_FILE).exists()  # removed on a clean stop
    with start_tenant(data_dir=data_dir) as second:
        assert second.info.admin.password == password
        assert second.info.ca_file.read_bytes() == ca_file  # clients keep trusting the same CA
        api = client_for(second, admin_auth(second))
        assert api.get(f"/inventory/managedObjects/{device}").json()["name"] == "kept"
        assert api.get("/identity/externalIds/c8y_Serial/kept-1").json()["managedObject"]["id"] == device
        assert (
            len(api.get("/measurement/measurements", params={"source": device}).json()["measurements"]) == 1
        )
        assert (
            client_for(second, ("t100/kept-user", "kept-password")).get("/user/currentUser").status_code
            == 200
        )
        bearer = client_for(second, headers={"Authorization": f"Bearer {token}"})
        assert bearer.get("/tenant/currentTenant").status_code == 200  # the signing key survived
        listing = api.get("/tenant/tenants/t100/trusted-certificates").json()["certificates"]
        assert [c["fingerprint"] for c in listing] == trusted and trusted
        created = api.post("/inventory/managedObjects", json={"name": "after"}).json()["id"]
        assert int(created) > int(device)  # ids keep increasing


def test_extra_hostnames_go_into_the_server_certificate(
    start_tenant: Callable[..., BackgroundTenant], tmp_path: Path
) -> None:
    from c8ylink.infra.tls.certs import load_certificate_chain, subject_alternative_names

    with start_tenant(hostnames=("tenant.example", "10.0.0.7"), device_ca=False) as running:
        leaf = load_certificate_chain(running.info.data_dir / "tls" / "server.pem")[0]
        assert subject_alternative_names(leaf) == ["localhost", "tenant.example", "127.0.0.1", "10.0.0.7"]


def test_front_ends_hear_about_changes_made_over_rest(tenant: BackgroundTenant, api: httpx2.Client) -> None:
    """What the MQTT listener will rely on: signals after each committed REST change (the domain
    signals, in order; every commit's ``DataChanged`` for real-time notifications comes along too)."""
    heard: queue.Queue[object] = queue.Queue()
    changed: list[DataChanged] = []

    def hear(signal: object) -> None:
        if isinstance(signal, DataChanged):
            changed.append(signal)
        else:
            heard.put(signal)

    unsubscribe = tenant.call(lambda: tenant.service.subscribe(hear))
    try:
        device = api.post(
            "/inventory/managedObjects", json={"name": unique("sig"), "com_cumulocity_model_Agent": {}}
        )
        operation = api.post(
            "/devicecontrol/operations", json={"deviceId": device.json()["id"], "c8y_Restart": {}}
        )
        created = heard.get(timeout=10)
        assert isinstance(created, OperationCreated) and created.operation["id"] == operation.json()["id"]
        assert created.operation["agentId"] == device.json()["id"]
        now = tenant.call(tenant.service.state.now)
        cert = build_self_signed_certificate(generate_private_key(), build_name(unique("sig-cert")), now=now)
        trusted = api.post(
            "/tenant/tenants/t100/trusted-certificates",
            json={"certInPemFormat": encode_certificate_pem(cert).decode()},
        ).json()
        assert isinstance(heard.get(timeout=10), TrustedCertificateAdded)
        api.delete(f"/tenant/tenants/t100/trusted-certificates/{trusted['fingerprint']}")
        deleted = heard.get(timeout=10)
        assert deleted == TrustedCertificateDeleted(trusted["fingerprint"])
        persisted = {(kind, key) for signal in changed for kind, key, _, _ in signal.changes}
        assert ("operation", operation.json()["id"]) in persisted
    finally:
        tenant.call(unsubscribe)
