"""Option 1 of the user doc: the operator registers the device with a one-time password on the tenant,
`tedge cert download c8y` gets a certificate from the tenant's CA (EST simpleenroll)."""

from __future__ import annotations

import os
import re
import socket
import stat
from datetime import UTC, datetime
from pathlib import Path

import pexpect
import pytest
from tests.e2e.conftest import TenantApi

from c8ylink.infra.tls.certs import decode_certificate, decode_certificate_chain
from c8ylink.infra.tls.chains import build_chain
from c8ylink.infra.tls.names import format_name
from c8ylink.tenant.background import BackgroundTenant

from .conftest import Device, host_port, unique, write_config

pytestmark = pytest.mark.e2e


def assert_issued_by_the_tenant(device: Device, tenant_api: TenantApi, device_id: str) -> None:
    chain = decode_certificate_chain(device.cert_path.read_bytes())
    ca = decode_certificate(tenant_api.tenant_ca_pem())
    path = build_chain(chain[0], chain[1:], [ca], now=datetime.now(UTC))
    assert path[-1] == ca
    assert format_name(chain[0].subject) == f"CN={device_id}, O=Thin Edge, OU=Device"
    assert stat.S_IMODE(os.stat(device.cert_path).st_mode) == 0o444
    assert stat.S_IMODE(os.stat(device.key_path).st_mode) == 0o400


def test_download_with_the_registered_one_time_password(device: Device, tenant_api: TenantApi) -> None:
    device_id, otp = unique("ca-device"), "Registered-OTP-123456"
    tenant_api.register(device_id, otp)
    result = device.run("cert", "download", "c8y", "--device-id", device_id, "--one-time-password", otp)
    assert result.returncode == 0, result.stderr
    assert_issued_by_the_tenant(device, tenant_api, device_id)
    assert otp not in result.stdout + result.stderr
    host = host_port(tenant_api.tenant.info.https_url)
    assert result.stderr.startswith(f"Register the device on {host}:\n")
    assert "    one-time password:  (the one given to this command, not shown)\n" in result.stderr
    assert f"?externalId={device_id}&one-time-password=\n" in result.stderr
    assert result.stderr.endswith(
        "Waiting for the device to be registered ...\n"
        "Certificate downloaded successfully\n"
        "    => the device can now be connected\n\n"
    )
    lines = result.stdout.splitlines()
    assert lines[0] == f"Certificate:   {device.cert_path}"
    assert lines[2] == f"Issuer:        CN={tenant_api.tenant.info.tenant}, O=Cumulocity, C=US"
    assert device.run("config", "get", "device.id").stdout == f"{device_id}\n"


def test_polls_until_the_operator_registers_the_device(device: Device, tenant_api: TenantApi) -> None:
    device_id, otp = unique("late-device"), "Late-OTP-abcdefgh"
    running = device.start(
        "cert", "download", "c8y", "--device-id", device_id, "-p", otp, "--retry-every", "1s"
    )
    line = running.wait_for("is not registered yet")
    host = host_port(tenant_api.tenant.info.https_url)
    assert line == (
        f"error: The device {device_id} is not registered yet on {host}: "
        "401 Unauthorized: Invalid credentials! : Bad credentials\n"
    )
    assert running.wait_for("warning:") == "warning: Will retry in 1 seconds\n"
    tenant_api.register(device_id, otp)
    code, _, stderr = running.finish()
    assert code == 0, stderr
    assert "Certificate downloaded successfully" in stderr
    assert_issued_by_the_tenant(device, tenant_api, device_id)


def test_generated_password_and_prefilled_url(device: Device, tenant_api: TenantApi) -> None:
    device_id = unique("generated")
    running = device.start("cert", "download", "c8y", "--device-id", device_id, "--retry-every", "1s")
    otp = running.wait_for("one-time password:").split(":", 1)[1].strip()
    assert re.fullmatch(r"[A-Za-z0-9]{32}", otp), otp
    url = running.wait_for("https://").strip()
    host = host_port(tenant_api.tenant.info.https_url)
    assert url == (
        f"https://{host}/apps/devicemanagement/index.html#/deviceregistration"
        f"?externalId={device_id}&one-time-password={otp}"
    )
    running.wait_for("Waiting for the device to be registered ...")
    tenant_api.register(device_id, otp)  # what the operator does with the printed password
    code, _, stderr = running.finish()
    assert code == 0, stderr
    assert_issued_by_the_tenant(device, tenant_api, device_id)


def test_no_registration_url(device: Device, tenant_api: TenantApi) -> None:
    device_id, otp = unique("no-url"), "No-url-OTP-12345678"
    tenant_api.register(device_id, otp)
    result = device.run(
        "cert", "download", "c8y", "--device-id", device_id, "-p", otp, "--no-registration-url"
    )
    assert result.returncode == 0, result.stderr
    assert "https://" not in result.stderr and "Open the following URL" not in result.stderr


def test_prompted_for_the_password_on_a_terminal(device: Device, tenant_api: TenantApi) -> None:
    """The user doc: `tedge cert download c8y --device-id X` asks for the one-time password."""
    device_id, otp = unique("prompted"), "Prompted-OTP-0987654321"
    tenant_api.register(device_id, otp)
    child = device.spawn("cert", "download", "c8y", "--device-id", device_id)
    child.expect("Enter one-time password")
    child.sendline(otp)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    transcript = child.before
    assert otp not in transcript  # not echoed, not printed
    assert "Certificate downloaded successfully" in transcript
    assert_issued_by_the_tenant(device, tenant_api, device_id)


