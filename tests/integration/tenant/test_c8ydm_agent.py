"""Cumulocity's device agent ``c8ydm`` (PyPI) against the local tenant, over MQTT with SmartREST.

The operator registers the device; the agent bootstraps with ``management/devicebootstrap`` (``s/ucr``
until ``70,...`` arrives once the request is accepted), stores its credentials, reconnects as the
device, creates its managed object (100, 110, 114, 117), sends measurements from its sensors and
runs a shell command the operator sends (``c8y_Command``, 511 -> 501 -> 503). c8ydm reaches REST
on ``https://<mqtt host>`` (port 443) only, so this scenario runs a tenant of its own with HTTPS on
127.0.0.1:443 (skipped when that port is taken) and REQUESTS_CA_BUNDLE naming its CA.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import admin_auth, unique
from .mqtt_devices import mqtt_address

pytestmark = pytest.mark.integration
if importlib.util.find_spec("c8ydm") is None:
    pytest.skip("c8ydm is not installed (pip extras dev)", allow_module_level=True)

LAUNCHER = Path(__file__).resolve().parents[2] / "clients" / "c8ydm" / "run_agent.py"
DEADLINE = 40.0


def wait_for(probe: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def agent_ini(tenant: BackgroundTenant, serial: str) -> str:
    host, port = mqtt_address(tenant, "mqtt")
    boot = tenant.info.bootstrap
    boot_tenant, boot_user = boot.username.split("/")
    return f"""[mqtt]
url = {host}
port = {port}
ping.interval.seconds = 60
tls = false
cert_auth = false
client_cert =
client_key =

[agent]
name = c8ydm
type = c8y_c8ydm
main.loop.interval.seconds = 2
requiredinterval = 10
loglevel = INFO
device.id = {serial}

[secret]
c8y.bootstrap.tenant = {boot_tenant}
c8y.bootstrap.user = {boot_user}
c8y.bootstrap.password = {boot.password}
"""


@pytest.fixture
def start_agent(tmp_path: Path) -> Iterator[Callable[[str, Path], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(config: str, ca_file: Path) -> subprocess.Popen[bytes]:
        home = tmp_path / "home"
        (home / ".cumulocity").mkdir(parents=True)
        (home / ".cumulocity" / "agent.ini").write_text(config, encoding="utf-8")
        environment = {**os.environ, "HOME": str(home), "REQUESTS_CA_BUNDLE": str(ca_file)}
        environment.pop("CONTAINER", None)
        with (tmp_path / "agent.out").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, str(LAUNCHER)], env=environment, stdout=log, stderr=subprocess.STDOUT
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def tenant443(start_tenant: Callable[..., BackgroundTenant]) -> Iterator[BackgroundTenant]:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", 443))
        except OSError as exc:
            pytest.skip(f"c8ydm's REST client needs 127.0.0.1:443: {exc}")
    with start_tenant(https_port=443) as running:
        yield running


def test_c8ydm_bootstraps_creates_its_device_and_runs_a_command(
    tenant443: BackgroundTenant,
    client_for: Callable[..., httpx2.Client],
    start_agent: Callable[[str, Path], subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    tenant = tenant443
    api = client_for(tenant, admin_auth(tenant))
    serial = unique("c8ydm")
    assert api.post("/devicecontrol/newDeviceRequests", json={"id": serial}).status_code == 201
    agent = start_agent(agent_ini(tenant, serial), tenant.info.ca_file)

    def request_status() -> str | None:
        answer = api.get(f"/devicecontrol/newDeviceRequests/{serial}")
        return str(answer.json()["status"]) if answer.status_code == 200 else None

    wait_for(lambda: request_status() == "PENDING_ACCEPTANCE", "the agent's s/ucr poll")
    accepted = api.put(f"/devicecontrol/newDeviceRequests/{serial}", json={"status": "ACCEPTED"})
    assert accepted.status_code == 200

    def device() -> dict[str, Any] | None:
        answer = api.get(f"/identity/externalIds/c8y_Serial/{serial}")
        if answer.status_code != 200:
            return None
        found: dict[str, Any] = api.get(
            f"/inventory/managedObjects/{answer.json()['managedObject']['id']}"
        ).json()
        # 114 (supported operations), 117 (required interval) and 110 (hardware) arrive one by one
        wanted = ("c8y_SupportedOperations", "c8y_RequiredAvailability", "c8y_Hardware")
        return found if all(fragment in found for fragment in wanted) else None

    managed = wait_for(device, "the agent's device with its supported operations")
    assert managed["name"] == f"c8ydm-{serial}" and managed["type"] == "c8y_c8ydm"
    assert managed["owner"] == f"device_{serial}"
    assert "c8y_Command" in managed["c8y_SupportedOperations"]
    assert managed["c8y_RequiredAvailability"] == {"responseInterval": 10}
    assert managed["c8y_Hardware"]["serialNumber"] == serial

    def measurements() -> int:
        answer = api.get("/measurement/measurements", params={"source": managed["id"], "pageSize": 5})
        return len(answer.json()["measurements"])

    wait_for(measurements, "a measurement from the agent's sensors")

    operation = api.post(
        "/devicecontrol/operations",
        json={
            "deviceId": managed["id"],
            "description": "echo",
            "c8y_Command": {"text": "echo c8ydm-says-hi"},
        },
    ).json()

    def finished() -> dict[str, Any] | None:
        current: dict[str, Any] = api.get(f"/devicecontrol/operations/{operation['id']}").json()
        return current if current["status"] in ("SUCCESSFUL", "FAILED") else None

    done = wait_for(finished, "the agent to run the shell command")
    assert done["status"] == "SUCCESSFUL", (tmp_path / "agent.out").read_text(errors="replace")[-3000:]
    assert "c8ydm-says-hi" in done["c8y_Command"]["result"]
    assert agent.poll() is None
