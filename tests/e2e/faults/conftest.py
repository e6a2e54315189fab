"""Faults in the telemetry chain, with real processes: QoS 1 measurements published on the device's
mosquitto -> `tedge-mapper c8y` -> the mosquitto bridge -> the local tenant, while one of them is killed.

``chain``: one device per module, under supervisord (mosquitto with the persistence `tedge connect`
configures, the mapper, the agent), connected to a tenant that runs as its own process
(`c8ylink tenant serve` on fixed ports, so that it can be killed with SIGKILL and started again on the
same ports and data dir). ``chain.stream(kind, {n: action})`` publishes ``COUNT`` measurements of a
type of its own at QoS 1 as a device application does (a message counts as published once the broker
acknowledged it; one that was not is sent again after a reconnection), runs each action before message
``n`` and returns what the tenant stored.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from tests.e2e.conftest import (
    C8YLINK,
    DEADLINE,
    Device,
    TenantApi,
    free_port,
    listening,
    new_device,
    onboard,
    wait_for,
)

from c8ylink.core.errors import BrokerError
from c8ylink.infra.net.mqtt_client import MqttClient, MqttOptions
from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import Credentials, TenantInfo

COUNT = 600  # measurements per stream; the fault lands at FAULT_AT, the faulty part ends at RECOVER_AT
FAULT_AT = COUNT // 3
RECOVER_AT = 2 * COUNT // 3
QUIET = 20.0  # seconds without a new measurement before a stream counts what is missing as lost
MAPPER = "tedge-mapper-c8y"
MAPPER_HEALTH = "te/device/main/service/tedge-mapper-c8y/status/health"


@dataclass
class TenantProcess:
    """`c8ylink tenant serve` as a process on fixed ports (``start`` / ``kill`` / ``start`` again)."""

    data_dir: Path
    ports: dict[str, int]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.process is None
        args = [f"--{name.replace('_', '-')}={port}" for name, port in self.ports.items()]
        args += ["--data-dir", str(self.data_dir), "--domain", "127.0.0.1"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(C8YLINK), "tenant", "serve", *args],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            )  # fmt: skip
        process = self.process
        wait_for(lambda: self._answers(process.pid), "the tenant to serve", timeout=DEADLINE)

    def _answers(self, pid: int) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log.read_text()[-2000:]
        try:
            info = json.loads((self.data_dir / "tenant.json").read_text())
        except (OSError, ValueError):
            return False
        return bool(info.get("pid") == pid) and listening(self.ports["mqtt_tls_port"])

    def stop(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)
        self.process.wait(timeout=DEADLINE)
        self.process = None

    @property
    def info(self) -> TenantInfo:
        raw = json.loads((self.data_dir / "tenant.json").read_text())
        admin = Credentials(f"{raw['tenant']}/{raw['admin']['username']}", raw["admin"]["password"])
        bootstrap = raw["bootstrap"]
        return TenantInfo(
            tenant=raw["tenant"], domain=raw["domain"], https_url=raw["https_url"], mtls_url=raw["mtls_url"],
            ca_file=Path(raw["ca_file"]), admin=admin,
            bootstrap=Credentials(f"{bootstrap['tenant']}/{bootstrap['username']}", bootstrap["password"]),
            data_dir=self.data_dir, extra={"mqtt_tls": raw["mqtt_tls"], "mqtt": raw["mqtt"]},
        )  # fmt: skip


@dataclass
class Stored:
    """What one stream left in the tenant: how often each sequence number arrived."""

    published: int
    seen: Counter[int] = field(default_factory=Counter)

    @property
    def lost(self) -> list[int]:
        return [n for n in range(self.published) if n not in self.seen]

    @property
    def duplicates(self) -> int:
        return sum(self.seen.values()) - len(self.seen)


@dataclass
class Chain:
    device: Device
    tenant: TenantProcess
    api: TenantApi
    mo_id: str
    retries: int = 0  # publications sent again after a broker dropped the publisher

    def stream(self, kind: str, actions: Mapping[int, Callable[[], None]]) -> Stored:
        """Publish ``COUNT`` measurements of type ``kind`` at QoS 1, running ``actions[n]`` before number
        ``n``; wait until the tenant holds them all (or stops gaining)."""
        publisher = self._publisher()
        try:
            for number in range(COUNT):
                if number in actions:
                    actions[number]()
                publisher = self._publish(publisher, f"te/device/main///m/{kind}", number)
        finally:
            publisher.disconnect()
        return self._stored(kind)

    def _publisher(self) -> MqttClient:
        options = MqttOptions(port=self.device.port, client_id="fault-publisher", connect_timeout=5)
        wait_for(lambda: listening(self.device.port), "the device's mosquitto to listen")
        client = MqttClient(options)
        client.connect()
        return client

    def _publish(self, client: MqttClient, topic: str, number: int) -> MqttClient:
        """Publish until the broker acknowledges it; a dropped connection is made again (the message
        then goes again: a duplicate when the first one had arrived)."""
        deadline = time.monotonic() + DEADLINE
        while True:
            try:
                client.publish(topic, json.dumps({"seq": {"n": number}}), qos=1, timeout=10)
                return client
            except BrokerError:
                assert time.monotonic() < deadline, f"could not publish {number}"
                client.disconnect()
                self.retries += 1
                try:
                    client = self._publisher()
                except BrokerError:
                    client = MqttClient(MqttOptions(port=self.device.port, client_id="fault-publisher"))

    def _stored(self, kind: str) -> Stored:
        """Poll the tenant until every number arrived, or nothing new came for ``QUIET`` s."""
        stored = Stored(COUNT)
        last_total, last_change = -1, time.monotonic()
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            stored.seen = Counter(self._numbers(kind))
            total = sum(stored.seen.values())
            if total != last_total:
                last_total, last_change = total, time.monotonic()
            if not stored.lost or time.monotonic() - last_change > QUIET:
                break
            time.sleep(0.2)
        return stored

    def _numbers(self, kind: str) -> list[int]:
        answer = self.api.client.get(
            "/measurement/measurements", params={"source": self.mo_id, "type": kind, "pageSize": 2000}
        )
        answer.raise_for_status()
        return [int(m["seq"]["n"]["value"]) for m in answer.json()["measurements"]]

    # -- faults ----------------------------------------------------------------------------------------
    def kill_program(self, program: str, signum: int = signal.SIGKILL) -> None:
        """Signal a program of supervisord, which starts it again (autorestart)."""
        pid = self.device.pid_of(program)
        assert pid > 0, f"{program} is not running"
        os.kill(pid, signum)
        wait_for(lambda: self.device.pid_of(program) not in (0, pid), f"{program} to be started again")

    def restart_program(self, program: str) -> None:
        result = self.device.ctl("restart", program)
        assert result.returncode == 0, result.stdout + result.stderr


def _health_up(device: Device) -> bool:
    result = device.run("mqtt", "sub", MAPPER_HEALTH, "-C", "1", "-W", "5s", "--no-topic")
    return bool(result.stdout.strip()) and json.loads(result.stdout).get("status") == "up"


@pytest.fixture(scope="module")
def tenant_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TenantProcess]:
    """A tenant of the module's own, as a process on fixed free ports."""
    work = tmp_path_factory.mktemp("fault-tenant")
    data_dir = work / "data"
    data_dir.mkdir(mode=0o700)
    names = ("https_port", "mtls_port", "mqtt_tls_port", "mqtt_port")
    tenant = TenantProcess(data_dir, {name: free_port() for name in names}, work / "tenant.log")
    tenant.start()
    try:
        yield tenant
    finally:
        if tenant.process is not None:
            tenant.stop(signal.SIGTERM)


def as_background(tenant: TenantProcess) -> BackgroundTenant:
    """The helpers of tests/e2e read only ``info`` of the tenant they are given."""
    return cast(BackgroundTenant, tenant)


@pytest.fixture(scope="module")
def chain(tenant_process: TenantProcess) -> Iterator[Chain]:
    api = TenantApi(as_background(tenant_process))
    try:
        with new_device() as device:
            device_id = onboard(device, as_background(tenant_process), api)
            # the bridge tries the tenant again every second, not after mosquitto's 5 s to 30 s back-off
            device.config("c8y.bridge.restart_timeout", "1s")
            device.write_services()
            device.start_services()
            wait_for(lambda: listening(device.port), "mosquitto to listen")
            result = device.run("connect", "c8y")
            assert result.returncode == 0, result.stderr
            managed = api.managed_object(device_id)
            assert managed is not None
            wait_for(lambda: _health_up(device), "the mapper to be up")
            yield Chain(device, tenant_process, api, str(managed["id"]))
    finally:
        api.client.close()


def describe(stored: Stored) -> dict[str, Any]:
    """The figures a failing assertion shows."""
    return {"published": stored.published, "lost": stored.lost[:20], "duplicates": stored.duplicates}