def test_prompt_option_on_a_terminal(device: Device, tenant_api: TenantApi) -> None:
    device_id, otp = unique("prompt-flag"), "Prompt-flag-OTP-1234"
    tenant_api.register(device_id, otp)
    child = device.spawn("cert", "download", "c8y", "--device-id", device_id, "--prompt")
    child.expect_exact("Enter one-time password: ")
    child.sendline(otp)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert otp not in child.before


def test_wrong_one_time_password(device: Device, tenant_api: TenantApi) -> None:
    device_id = unique("wrong-otp")
    tenant_api.register(device_id, "The-right-one-123456")
    result = device.run(
        "cert", "download", "c8y", "--device-id", device_id, "-p", "a-wrong-one-1234", "--max-timeout", "0s"
    )
    assert result.returncode == 1
    host = host_port(tenant_api.tenant.info.https_url)
    assert (
        f"error: The device {device_id} is not registered yet on {host}: 401 Unauthorized: "
        "Invalid credentials! : Bad credentials\n"
    ) in result.stderr
    assert result.stderr.endswith(
        f"Error: failed to download a certificate from {host} for the device {device_id}\n\n"
        "Caused by:\n    Maximum timeout elapsed. No certificate has been downloaded\n"
    )
    assert "a-wrong-one-1234" not in result.stderr
    assert not device.cert_path.exists()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_tenant_unreachable(tmp_path: Path, tenant: BackgroundTenant) -> None:
    port = _closed_port()
    device = Device(tmp_path / "etc-tedge")
    write_config(device.config_dir, tenant, http=f"127.0.0.1:{port}")
    result = device.run(
        "cert", "download", "c8y", "--device-id", "offline", "-p", "otp-12345678", "--retry-every", "1s",
        "--max-timeout", "1s",
    )  # fmt: skip
    assert result.returncode == 1
    failures = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(failures) >= 2
    assert all(line.startswith(f"error: Fail to connect to 127.0.0.1:{port}: ") for line in failures)
    assert "warning: Will retry in 1 seconds" in result.stderr
    assert result.stderr.endswith("Maximum timeout elapsed. No certificate has been downloaded\n")


def test_untrusted_tenant_certificate(tmp_path: Path, tenant: BackgroundTenant) -> None:
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(_another_ca_pem())
    device = Device(tmp_path / "etc-tedge")
    write_config(device.config_dir, tenant, root_cert_path=str(other_ca))
    result = device.run("cert", "download", "c8y", "--device-id", "untrusting", "-p", "otp-12345678")
    assert result.returncode == 1
    host = host_port(tenant.info.https_url)
    assert result.stderr.endswith(
        f"Caused by:\n    the certificate of {host} is not trusted "
        "(self-signed certificate in certificate chain): its CA is unknown\n"
        f"    Check that c8y.root_cert_path ({other_ca}) holds the certificate of the CA that signed the "
        "tenant's server certificate (a PEM file, or a directory of them): "
        "`tedge config set c8y.root_cert_path <path>`\n"
    )
    assert "Will retry" not in result.stderr  # a trust problem does not go away by waiting


def _another_ca_pem() -> bytes:
    from c8ylink.infra.tls.ca import create_certificate_authority
    from c8ylink.infra.tls.certs import encode_certificate_pem
    from c8ylink.infra.tls.names import build_name

    return encode_certificate_pem(
        create_certificate_authority(build_name("Other CA"), now=datetime.now(UTC)).certificate
    )


def test_ready_csr(device: Device, tenant_api: TenantApi, tmp_path: Path) -> None:
    device_id, otp = unique("own-csr"), "Own-csr-OTP-12345678"
    tenant_api.register(device_id, otp)
    csr = tmp_path / "mine.csr"
    made = device.run("cert", "create-csr", "--device-id", device_id, "--output-path", str(csr))
    assert made.returncode == 0, made.stderr
    result = device.run(
        "cert", "download", "c8y", "-p", otp, "--csr-path", str(csr)
    )  # the id comes from the CSR
    assert result.returncode == 0, result.stderr
    assert_issued_by_the_tenant(device, tenant_api, device_id)


def test_root_cert_path_may_be_a_directory(
    tmp_path: Path, tenant: BackgroundTenant, tenant_api: TenantApi
) -> None:
    cas = tmp_path / "trusted"
    cas.mkdir()
    (cas / "local-tenant.pem").write_bytes(tenant.info.ca_file.read_bytes())
    (cas / "README").write_text("not a certificate")
    device = Device(tmp_path / "etc-tedge")
    write_config(device.config_dir, tenant, root_cert_path=str(cas))
    device_id, otp = unique("dir-trust"), "Directory-OTP-12345678"
    tenant_api.register(device_id, otp)
    result = device.run("cert", "download", "c8y", "--device-id", device_id, "-p", otp)
    assert result.returncode == 0, result.stderr
    assert_issued_by_the_tenant(device, tenant_api, device_id)
