"""`c8y deviceregistration register-ca --id X [--one-time-password Y]` (the user doc's "Register a device
using go-c8y-cli"), then `tedge cert download c8y` on the device with the same id and password: the
device ends up with a certificate that chains to the tenant's CA."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from c8ylink.infra.tls.certs import decode_certificate, decode_certificate_chain
from c8ylink.infra.tls.chains import build_chain
from c8ylink.infra.tls.names import common_name_of
from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant

from .conftest import Run, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]
TEDGE = str(Path(sys.executable).parent / "tedge")


def tedge_download(tmp_path: Path, tenant: BackgroundTenant, device_id: str, otp: str) -> Path:
    config = tmp_path / "etc-tedge"
    config.mkdir()
    (config / "tedge.toml").write_text(
        '[config]\nversion = "2"\n\n[c8y]\nurl = "127.0.0.1"\n'
        f'http = "{tenant.info.https_url.removeprefix("https://")}"\n'
        f'mtls = "{tenant.info.mtls_url.removeprefix("https://")}"\n'
        f'root_cert_path = "{tenant.info.ca_file}"\n'
    )
    done = subprocess.run(
        [TEDGE, "cert", "download", "c8y", "--device-id", device_id, "--one-time-password", otp],
        env={"PATH": "/usr/bin:/bin", "TEDGE_CONFIG_DIR": str(config), "HOME": str(tmp_path)},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return config / "device-certs" / "tedge-certificate.pem"


def assert_chains_to_the_tenant_ca(certificate: Path, admin: AdminClient, device_id: str) -> None:
    tenant = admin.username.split("/")[0]
    answer = admin.request("GET", f"/tenant/tenants/{tenant}/trusted-certificates?certificateAuthority=true")
    ca = decode_certificate(answer["certificates"][0]["certInPemFormat"])
    chain = decode_certificate_chain(certificate.read_bytes())
    assert build_chain(chain[0], chain[1:], [ca], now=datetime.now(UTC))[-1] == ca
    assert common_name_of(chain[0].subject) == device_id


def registered(run: Run) -> dict[str, Any]:
    assert run.code == 0, run.stderr
    [result] = [json.loads(line) for line in run.stdout.splitlines()]
    return dict(result)


def test_register_ca_with_a_generated_password_then_tedge_downloads_the_certificate(
    rest: C8y, tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    device_id = unique("ca-dev-")
    result = registered(rest("deviceregistration", "register-ca", "--id", device_id, "--force"))
    otp = result["password"]
    assert len(otp) == 32 and len(set(otp)) == 32
    assert result == {
        "id": result["id"], "externalId": device_id, "name": device_id, "username": f"device_{device_id}",
        "password": otp, "type": "thin-edge.io",
    }  # fmt: skip
    device = admin.request("GET", f"/inventory/managedObjects/{result['id']}")
    assert device["name"] == device_id and "c8y_IsDevice" in device
    assert device["com_cumulocity_model_Agent"] == {"active": "true"}
    assert (
        admin.request("GET", f"/identity/externalIds/c8y_Serial/{device_id}")["managedObject"]["id"]
        == (result["id"])
    )
    assert_chains_to_the_tenant_ca(tedge_download(tmp_path, tenant, device_id, otp), admin, device_id)


def test_register_ca_with_the_operators_password(
    rest: C8y, tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    device_id, otp = unique("ca-given-"), "Operator-OTP-1234567890"
    run = rest("deviceregistration", "register-ca", "--id", device_id, "--one-time-password", otp,
               "--name", "Given device", "--type", "c8y_Gateway", "--force")  # fmt: skip
    result = registered(run)
    assert "password" not in result and otp not in run.stdout + run.stderr  # the operator knows it already
    assert (result["name"], result["type"]) == ("Given device", "c8y_Gateway")
    assert_chains_to_the_tenant_ca(tedge_download(tmp_path, tenant, device_id, otp), admin, device_id)
    again = rest(
        "deviceregistration", "register-ca", "--id", device_id, "--one-time-password", otp, "--force"
    )
    assert again.code == 101
    assert again.stderr.startswith(
        f"userError: bulk registration has some failures. failed=1, reasons=[id={device_id}, reason="
    )


def test_register_ca_needs_create_mode(rest: C8y) -> None:
    run = rest(
        "deviceregistration", "register-ca", "--id", unique("ca-prod-"), "--sessionMode", "prod", "--force"
    )
    assert run.code == 101 and "create mode is disabled" in run.stderr


def test_register_ca_for_piped_ids(rest: C8y, admin: AdminClient) -> None:
    ids = [unique("ca-pipe-") for _ in range(3)]
    run = rest("deviceregistration", "register-ca", "--force", "--workers", "3", stdin="\n".join(ids) + "\n")
    assert run.code == 0, run.stderr
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert sorted(r["externalId"] for r in results) == sorted(ids)
    assert all(len(r["password"]) == 32 for r in results)
    assert len({r["password"] for r in results}) == 3


def test_register_basic_then_the_device_logs_in_with_its_password(
    rest: C8y, tenant: BackgroundTenant
) -> None:
    import base64
    import ssl
    import urllib.request

    device_id = unique("basic-")
    result = registered(rest("deviceregistration", "register-basic", "--id", device_id, "--force"))
    assert result["externalId"] == device_id and result["username"] == f"device_{device_id}"
    password = result["password"]
    assert len(password) == 32
    token = base64.b64encode(f"{tenant.info.tenant}/device_{device_id}:{password}".encode()).decode()
    request = urllib.request.Request(
        tenant.info.https_url + "/user/currentUser", headers={"Authorization": f"Basic {token}"}
    )
    context = ssl.create_default_context(cafile=str(tenant.info.ca_file))
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:
        assert json.loads(answer.read())["userName"] == f"device_{device_id}"
    given = registered(rest("deviceregistration", "register-basic", "--id", unique("basic-"),
                            "--password", "Given-Password-123", "--force"))  # fmt: skip
    assert given["password"] == "Given-Password-123"
