"""The tenant down while the device enrols: `tedge cert download c8y` keeps trying while the tenant
cannot be reached and downloads the certificate once it is back (the tenant killed with SIGKILL after
the operator registered the device). Without a tenant it ends with a clear error and exit code 1:
tests/e2e/cert/test_download.py::test_tenant_unreachable."""

from __future__ import annotations

import itertools
import signal
from pathlib import Path

import pytest
from tests.e2e.cert.conftest import Device, write_config
from tests.e2e.conftest import TenantApi

from .conftest import TenantProcess, as_background

pytestmark = pytest.mark.e2e
_serials = itertools.count(1)


def test_a_certificate_download_waits_for_the_tenant_to_come_back(
    tmp_path: Path, tenant_process: TenantProcess
) -> None:
    device_id, otp = f"enrol-while-down-{next(_serials)}", "While-down-OTP-12345678"
    api = TenantApi(as_background(tenant_process))
    try:
        api.register(device_id, otp)
    finally:
        api.client.close()
    device = Device(tmp_path / "etc-tedge")
    write_config(device.config_dir, as_background(tenant_process))
    tenant_process.stop(signal.SIGKILL)
    try:
        running = device.start(
            "cert", "download", "c8y", "--device-id", device_id, "-p", otp, "--retry-every", "1s",
            "--max-timeout", "60s",
        )  # fmt: skip
        port = tenant_process.ports["https_port"]
        assert running.wait_for("error: ").startswith(f"error: Fail to connect to 127.0.0.1:{port}: ")
        assert running.wait_for("warning:") == "warning: Will retry in 1 seconds\n"
    finally:
        tenant_process.start()
    code, _, stderr = running.finish()
    assert code == 0, stderr
    assert "Certificate downloaded successfully" in stderr
    assert otp not in stderr
    assert device.cert_path.exists() and device.key_path.exists()
