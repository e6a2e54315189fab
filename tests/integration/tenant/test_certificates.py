"""Trusted certificates, the tenant CA and certificate login on the mutual-TLS port (§3.9-3.10).

Device certificates here come from our own ``infra.tls`` (as ``tedge cert create`` will make them).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from c8ylink.core.jwt import decode_jwt_claims
from c8ylink.infra.tls.armor import pem_body
from c8ylink.infra.tls.ca import create_certificate_authority, issue_certificate
from c8ylink.infra.tls.certs import (
    build_self_signed_certificate,
    decode_certificate,
    encode_certificate_pem,
    fingerprint_sha1,
)
from c8ylink.infra.tls.csr import build_csr
from c8ylink.infra.tls.keys import encode_private_key_pem, generate_private_key
from c8ylink.infra.tls.names import build_name
from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique

pytestmark = pytest.mark.integration
TRUSTED = "/tenant/tenants/t100/trusted-certificates"


def _self_signed(tenant: BackgroundTenant, tmp_path: Path, device: str) -> tuple[str, tuple[Path, Path]]:
    """A thin-edge style self-signed device certificate (CA:TRUE), its PEM and files."""
    key = generate_private_key()
    now = tenant.call(tenant.service.state.now)
    cert = build_self_signed_certificate(key, build_name(device, organization="Thin Edge"), now=now)
    cert_file, key_file = tmp_path / f"{device}.pem", tmp_path / f"{device}.key"
    cert_file.write_bytes(encode_certificate_pem(cert))
    key_file.write_bytes(encode_private_key_pem(key))
    return encode_certificate_pem(cert).decode(), (cert_file, key_file)


def test_trusted_certificate_lifecycle(tenant: BackgroundTenant, api: httpx2.Client, tmp_path: Path) -> None:
    device = unique("self-signed")
    pem, _ = _self_signed(tenant, tmp_path, device)
    body = {"name": device, "certInPemFormat": pem, "autoRegistrationEnabled": True, "status": "ENABLED"}
    created = api.post(TRUSTED, json=body)
    assert created.status_code == 201
    entry = created.json()
    assert entry["subject"] == f"CN={device}, O=Thin Edge" and entry["version"] == 3
    assert entry["autoRegistrationEnabled"] is True and entry["tenantCertificateAuthority"] is False
    fingerprint = entry["fingerprint"]
    assert api.post(TRUSTED, json={**body, "certInPemFormat": pem_body(pem)}).status_code == 409
    assert api.get(f"{TRUSTED}/{fingerprint}").json()["name"] == device
    changed = api.put(f"{TRUSTED}/{fingerprint}", json={"status": "DISABLED", "name": "renamed"}).json()
    assert (changed["status"], changed["name"]) == ("DISABLED", "renamed")
    assert api.delete(f"{TRUSTED}/{fingerprint}").status_code == 204
    assert api.get(f"{TRUSTED}/{fingerprint}").status_code == 404
    assert api.delete(f"{TRUSTED}/{fingerprint}").status_code == 404


@pytest.mark.parametrize("problem", ["leaf-not-ca", "garbage", "missing-pem", "bad-status"])
def test_untrustworthy_uploads_are_422(
    tenant: BackgroundTenant, api: httpx2.Client, tmp_path: Path, problem: str
) -> None:
    now = tenant.call(tenant.service.state.now)
    body: dict[str, object] = {"name": "x", "status": "ENABLED"}
    if problem == "leaf-not-ca":
        ca = create_certificate_authority(build_name("some-ca"), now=now)
        leaf = issue_certificate(ca, build_csr(generate_private_key(), build_name("leaf")), now=now)
        body["certInPemFormat"] = encode_certificate_pem(leaf).decode()
    elif problem == "garbage":
        body["certInPemFormat"] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    elif problem == "bad-status":
        body["certInPemFormat"], _ = _self_signed(tenant, tmp_path, unique("status"))
        body["status"] = "SOMETIMES"
    answer = api.post(TRUSTED, json=body)
    assert answer.status_code == 422, answer.text


def test_the_tenant_ca_is_a_trusted_certificate_created_once(api: httpx2.Client) -> None:
    again = api.post("/certificate-authority")
    assert again.status_code == 409
    feature = api.get("/features/certificate-authority").json()
    assert feature["active"] is True and feature["key"] == "certificate-authority"


def test_a_tenant_without_ca_creates_one(
    start_tenant: Callable[..., BackgroundTenant], client_for: Callable[..., httpx2.Client]
) -> None:
    with start_tenant(device_ca=False) as running:
        api = client_for(running, (f"{running.info.tenant}/admin", running.info.admin.password))
        assert api.get(TRUSTED).json()["certificates"] == []
        created = api.post("/certificate-authority")
        assert created.status_code == 201
        entry = created.json()
        assert entry["tenantCertificateAuthority"] is True and entry["subject"].startswith(
            "CN=t100, O=Cumulocity"
        )
        assert (
            api.get(TRUSTED, params={"certificateAuthority": "true"}).json()["certificates"][0]["fingerprint"]
            == (entry["fingerprint"])
        )


def test_certificate_login_with_an_auto_registering_trusted_certificate(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    device = unique("auto")
    pem, files = _self_signed(tenant, tmp_path, device)
    api.post(
        TRUSTED,
        json={"name": device, "certInPemFormat": pem, "autoRegistrationEnabled": True, "status": "ENABLED"},
    )
    answer = client_for(tenant, mtls=True, cert=files).post("/devicecontrol/deviceAccessToken")
    assert answer.status_code == 200, answer.text
    claims = decode_jwt_claims(answer.json()["accessToken"])
    assert (
        claims["sub"] == f"device_{device}"
        and claims["iss"] == "localhost"
        and claims["exp"] - claims["iat"] == 3600
    )
    users = [user["username"] for user in api.get("/__local__/users").json()["users"]]
    assert f"device_{device}" in users


def test_certificate_login_refuses_unregistered_devices_and_disabled_certificates(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    device = unique("manual")
    pem, files = _self_signed(tenant, tmp_path, device)
    fingerprint = api.post(
        TRUSTED, json={"name": device, "certInPemFormat": pem, "status": "ENABLED"}
    ).json()["fingerprint"]
    mtls = client_for(tenant, mtls=True, cert=files)
    unregistered = mtls.post("/devicecontrol/deviceAccessToken")
    assert unregistered.status_code == 401 and "not registered" in unregistered.json()["message"]
    api.put(f"{TRUSTED}/{fingerprint}", json={"autoRegistrationEnabled": True, "status": "DISABLED"})
    disabled = client_for(tenant, mtls=True, cert=files).post("/devicecontrol/deviceAccessToken")
    assert disabled.status_code == 401
    assert fingerprint == fingerprint_sha1(decode_certificate(pem))


def test_certificate_login_needs_a_client_certificate(
    tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client]
) -> None:
    for client in (client_for(tenant), client_for(tenant, mtls=True)):
        answer = client.post("/devicecontrol/deviceAccessToken")
        assert answer.status_code == 401


def test_unknown_client_certificates_fail_the_handshake(
    tenant: BackgroundTenant, client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    _, files = _self_signed(tenant, tmp_path, unique("stranger"))
    # TLS 1.3: the client learns of the refusal when the server closes the connection
    with pytest.raises((httpx2.TransportError, ssl.SSLError)):
        client_for(tenant, mtls=True, cert=files).post("/devicecontrol/deviceAccessToken")


def test_the_chain_header_completes_a_chain(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    """The device's issuer is an intermediate that is not uploaded; the chain comes in X-Ssl-Cert-Chain."""
    now = tenant.call(tenant.service.state.now)
    root = create_certificate_authority(build_name(unique("root")), now=now)
    intermediate = create_certificate_authority(build_name(unique("intermediate")), now=now, issuer=root)
    device = unique("chained")
    key = generate_private_key()
    leaf = issue_certificate(intermediate, build_csr(key, build_name(device)), now=now)
    api.post(
        TRUSTED,
        json={
            "name": "root",
            "autoRegistrationEnabled": True,
            "status": "ENABLED",
            "certInPemFormat": encode_certificate_pem(root.certificate).decode(),
        },
    )
    cert_file, key_file = tmp_path / "leaf.pem", tmp_path / "leaf.key"
    # the TLS handshake gets the full chain; the application sees only the leaf and the header
    cert_file.write_bytes(encode_certificate_pem(leaf) + encode_certificate_pem(intermediate.certificate))
    key_file.write_bytes(encode_private_key_pem(key))
    mtls = client_for(tenant, mtls=True, cert=(cert_file, key_file))
    assert mtls.post("/devicecontrol/deviceAccessToken").status_code == 401
    header = encode_certificate_pem(intermediate.certificate).decode().strip().replace("\n", " ")
    answer = mtls.post("/devicecontrol/deviceAccessToken", headers={"X-Ssl-Cert-Chain": header})
    assert answer.status_code == 200, answer.text
    garbage = mtls.post("/devicecontrol/deviceAccessToken", headers={"X-Ssl-Cert-Chain": "not a chain"})
    assert garbage.status_code == 400
