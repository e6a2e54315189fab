"""The device side end to end, shared by tests/e2e/connect and tests/e2e/mapper: a real mosquitto under a
real supervisord, driven through system.toml, and a local tenant to connect it to.

``device``: a fresh work directory (mode 0755, so that mosquitto, which drops root privileges to the
``mosquitto`` user, can read the files tedge gives it) holding the tedge configuration directory and a
supervisord setup written by ``c8ylink services supervisord``; the local broker port is a free one.
``device.start_services()`` starts supervisord (and with it mosquitto) and waits until it answers.
``tenant`` / ``tenant_api``: one local tenant per module and the operator's REST access to it;
``onboard(device, tenant, api)`` registers the device and downloads its certificate.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import TenantConfig

BIN = Path(sys.executable).parent
TEDGE = BIN / "tedge"
C8YLINK = BIN / "c8ylink"
SUPERVISORD = BIN / "supervisord"
SUPERVISORCTL = BIN / "supervisorctl"
DEADLINE = 60.0
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"

STOPPING: list[subprocess.Popen[bytes]] = []
# device folders whose services may still be starting or stopping: removed once supervisord is gone, or
# an agent that `tedge connect` started just before the test ended reads a config folder that is no
# longer there and falls back to the defaults (/var/tedge)
LEFT_BEHIND: list[Path] = []


def reap_stopping() -> None:
    while STOPPING:
        process = STOPPING.pop()
        try:
            process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    while LEFT_BEHIND:
        shutil.rmtree(LEFT_BEHIND.pop(), ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _reap_supervisords() -> Iterator[None]:
    yield
    reap_stopping()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: object, what: str, timeout: float = DEADLINE) -> None:
    """Poll ``condition()`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Device:
    base: Path
    port: int
    env: dict[str, str] = field(default_factory=dict)
    supervisord: subprocess.Popen[bytes] | None = None

    @property
    def config_dir(self) -> Path:
        return self.base / "etc-tedge"

    @property
    def services_dir(self) -> Path:
        return self.base / "services"

    @property
    def conf_dir(self) -> Path:
        return self.config_dir / "mosquitto-conf"

    @property
    def bridge_file(self) -> Path:
        return self.conf_dir / "c8y-bridge.conf"

    @property
    def cert_path(self) -> Path:
        return self.config_dir / "device-certs" / "tedge-certificate.pem"

    @property
    def key_path(self) -> Path:
        return self.config_dir / "device-certs" / "tedge-private-key.pem"

    @property
    def supervisord_conf(self) -> Path:
        return self.services_dir / "supervisord.conf"

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The test's environment with the device's config dir, and the package's scripts (tedge-mapper,
        tedge-agent) on PATH as an installation puts them."""
        path = f"{BIN}{os.pathsep}{os.environ.get('PATH', os.defpath)}"
        return {
            **os.environ,
            "PATH": path,
            "TEDGE_CONFIG_DIR": str(self.config_dir),
            **self.env,
            **(extra or {}),
        }

    def run(
        self, *args: str, env: Mapping[str, str] | None = None, prefix: Sequence[str] = ()
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, str(TEDGE), *args],
            env=self.environment(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=DEADLINE * 3,
        )

    def start_sub(self, *args: str) -> subprocess.Popen[str]:
        """`tedge mqtt sub <args>` in the background, returned once subscribed (what is published from
        now on arrives)."""
        process = subprocess.Popen(
            [str(TEDGE), "mqtt", "sub", *args], env=self.environment(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stderr is not None
        assert process.stderr.readline() == "INFO: Connected\n"
        return process

    def config(self, key: str, value: str) -> None:
        result = self.run("config", "set", key, value)
        assert result.returncode == 0, result.stderr

    def write_services(
        self, env: Mapping[str, str] | None = None, *args: str, reboot: Sequence[str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`c8ylink services supervisord` for this device (the setup the docs describe); the agent's
        ``[system] reboot`` is ``reboot``, by default ``true`` (never the machine's)."""
        result = subprocess.run(
            [str(C8YLINK), "services", "supervisord", "--dir", str(self.services_dir),
             "--config-dir", str(self.config_dir), *args],
            env=self.environment(env), capture_output=True, text=True, check=False, timeout=DEADLINE,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        command = reboot or [shutil.which("true") or "/bin/true"]
        with (self.config_dir / "system.toml").open("a") as system_toml:  # the agent must never reboot us
            system_toml.write(f"\n[system]\nreboot = {json.dumps(list(command))}\n")
        return result

    def start_services(self) -> None:
        assert self.supervisord is None
        self.supervisord = subprocess.Popen(
            [str(SUPERVISORD), "-n", "-c", str(self.supervisord_conf)],
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: self.ctl("version").returncode == 0, "supervisord to answer")

    def stop_services(self, *, wait: bool = True) -> None:
        """Ask supervisord to shut down (it stops mosquitto first); it exits within its next tick (~1 s),
        so the fixture leaves that wait to the end of the session (``STOPPING``)."""
        if self.supervisord is None:
            return
        self.ctl("shutdown")
        STOPPING.append(self.supervisord)
        self.supervisord = None
        if wait:
            reap_stopping()

    def ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SUPERVISORCTL), "-c", str(self.supervisord_conf), *args],
            capture_output=True, text=True, check=False, timeout=DEADLINE,
        )  # fmt: skip

    def pid_of(self, program: str) -> int:
        return int(self.ctl("pid", program).stdout.strip() or 0)

    def write_system_toml(self, **commands: Sequence[str]) -> None:
        """A system.toml of the test's own: ``true`` for every action not given."""
        true = shutil.which("true") or "/bin/true"
        lines = ["[init]", 'name = "test-init"']
        for action in ("is_available", "restart", "stop", "start", "enable", "disable", "is_active"):
            argv = commands.get(action, [true] if action == "is_available" else [true, "{}"])
            lines.append(f"{action} = [{', '.join(repr(item).replace(chr(39), chr(34)) for item in argv)}]")
        lines += ["", "[system]", f'reboot = ["{true}"]']
        (self.config_dir / "system.toml").write_text("\n".join(lines) + "\n")


@contextlib.contextmanager
def new_device() -> Iterator[Device]:
    base = Path(tempfile.mkdtemp(prefix="tedge-connect-"))
    base.chmod(0o755)
    dev = Device(base, free_port())
    try:
        dev.config("mqtt.bind.port", str(dev.port))
        dev.config("c8y.url", "127.0.0.1")
        dev.config("http.bind.port", str(free_port()))  # the agent's file transfer service
        dev.config("data.path", str(base / "data"))
        dev.config("logs.path", str(base / "tedge-logs"))  # the agent's operation logs
        yield dev
    finally:
        dev.stop_services(wait=False)
        LEFT_BEHIND.append(base)


@pytest.fixture
def device() -> Iterator[Device]:
    with new_device() as dev:
        yield dev


def start_running(device: Device) -> Device:
    assert device.run("cert", "create", "--device-id", "connect-device").returncode == 0
    device.write_services()
    device.start_services()
    wait_for(lambda: listening(device.port), "mosquitto to listen on the configured port")
    return device


# -- the local tenant ---------------------------------------------------------------------------------------
class TenantApi:
    """The operator's side, over the tenant's REST API as its admin."""

    def __init__(self, tenant: BackgroundTenant) -> None:
        import httpx2

        self.tenant = tenant
        self.client = httpx2.Client(
            base_url=tenant.info.https_url,
            verify=ssl.create_default_context(cafile=str(tenant.info.ca_file)),
            auth=(f"{tenant.info.tenant}/admin", tenant.info.admin.password),
            headers={"Accept": "application/json"},
            timeout=30,
        )

    def register(self, device_id: str, otp: str) -> None:
        """Register a device for the tenant CA with a one-time password (bulk registration, as
        `c8y deviceregistration register-ca` does)."""
        csv = "ID\tAUTH_TYPE\tENROLLMENT_OTP\tNAME\tcom_cumulocity_model_Agent.active\n"
        csv += f"{device_id}\tCERTIFICATES\t{otp}\t{device_id}\ttrue\n"
        response = self.client.post(
            "/devicecontrol/bulkNewDeviceRequests", files={"file": ("devices.csv", csv.encode(), "text/csv")}
        )
        assert response.status_code == 201, response.text
        assert response.json()["numberOfSuccessful"] == 1, response.text

    @property
    def admin_password(self) -> str:
        return self.tenant.info.admin.password

    def tenant_ca_pem(self) -> str:
        """The tenant's certificate authority (the CA that issues device certificates)."""
        answer = self.client.get(
            f"/tenant/tenants/{self.tenant.info.tenant}/trusted-certificates",
            params={"certificateAuthority": "true"},
        ).json()
        return str(answer["certificates"][0]["certInPemFormat"])

    def trusted_certificate(self, fingerprint: str) -> dict[str, Any] | None:
        response = self.client.get(
            f"/tenant/tenants/{self.tenant.info.tenant}/trusted-certificates/{fingerprint}"
        )
        return response.json() if response.status_code == 200 else None

    def usernames(self) -> set[str]:
        return {user["username"] for user in self.client.get("/__local__/users").json()["users"]}

    def managed_object(self, device_id: str) -> dict[str, Any] | None:
        found = self.client.get(f"/identity/externalIds/c8y_Serial/{device_id}")
        if found.status_code != 200:
            return None
        mo_id = found.json()["managedObject"]["id"]
        return dict(self.client.get(f"/inventory/managedObjects/{mo_id}").json())

    def measurements(self, mo_id: str) -> list[dict[str, Any]]:
        answer = self.client.get("/measurement/measurements", params={"source": mo_id, "pageSize": 100})
        return list(answer.json()["measurements"])

    def create_operation(self, mo_id: str, fragment: dict[str, Any]) -> str:
        response = self.client.post("/devicecontrol/operations", json={"deviceId": mo_id, **fragment})
        assert response.status_code in (200, 201), response.text
        return str(response.json()["id"])

    def add_user(self, username: str, password: str, role: str) -> None:
        response = self.client.post(
            "/__local__/users", json={"username": username, "password": password, "roles": [role]}
        )
        assert response.status_code == 201, response.text


def start_tenant(data_dir: Path, **ports: int) -> BackgroundTenant:
    config = TenantConfig(
        data_dir=data_dir,
        https_port=ports.get("https_port", 0),
        mtls_port=ports.get("mtls_port", 0),
        mqtt_tls_port=ports.get("mqtt_tls_port", 0),
        mqtt_port=ports.get("mqtt_port", 0),
        domain="127.0.0.1",  # the iss of its tokens: what c8y.url names, so the tenant check passes
    )
    return BackgroundTenant(config).__enter__()


def tenant_ports(tenant: BackgroundTenant) -> dict[str, int]:
    def port(url: str) -> int:
        return int(url.rpartition(":")[2])

    return {
        "https_port": port(tenant.info.https_url),
        "mtls_port": port(tenant.info.mtls_url),
        "mqtt_tls_port": port(tenant.info.extra["mqtt_tls"]),
        "mqtt_port": port(tenant.info.extra["mqtt"]),
    }


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundTenant]:
    running = start_tenant(tmp_path_factory.mktemp("tenant"))
    try:
        yield running
    finally:
        running.__exit__(None, None, None)


@pytest.fixture(scope="module")
def tenant_api(tenant: BackgroundTenant) -> Iterator[TenantApi]:
    api = TenantApi(tenant)
    yield api
    api.client.close()


_serials = itertools.count(1)


def point_at(device: Device, tenant: BackgroundTenant) -> None:
    """The device's tedge.toml names the tenant (REST, MQTT) and trusts a copy of its CA (a copy in
    the work dir: mosquitto, running as its own user, must be able to read it)."""
    ca = device.base / "tenant-ca.pem"
    ca.write_bytes(tenant.info.ca_file.read_bytes())
    ca.chmod(0o644)
    device.config("c8y.http", tenant.info.https_url.removeprefix("https://"))
    device.config("c8y.mqtt", tenant.info.extra["mqtt_tls"])
    device.config("c8y.mtls", tenant.info.mtls_url.removeprefix("https://"))
    device.config("c8y.root_cert_path", str(ca))
    device.config("c8y.proxy.bind.port", str(free_port()))  # the mapper's proxy: never the fixed 8001
    device.config("http.bind.port", str(free_port()))


def onboard(device: Device, tenant: BackgroundTenant, api: TenantApi) -> str:
    """Register the device on the tenant and download its certificate (`tedge cert download c8y`)."""
    device_id = f"connect-{os.getpid()}-{next(_serials)}"
    otp = f"otp-{device_id}"
    point_at(device, tenant)
    api.register(device_id, otp)
    result = device.run("cert", "download", "c8y", "--device-id", device_id, "--one-time-password", otp)
    assert result.returncode == 0, result.stderr
    return device_id
