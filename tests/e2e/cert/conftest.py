"""`tedge cert` end to end: the real `tedge` script as a process against an in-process local tenant.

``tenant``: one tenant for the module (HTTPS and mutual TLS on free ports). ``device``: a fresh
TEDGE_CONFIG_DIR whose tedge.toml points c8y.url / c8y.http / c8y.mtls at it and trusts its CA
(c8y.root_cert_path), with ``device.run(...)`` / ``device.start(...)`` / ``device.spawn(...)`` for the
CLI and ``tenant_api`` for what an operator does on the tenant (register a device, read trusted certs).
"""

from __future__ import annotations

import itertools
import os
import queue
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import TenantConfig

TEDGE = Path(sys.executable).parent / "tedge"
DEADLINE = 60.0
_ids = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{next(_ids)}"


def host_port(url: str) -> str:
    return url.removeprefix("https://")


class TenantApi:
    """The operator's side, over the tenant's REST API as its admin."""

    def __init__(self, tenant: BackgroundTenant) -> None:
        self.tenant = tenant
        self.client = httpx2.Client(
            base_url=tenant.info.https_url,
            verify=ssl.create_default_context(cafile=str(tenant.info.ca_file)),
            auth=(f"{tenant.info.tenant}/admin", tenant.info.admin.password),
            headers={"Accept": "application/json"},
            timeout=30,
        )

    @property
    def admin_password(self) -> str:
        return self.tenant.info.admin.password

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

    def tenant_ca_pem(self) -> str:
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

    def add_user(self, username: str, password: str, role: str) -> None:
        response = self.client.post(
            "/__local__/users", json={"username": username, "password": password, "roles": [role]}
        )
        assert response.status_code == 201, response.text

    def usernames(self) -> set[str]:
        return {user["username"] for user in self.client.get("/__local__/users").json()["users"]}


@dataclass
class Device:
    """One device: its configuration directory and the `tedge` CLI run against it."""

    config_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def cert_path(self) -> Path:
        return self.config_dir / "device-certs" / "tedge-certificate.pem"

    @property
    def key_path(self) -> Path:
        return self.config_dir / "device-certs" / "tedge-private-key.pem"

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return {**os.environ, "TEDGE_CONFIG_DIR": str(self.config_dir), **self.env, **(extra or {})}

    def run(
        self,
        *args: str,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        prefix: tuple[str, ...] = (),
    ) -> subprocess.CompletedProcess[str]:
        """Run `tedge` to completion; no terminal (its own session, stdin a pipe or /dev/null)."""
        return subprocess.run(
            [*prefix, str(TEDGE), *args],
            env=self.environment(env),
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=DEADLINE,
            start_new_session=True,
        )

    def start(self, *args: str) -> Running:
        process = subprocess.Popen(
            [str(TEDGE), *args],
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        return Running(process)

    def spawn(self, *args: str) -> Any:
        """`tedge` in a real pseudo-terminal (pexpect)."""
        import pexpect

        return pexpect.spawn(
            str(TEDGE), list(args), env=self.environment(), encoding="utf-8", timeout=DEADLINE
        )


class Running:
    """A `tedge` process whose stderr is read line by line as it comes."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)
            self.lines.put(line)
        self.lines.put("")

    def wait_for(self, text: str) -> str:
        """The first stderr line holding ``text`` (fails at end of output or after the deadline)."""
        while True:
            line = self.lines.get(timeout=DEADLINE)
            assert line, f"tedge ended without printing {text!r}:\n{''.join(self.stderr)}"
            if text in line:
                return line

    def finish(self) -> tuple[int, str, str]:
        # stdout only: stderr belongs to the pump thread (communicate() would read it too and steal lines)
        assert self.process.stdout is not None
        with self.process.stdout:
            stdout = self.process.stdout.read()
        self.process.wait(timeout=DEADLINE)
        while self.lines.get(timeout=DEADLINE):
            pass
        assert self.process.stderr is not None
        self.process.stderr.close()
        return self.process.returncode, stdout, "".join(self.stderr)


def write_config(config_dir: Path, tenant: BackgroundTenant, **overrides: str) -> None:
    values = {
        "url": "127.0.0.1",
        "http": host_port(tenant.info.https_url),
        "mtls": host_port(tenant.info.mtls_url),
        "root_cert_path": str(tenant.info.ca_file),
        **overrides,
    }
    config_dir.mkdir(parents=True, exist_ok=True)
    body = "".join(f'{key} = "{value}"\n' for key, value in values.items())
    (config_dir / "tedge.toml").write_text(f'[config]\nversion = "2"\n\n[c8y]\n{body}')


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundTenant]:
    config = TenantConfig.on_free_ports(tmp_path_factory.mktemp("tenant"))
    with BackgroundTenant(config) as running:
        yield running


@pytest.fixture(scope="module")
def tenant_api(tenant: BackgroundTenant) -> Iterator[TenantApi]:
    api = TenantApi(tenant)
    yield api
    api.client.close()


@pytest.fixture
def device(tmp_path: Path, tenant: BackgroundTenant) -> Device:
    config_dir = tmp_path / "etc-tedge"
    write_config(config_dir, tenant)
    return Device(config_dir)
