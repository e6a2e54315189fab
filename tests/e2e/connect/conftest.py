"""`tedge connect c8y` end to end: a real mosquitto under a real supervisord, driven through system.toml.

``device``: a fresh work directory (mode 0755, so that mosquitto, which drops root privileges to the
``mosquitto`` user, can read the files tedge gives it) holding the tedge configuration directory and a
supervisord setup written by ``c8ylink services supervisord``; the local broker port is a free one.
``device.start_services()`` starts supervisord (and with it mosquitto) and waits until it answers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
TEDGE = BIN / "tedge"
C8YLINK = BIN / "c8ylink"
SUPERVISORD = BIN / "supervisord"
SUPERVISORCTL = BIN / "supervisorctl"
DEADLINE = 60.0
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
NOBODY = ("--reuid=65534", "--regid=65534", "--clear-groups")


STOPPING: list[subprocess.Popen[bytes]] = []


def reap_stopping() -> None:
    while STOPPING:
        process = STOPPING.pop()
        try:
            process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
        return {**os.environ, "TEDGE_CONFIG_DIR": str(self.config_dir), **self.env, **(extra or {})}

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

    def config(self, key: str, value: str) -> None:
        result = self.run("config", "set", key, value)
        assert result.returncode == 0, result.stderr

    def write_services(
        self, env: Mapping[str, str] | None = None, *args: str
    ) -> subprocess.CompletedProcess[str]:
        """`c8ylink services supervisord` for this device (the setup the docs describe)."""
        result = subprocess.run(
            [str(C8YLINK), "services", "supervisord", "--dir", str(self.services_dir),
             "--config-dir", str(self.config_dir), *args],
            env=self.environment(env), capture_output=True, text=True, check=False, timeout=DEADLINE,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
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
        (self.config_dir / "system.toml").write_text("\n".join(lines) + "\n")


@pytest.fixture
def device() -> Iterator[Device]:
    base = Path(tempfile.mkdtemp(prefix="tedge-connect-"))
    base.chmod(0o755)
    dev = Device(base, free_port())
    try:
        dev.config("mqtt.bind.port", str(dev.port))
        dev.config("c8y.url", "127.0.0.1")
        yield dev
    finally:
        dev.stop_services(wait=False)
        shutil.rmtree(base, ignore_errors=True)


def as_nobody() -> tuple[str, ...]:
    """The command prefix that runs a process as nobody, when we are root (else nothing)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv to drop privileges")
    prefix = (setpriv, *NOBODY)
    probe = subprocess.run([*prefix, sys.executable, "-c", "pass"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("the unprivileged user cannot run this interpreter")
    return prefix


def summary(device: Device, *, title: str = "connect to Cumulocity cloud.", version: bool = True,
            service_manager: str = "supervisord", device_id: str = "connect-device") -> str:  # fmt: skip
    """The summary block the user docs show, for this device."""
    lines = [
        f"{title}:",
        f"\tdevice id: {device_id}",
        "\tcloud profile: <none>",
        "\tcloud host: 127.0.0.1:8883",
        "\tauth type: Certificate",
        f"\tcertificate file: {device.cert_path}",
        "\tcryptoki: false",
        "\tbridge: mosquitto",
        f"\tservice manager: {service_manager}",
    ]
    if version:
        output = subprocess.run([MOSQUITTO, "--help"], capture_output=True, text=True, check=False).stdout
        lines.append(f"\tmosquitto version: {output.splitlines()[0].removeprefix('mosquitto version ')}")
    lines.append("\tproxy: Not configured")
    return "\n".join(lines) + "\n"
