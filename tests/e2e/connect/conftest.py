"""`tedge connect c8y` end to end: the device, the services and the tenant come from tests/e2e/conftest.py;
here what only the connect tests need (the summary connect prints, a relay that stops at a known point).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from tests.e2e.conftest import (  # re-exported for the tests of this directory
    BIN,
    C8YLINK,
    DEADLINE,
    MOSQUITTO,
    SUPERVISORCTL,
    SUPERVISORD,
    TEDGE,
    Device,
    TenantApi,
    free_port,
    listening,
    new_device,
    onboard,
    point_at,
    start_running,
    start_tenant,
    tenant_ports,
    wait_for,
)

__all__ = [
    "BIN",
    "C8YLINK",
    "DEADLINE",
    "MOSQUITTO",
    "SUPERVISORCTL",
    "SUPERVISORD",
    "TEDGE",
    "Device",
    "TenantApi",
    "free_port",
    "listening",
    "new_device",
    "onboard",
    "point_at",
    "start_running",
    "start_tenant",
    "tenant_ports",
    "wait_for",
]

pytestmark = pytest.mark.e2e

NOBODY = ("--reuid=65534", "--regid=65534", "--clear-groups")

HAS_MAPPER = (BIN / "tedge-mapper").exists()
HAS_AGENT = (BIN / "tedge-agent").exists()
NO_AGENT = "Info: Software management is not installed. So, skipping enabling related components.\n\n"


def services_lines() -> tuple[str, str]:
    """What connect prints about the mapper and the agent, depending on what is installed."""
    mapper = "Enabling tedge-mapper-c8y... ✓\n" if HAS_MAPPER else "warning: tedge-mapper is not installed.\n"
    agent = "Enabling tedge-agent... ✓\n" if HAS_AGENT else ""
    return mapper, agent


@pytest.fixture
def running(device: Device) -> Device:
    """A device with a certificate and its services (mosquitto listening) running under supervisord."""
    return start_running(device)


@pytest.fixture(scope="module")
def shared_running() -> Iterator[Device]:
    """As ``running``, for the tests of a module that leave the device as they found it."""
    with new_device() as dev:
        yield start_running(dev)


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
            service_manager: str = "supervisord", device_id: str = "connect-device",
            cloud_host: str = "127.0.0.1:8883") -> str:  # fmt: skip
    """The summary block the user docs show, for this device."""
    lines = [
        f"{title}:",
        f"\tdevice id: {device_id}",
        "\tcloud profile: <none>",
        f"\tcloud host: {cloud_host}",
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


class Forwarder:
    """A TCP relay to ``target`` for exactly one connection: after accepting it the relay stops
    listening, so later connections are refused as a stopped tenant's port refuses them. It makes "the
    tenant went away after the device was created" happen at a known point.

    (Not "accept and close": mosquitto 2.0.11 then ends up spinning in its keep-alive check after a
    few bridge attempts that fail in the TLS handshake, a bug fixed in later 2.0 releases.)"""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self.first_done = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        try:
            client, _ = self.server.accept()
        except OSError:
            return
        finally:
            self.server.close()
        self._relay(client)

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            self.first_done.set()
            return
        pumps = [threading.Thread(target=_pump, args=(a, b), daemon=True) for a, b in
                 ((client, upstream), (upstream, client))]  # fmt: skip
        for pump in pumps:
            pump.start()
        for pump in pumps:
            pump.join()
        client.close()
        upstream.close()
        self.first_done.set()

    def close(self) -> None:
        self.server.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
