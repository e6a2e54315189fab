"""`tedge cert` end to end: the real `tedge` script as a process against an in-process local tenant.

``tenant``: one tenant for the module (HTTPS and mutual TLS on free ports). ``device``: a fresh
TEDGE_CONFIG_DIR whose tedge.toml points c8y.url / c8y.http / c8y.mtls at it and trusts its CA
(c8y.root_cert_path), with ``device.run(...)`` / ``device.start(...)`` / ``device.spawn(...)`` for the
CLI and ``tenant_api`` (tests/e2e/conftest.py) for what an operator does on the tenant (register a
device, read trusted certificates).
"""

from __future__ import annotations

import itertools
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@pytest.fixture
def device(tmp_path: Path, tenant: BackgroundTenant) -> Device:
    config_dir = tmp_path / "etc-tedge"
    write_config(config_dir, tenant)
    return Device(config_dir)
