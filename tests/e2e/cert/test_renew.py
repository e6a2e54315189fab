"""`tedge cert renew` both ways: self-signed, and by the tenant's CA (EST simplereenroll with a device
token obtained over mutual TLS); plus an unreadable key, as the user docs show it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.e2e.conftest import TenantApi

from c8ylink.core.clock import FixedClock
from c8ylink.infra.tls.certs import decode_certificate, decode_certificate_chain, is_self_signed, signed_by
from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import TenantConfig

from .conftest import Device, host_port, unique, write_config

pytestmark = pytest.mark.e2e


def _public_key(path: Path) -> object:
    return decode_certificate_chain(path.read_bytes())[0].public_key().public_numbers()  # type: ignore[union-attr]


def _download(device: Device, tenant_api: TenantApi, device_id: str) -> None:
    otp = "Renewal-OTP-" + device_id[-8:].replace("-", "x") + "0000"
    tenant_api.register(device_id, otp)
    result = device.run("cert", "download", "c8y", "--device-id", device_id, "-p", otp)
    assert result.returncode == 0, result.stderr


def test_renew_with_the_tenant_ca(device: Device, tenant_api: TenantApi) -> None:
    device_id = unique("ca-renew")
    _download(device, tenant_api, device_id)
    current = device.cert_path.read_bytes()
    result = device.run("cert", "renew", "c8y")  # a CA-issued certificate: --ca c8y is the default
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "Certificate renewed successfully\n"
        "    For an un-interrupted service:\n"
        "    => the device has to be reconnected to the cloud\n\n"
    )
    new_path = Path(f"{device.cert_path}.new")
    assert result.stdout.startswith(f"Certificate:   {new_path}\nSubject:       CN={device_id}, O=Thin Edge")
    assert device.cert_path.read_bytes() == current  # the active certificate is untouched
    renewed = decode_certificate(new_path.read_bytes())
    assert signed_by(renewed, decode_certificate(tenant_api.tenant_ca_pem()))
    assert renewed.serial_number != decode_certificate(current).serial_number
    assert _public_key(new_path) == _public_key(device.cert_path)  # same key
    assert (device.config_dir / "device-certs" / "tedge.csr").exists()


def test_renew_a_trusted_self_signed_certificate_with_the_tenant_ca(
    device: Device, tenant_api: TenantApi
) -> None:
    device_id = unique("self-to-ca")
    assert device.run("cert", "create", "--device-id", device_id).returncode == 0
    env = {"C8Y_USER": "admin", "C8Y_PASSWORD": tenant_api.admin_password}
    assert device.run("cert", "upload", "c8y", env=env).returncode == 0
    result = device.run("cert", "renew", "--ca", "c8y")
    assert result.returncode == 0, result.stderr
    renewed = decode_certificate(Path(f"{device.cert_path}.new").read_bytes())
    assert signed_by(renewed, decode_certificate(tenant_api.tenant_ca_pem()))


def test_renew_self_signed(device: Device) -> None:
    assert device.run("cert", "create", "--device-id", "renew-me").returncode == 0
    result = device.run("cert", "renew")  # a self-signed certificate: self-signed is the default
    assert result.returncode == 0, result.stderr
    assert "=> the new certificate has to be uploaded to the cloud" in result.stderr
    new_path = Path(f"{device.cert_path}.new")
    renewed = decode_certificate(new_path.read_bytes())
    assert (
        is_self_signed(renewed)
        and renewed.subject == decode_certificate(device.cert_path.read_bytes()).subject
    )
    assert _public_key(new_path) == _public_key(device.cert_path)


def test_self_signed_renewal_of_a_ca_certificate_is_refused(device: Device, tenant_api: TenantApi) -> None:
    _download(device, tenant_api, unique("ca-only"))
    result = device.run("cert", "renew", "--ca", "self-signed")
    assert result.returncode == 1
    assert "is not self-signed: it cannot be renewed as a self-signed certificate" in result.stderr


def test_renew_with_an_unknown_certificate(device: Device, tenant: BackgroundTenant) -> None:
    """A self-signed certificate the tenant was never told about: the mutual-TLS handshake fails."""
    assert device.run("cert", "create", "--device-id", unique("stranger")).returncode == 0
    result = device.run("cert", "renew", "--ca", "c8y")
    assert result.returncode == 1
    assert (
        f"{host_port(tenant.info.mtls_url)} closed the connection during the TLS handshake" in result.stderr
    )
    assert f"The tenant did not accept the device certificate {device.cert_path}: upload it" in result.stderr
    assert not Path(f"{device.cert_path}.new").exists()


def test_renew_with_an_expired_certificate(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    """The tenant trusted it while it was valid (its clock is in the past); now it has expired."""
    clock = FixedClock(datetime.now(UTC) - timedelta(days=1) + timedelta(minutes=30))
    config = TenantConfig.on_free_ports(tmp_path_factory.mktemp("tenant"))
    with BackgroundTenant(config, clock=clock) as tenant:
        device = Device(tmp_path / "etc-tedge")
        write_config(device.config_dir, tenant)
        device.env["TEDGE_CERTIFICATE_VALIDITY_REQUESTED_DURATION"] = "1h"  # from now - 1 day, for an hour
        assert device.run("cert", "create", "--device-id", "expired-device").returncode == 0
        env = {"C8Y_USER": "admin", "C8Y_PASSWORD": tenant.info.admin.password}
        uploaded = device.run("cert", "upload", "c8y", env=env)
        assert uploaded.returncode == 0, uploaded.stderr
        result = device.run("cert", "renew", "--ca", "c8y")
    assert result.returncode == 1
    assert (
        f"{host_port(tenant.info.mtls_url)} closed the connection during the TLS handshake" in result.stderr
    )
    assert f"The device certificate {device.cert_path} has expired: renew it" in result.stderr


def test_mutual_tls_endpoint_unreachable(device: Device, tenant_api: TenantApi, tmp_path: Path) -> None:
    _download(device, tenant_api, unique("no-mtls"))
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = device.run("cert", "renew", "--ca", "c8y", env={"TEDGE_C8Y_MTLS": f"127.0.0.1:{port}"})
    assert result.returncode == 1
    assert result.stderr.count("will retry in") == 2
    assert f"check the network connection and c8y.mtls (127.0.0.1:{port}) and c8y.http" in result.stderr


@pytest.fixture
def shared_device(tenant: BackgroundTenant) -> Iterator[tuple[Device, tuple[str, ...]]]:
    """A device whose files another user can reach: as root, `tedge` then runs as nobody (root reads
    every file); otherwise the key is made unreadable."""
    base = Path(tempfile.mkdtemp(prefix="tedge-cert-perm-"))
    base.chmod(0o755)
    device = Device(base / "etc-tedge")
    write_config(device.config_dir, tenant)
    device.config_dir.chmod(0o755)
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv to drop privileges")
        prefix = (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups")
        probe = subprocess.run([*prefix, sys.executable, "-c", "pass"], capture_output=True, check=False)
        if probe.returncode != 0:
            pytest.skip("the unprivileged user cannot run this interpreter")
    try:
        yield device, prefix
    finally:
        shutil.rmtree(base)


def test_unreadable_key_names_the_file(shared_device: tuple[Device, tuple[str, ...]]) -> None:
    device, prefix = shared_device
    assert device.run("cert", "create", "--device-id", "perm-device").returncode == 0
    if not prefix:
        device.key_path.chmod(0)
    for args in (("cert", "create-csr"), ("cert", "renew", "--ca", "self-signed")):
        result = device.run(*args, prefix=prefix)
        assert result.returncode == 1, result.stderr
        assert f"Could not access {device.key_path}: Permission denied (os error 13)" in result.stderr
        assert "Traceback" not in result.stderr
