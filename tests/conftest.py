"""Test isolation for every tier: a clean environment and throw-away homes.

Each test runs with no TEDGE_*, C8Y_*, SSL_CERT_*, proxy or CI variables from the outer shell
(CI itself sets CI=true, which would switch c8y into CI mode), NO_COLOR=1, COLUMNS=80, and HOME
pointing at a fresh temporary directory.

``mosquitto`` / ``mosquitto_factory``: a real mosquitto on a free loopback port with a generated
configuration (``broker.options(client_id)`` gives ``MqttOptions`` for it); stopped after the test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

STRIPPED_PREFIXES = ("TEDGE_", "C8Y_", "SSL_CERT_", "DEVICE_", "C8YLINK_")
STRIPPED_NAMES = {
    "CI", "BUILD_ID", "BUILD_NUMBER", "RUN_ID", "CI_APP_ID", "CI_BUILD_ID", "CI_BUILD_NUMBER",
    "CI_NAME", "CONTINUOUS_INTEGRATION", "FORCE_COLOR", "C8YPASS",
}  # fmt: skip


@pytest.fixture(autouse=True)
def isolation(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        upper = name.upper()
        if upper.startswith(STRIPPED_PREFIXES) or upper in STRIPPED_NAMES or upper.endswith("_PROXY"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    yield home


# -- a real mosquitto on a free loopback port ---------------------------------------------------------------
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
BROKER_START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mosquitto:
    """A mosquitto process started by a test with a generated configuration."""

    port: int
    config: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    host: str = "127.0.0.1"

    def start(self) -> Mosquitto:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [MOSQUITTO, "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=log
            )
        deadline = time.monotonic() + BROKER_START_TIMEOUT
        while True:  # poll until the listener accepts connections
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("mosquitto did not start listening") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def options(self, client_id: str = "", **changes: Any) -> Any:
        from c8ylink.infra.net.mqtt_options import MqttOptions

        return MqttOptions(host=self.host, port=self.port, client_id=client_id, connect_timeout=10, **changes)


MosquittoFactory = Callable[..., Mosquitto]


@pytest.fixture
def mosquitto_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MosquittoFactory]:
    """Start brokers: ``mosquitto_factory(extra_lines, listener=...)``; all are stopped at the end.

    ``listener`` replaces the default anonymous plain listener; ``{port}`` in it is the chosen port.
    """
    if not Path(MOSQUITTO).exists():
        pytest.skip("mosquitto is not installed (make setup installs it)")
    started: list[Mosquitto] = []

    def start(extra: str = "", *, listener: str | None = None) -> Mosquitto:
        directory = tmp_path_factory.mktemp("mosquitto")
        chosen = free_port()
        config = directory / "mosquitto.conf"
        header = (listener or "listener {port} 127.0.0.1\nallow_anonymous true\n").format(port=chosen)
        # as root, mosquitto switches to the mosquitto user, which cannot read the test's files
        user = "user root\n" if os.geteuid() == 0 else ""
        config.write_text(f"per_listener_settings true\n{user}{header}{extra}\n")
        broker = Mosquitto(chosen, config, directory / "mosquitto.log")
        started.append(broker)  # before start(): a broker that fails to listen is stopped too
        return broker.start()

    yield start
    for broker in started:
        broker.stop()


@pytest.fixture
def mosquitto(mosquitto_factory: MosquittoFactory) -> Mosquitto:
    return mosquitto_factory()
