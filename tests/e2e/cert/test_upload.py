"""Option 2 of the user doc: `tedge cert create` + `tedge cert upload c8y --user U` makes the tenant trust
the self-signed certificate, with auto-registration (the device then logs in with it)."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import httpx2
import pexpect
import pytest
from tests.e2e.conftest import TenantApi

from c8ylink.tenant.background import BackgroundTenant

from .conftest import Device, host_port, unique, write_config

pytestmark = pytest.mark.e2e


def create(device: Device, device_id: str) -> str:
    """Create the certificate; its thumbprint (lower case: the trusted-certificate id)."""
    result = device.run("cert", "create", "--device-id", device_id)
    assert result.returncode == 0, result.stderr
    return next(
        line.split()[1] for line in result.stdout.splitlines() if line.startswith("Thumbprint:")
    ).lower()


def device_token(tenant: BackgroundTenant, device: Device) -> httpx2.Response:
    """What the device does with a trusted certificate: get a token over mutual TLS."""
    context = ssl.create_default_context(cafile=str(tenant.info.ca_file))
    context.load_cert_chain(str(device.cert_path), str(device.key_path))
    with httpx2.Client(verify=context, timeout=30) as client:
        return client.post(
            f"{tenant.info.mtls_url}/devicecontrol/deviceAccessToken", headers={"Accept": "application/json"}
        )


def test_upload_with_the_password_on_stdin(device: Device, tenant_api: TenantApi) -> None:
    device_id = unique("self-signed")
    fingerprint = create(device, device_id)
    result = device.run("cert", "upload", "c8y", "--user", "admin", input=tenant_api.admin_password + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Device certificate uploaded successfully.\n"
    assert tenant_api.admin_password not in result.stdout + result.stderr
    trusted = tenant_api.trusted_certificate(fingerprint)
    assert trusted is not None
    assert (trusted["name"], trusted["status"], trusted["autoRegistrationEnabled"]) == (
        device_id,
        "ENABLED",
        True,
    )
    assert trusted["certInPemFormat"].replace("\n", "") in device.cert_path.read_text().replace("\n", "")
    # auto-registration: the certificate alone now gets the device in
    assert f"device_{device_id}" not in tenant_api.usernames()
    answer = device_token(tenant_api.tenant, device)
    assert answer.status_code == 200 and answer.json()["accessToken"]
    assert f"device_{device_id}" in tenant_api.usernames()


def test_upload_prompts_for_the_password_without_echo(device: Device, tenant_api: TenantApi) -> None:
    fingerprint = create(device, unique("tty-upload"))
    child = device.spawn("cert", "upload", "c8y", "--user", "admin")
    child.expect_exact("Enter password: ")
    child.sendline(tenant_api.admin_password)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert tenant_api.admin_password not in child.before
    assert "Device certificate uploaded successfully." in child.before
    assert tenant_api.trusted_certificate(fingerprint) is not None


def test_upload_prompts_for_the_user(device: Device, tenant_api: TenantApi) -> None:
    create(device, unique("ask-user"))
    result = device.run(
        "cert", "upload", "c8y", env={"C8Y_PASSWORD": tenant_api.admin_password}, input="admin\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Enter username: Device certificate uploaded successfully.\n"


def test_upload_twice_is_fine(device: Device, tenant_api: TenantApi) -> None:
    create(device, unique("twice"))
    env = {"C8Y_USER": "admin", "C8Y_PASSWORD": tenant_api.admin_password}
    assert (
        device.run("cert", "upload", "c8y", env=env).stdout == "Device certificate uploaded successfully.\n"
    )
    again = device.run("cert", "upload", "c8y", env=env)
    assert (again.returncode, again.stdout) == (0, "Device certificate already exists in the cloud.\n")


def test_deprecated_password_variable(device: Device, tenant_api: TenantApi) -> None:
    create(device, unique("c8ypass"))
    result = device.run(
        "cert", "upload", "c8y", "--user", "admin", env={"C8YPASS": tenant_api.admin_password}
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stderr == "warning: The C8YPASS environment variable is deprecated: use C8Y_PASSWORD instead\n"
    )


def test_wrong_credentials(device: Device, tenant_api: TenantApi) -> None:
    create(device, unique("wrong-password"))
    result = device.run("cert", "upload", "c8y", "--user", "admin", "--password", "not-the-password")
    assert result.returncode == 1
    url = f"{tenant_api.tenant.info.https_url}/tenant/currentTenant"
    assert result.stderr == (
        "Error: failed to upload the device certificate to Cumulocity\n\nCaused by:\n"
        "    Cumulocity refused the credentials of 'admin' "
        f"(HTTP status client error (401 Unauthorized) for url ({url})).\n"
        "    Check the user name and the password; some tenants want the user name as <tenant>/<user>, "
        "and single sign-on (SSO) users cannot use this API\n"
    )
    assert "not-the-password" not in result.stdout + result.stderr


def test_user_without_the_tenant_manager_role(device: Device, tenant_api: TenantApi) -> None:
    fingerprint = create(device, unique("no-role"))
    username = unique("operator")
    tenant_api.add_user(username, "operator-password", "user")
    result = device.run("cert", "upload", "c8y", "--user", username, "--password", "operator-password")
    assert result.returncode == 1
    assert (
        f"    The user '{username}' is not allowed to upload trusted certificates (403 Forbidden for url "
    ) in result.stderr
    assert (
        "it needs the Tenant Manager role (ROLE_TENANT_MANAGEMENT_ADMIN or ROLE_TENANT_ADMIN)"
        in result.stderr
    )
    assert tenant_api.trusted_certificate(fingerprint) is None


def test_upload_sends_the_new_certificate_when_there_is_one(device: Device, tenant_api: TenantApi) -> None:
    create(device, unique("renewed"))
    renewed = device.run("cert", "renew", "--ca", "self-signed")
    assert renewed.returncode == 0, renewed.stderr
    new_fingerprint = next(
        line.split()[1] for line in renewed.stdout.splitlines() if line.startswith("Thumbprint:")
    ).lower()
    env = {"C8Y_USER": "admin", "C8Y_PASSWORD": tenant_api.admin_password}
    result = device.run("cert", "upload", "c8y", env=env)
    assert (result.returncode, result.stdout) == (0, "New device certificate uploaded successfully.\n")
    assert tenant_api.trusted_certificate(new_fingerprint) is not None


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_tenant_unreachable(tmp_path: Path, tenant: BackgroundTenant) -> None:
    port = _closed_port()
    device = Device(tmp_path / "etc-tedge")
    write_config(device.config_dir, tenant, http=f"127.0.0.1:{port}")
    create(device, "unreachable")
    result = device.run("cert", "upload", "c8y", "--user", "admin", "--password", "x")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    refused = f"warning: Fail to connect to 127.0.0.1:{port}: [Errno 111] Connection refused"
    assert lines[:2] == [f"{refused}: will retry in 0.5 seconds", f"{refused}: will retry in 1 seconds"]
    assert lines[-2:] == [
        f"    Fail to connect to 127.0.0.1:{port}: [Errno 111] Connection refused",
        "    The tenant could not be reached (3 attempts): check the network connection and "
        f"c8y.http (127.0.0.1:{port})",
    ]


def test_untrusted_tenant(tmp_path: Path, tenant: BackgroundTenant) -> None:
    device = Device(tmp_path / "etc-tedge")
    empty_dir = tmp_path / "no-cas"
    empty_dir.mkdir()
    write_config(device.config_dir, tenant, root_cert_path=str(empty_dir))
    create(device, "untrusting")
    result = device.run("cert", "upload", "c8y", "--user", "admin", "--password", "x")
    assert result.returncode == 1
    assert f"the certificate of {host_port(tenant.info.https_url)} is not trusted" in result.stderr
    assert f"Check that c8y.root_cert_path ({empty_dir}) holds the certificate of the CA" in result.stderr
