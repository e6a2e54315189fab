"""`c8ylink demo` as a user runs it: the onboarding flow ends with the device, its certificate-based
identity and its measurement in the tenant; without --keep nothing is left behind; a failing step says
why and exits non-zero, also leaving nothing behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

pytestmark = pytest.mark.e2e
C8YLINK = str(Path(sys.executable).parent / "c8ylink")
DEADLINE = 180


def run_demo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [C8YLINK, "demo", *args], capture_output=True, text=True, timeout=DEADLINE, check=False, env=env
    )


def processes_using(directory: Path) -> list[str]:
    """Command lines of running processes that mention ``directory`` (the demo's services)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(directory) in cmdline:
            found.append(cmdline)
    return found


@pytest.fixture
def reachable_tmp() -> Iterator[Path]:
    """A temporary directory that mosquitto's own user can enter (pytest's are private to root)."""
    directory = Path(tempfile.mkdtemp(prefix="c8ylink-demo-test-", dir="/tmp"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def kept_demo(reachable_tmp: Path) -> Iterator[tuple[Path, subprocess.CompletedProcess[str]]]:
    work = reachable_tmp / "work"
    result = run_demo("--keep", "--work-dir", str(work))
    try:
        yield work, result
    finally:
        supervisorctl = str(Path(sys.executable).parent / "supervisorctl")
        conf = str(work / "services" / "supervisord.conf")
        subprocess.run([supervisorctl, "-c", conf, "shutdown"], capture_output=True, check=False, timeout=60)
        info = work / "tenant" / "tenant.json"
        if info.exists():
            os.kill(json.loads(info.read_text())["pid"], signal.SIGTERM)


def test_the_demo_onboards_a_device_that_the_tenant_then_holds(
    kept_demo: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    work, result = kept_demo
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    for number in range(1, 9):
        assert f"== {number}. " in result.stdout
    assert result.stdout.count("✓ ") >= 8 and "✗" not in result.stdout
    assert "$ tedge connect c8y" in result.stdout
    assert "Verifying device is connected to cloud... ✓" in result.stdout
    assert "The tenant and the device keep running" in result.stdout

    tenant = json.loads((work / "tenant" / "tenant.json").read_text())
    auth = (f"{tenant['tenant']}/{tenant['admin']['username']}", tenant["admin"]["password"])
    api = httpx2.Client(base_url=tenant["https_url"], auth=auth, verify=_context(tenant["ca_file"]))
    with api:
        identity = api.get("/identity/externalIds/c8y_Serial/demo-device-01")
        assert identity.status_code == 200, identity.text
        device_id = identity.json()["managedObject"]["id"]
        device = api.get(f"/inventory/managedObjects/{device_id}").json()
        assert device["owner"] == "device_demo-device-01"  # created by the device itself, over MQTT
        assert "c8y_IsDevice" in device
        measurements = api.get("/measurement/measurements", params={"source": device_id}).json()
        values = [m["temperature"]["temperature"]["value"] for m in measurements["measurements"]]
        assert values == [21.3]
        operations = api.get("/devicecontrol/operations", params={"deviceId": device_id}).json()
        assert [op["status"] for op in operations["operations"] if "c8y_Restart" in op] == ["SUCCESSFUL"]
        trusted = api.get(f"/tenant/tenants/{tenant['tenant']}/trusted-certificates").json()["certificates"]
        [authority_pem] = [c["certInPemFormat"] for c in trusted if c.get("tenantCertificateAuthority")]

    # its identity is the certificate the tenant's certificate authority issued to it
    certificate = x509.load_pem_x509_certificate(
        (work / "etc-tedge" / "device-certs" / "tedge-certificate.pem").read_bytes()
    )
    if "BEGIN CERTIFICATE" not in authority_pem:
        authority_pem = f"-----BEGIN CERTIFICATE-----\n{authority_pem}\n-----END CERTIFICATE-----\n"
    authority = x509.load_pem_x509_certificate(authority_pem.encode())
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "demo-device-01"
    assert certificate.issuer == authority.subject
    public_key = authority.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    certificate.verify_directly_issued_by(authority)

    # what the device writes stays in the demo's folder: the restart's log is there, not in /var/log
    assert list((work / "logs" / "tedge" / "agent").glob("workflow-restart-*.log"))

    # no secret in the transcript
    assert tenant["admin"]["password"] not in result.stdout + result.stderr


def _context(ca_file: str) -> object:
    import ssl

    return ssl.create_default_context(cafile=ca_file)


def test_without_keep_everything_is_stopped_and_removed(reachable_tmp: Path) -> None:
    env = {**os.environ, "TMPDIR": str(reachable_tmp)}
    result = run_demo(env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert "Done in " in result.stdout
    assert list(reachable_tmp.iterdir()) == []  # the work dir is gone
    assert processes_using(reachable_tmp) == []


def test_a_failing_step_says_why_exits_non_zero_and_leaves_nothing_running(reachable_tmp: Path) -> None:
    work = reachable_tmp / "work"
    result = run_demo("--work-dir", str(work), "--device-id", "bad/device id")
    assert result.returncode == 1
    assert "✗ " in result.stdout
    assert "The demo failed after" in result.stdout
    assert processes_using(work) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="mosquitto keeps the user's identity unless started as root")
def test_a_work_dir_that_mosquitto_cannot_reach_is_refused_up_front(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    result = run_demo("--work-dir", str(private / "work"))
    assert result.returncode == 2
    assert "mosquitto runs as the user 'mosquitto' and cannot enter" in result.stderr
    assert "== 1." not in result.stdout
