"""`tedge-mapper c8y` and `tedge-agent` as processes against a real mosquitto, and a probe that watches
what they publish.

    config = device_config(broker, **{"c8y.smartrest.use_operation_id": "false"})
    mapper = start_mapper(config)            # waits until its startup messages are out
    with probe(broker) as watch:             # subscribed to '#' before anything is published
        watch.publish("te/device/main///m/env", {"temperature": 21.3})
        message = watch.expect("c8y/measurement/measurements/create")
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from c8ylink.infra.net.mqtt_client import MqttClient
from c8ylink.infra.net.mqtt_options import MqttMessage

BIN = Path(sys.executable).parent
WAIT = 20.0
DEVICE_ID = "dev1"
AGENT_HEALTH = "te/device/main/service/tedge-agent/status/health"


def toml_value(value: str) -> str:
    if value in ("true", "false") or value.isdigit():
        return value
    return json.dumps(value)


def write_tedge_toml(config_dir: Path, settings: dict[str, str]) -> None:
    """tedge.toml from dotted keys (one table per key prefix)."""
    tables: dict[str, list[str]] = {}
    for key, value in settings.items():
        table, _, name = key.rpartition(".")
        tables.setdefault(table, []).append(f"{name} = {toml_value(value)}")
    text = "".join(f"[{table}]\n" + "\n".join(lines) + "\n\n" for table, lines in tables.items())
    (config_dir / "tedge.toml").write_text(text)


@pytest.fixture
def device_config(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    def make(broker: Any, **settings: str) -> Path:
        config_dir = tmp_path_factory.mktemp("tedge")
        run_dir = config_dir / "run"
        run_dir.mkdir()
        base = {
            "device.id": DEVICE_ID,
            "c8y.url": "127.0.0.1",
            "mqtt.client.port": str(broker.port),
            "c8y.proxy.bind.port": str(free_port()),
            "run.path": str(run_dir),
            "http.bind.port": str(free_port()),
            "data.path": str(config_dir / "data"),
            "logs.path": str(config_dir / "logs"),
        }
        write_tedge_toml(config_dir, {**base, **settings})
        return config_dir

    return make


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Watch:
    client: MqttClient
    seen: list[MqttMessage] = field(default_factory=list)

    def publish(self, topic: str, payload: Any = b"", *, retain: bool = False) -> None:
        data = json.dumps(payload).encode() if isinstance(payload, dict | list) else payload
        self.client.publish(topic, data, qos=1, retain=retain)

    def expect(
        self, topic: str, match: Callable[[MqttMessage], bool] | str | None = None, *, timeout: float = WAIT
    ) -> MqttMessage:
        """The first message (seen before or arriving) on ``topic`` that matches."""
        check = (lambda m: m.text == match) if isinstance(match, str) else match
        for message in self.seen:
            if message.topic == topic and (check is None or check(message)):
                self.seen.remove(message)
                return message
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            message = self.client.next_message(timeout=remaining)
            if message is None:
                break
            if message.topic == topic and (check is None or check(message)):
                return message
            self.seen.append(message)
        shown = "\n".join(f"  {m.topic} {m.text[:200]}" for m in self.seen[-30:])
        raise AssertionError(f"nothing on {topic} matching within {timeout} s; seen:\n{shown}")

    def expect_json(self, topic: str, match: Callable[[Any], bool] | None = None, **kwargs: Any) -> Any:
        def check(message: MqttMessage) -> bool:
            try:
                value = json.loads(message.payload)
            except ValueError:
                return False
            return match is None or match(value)

        return json.loads(self.expect(topic, check, **kwargs).payload)

    def error_for(self, topic: str, **kwargs: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.expect_json("te/errors", lambda v: v.get("topic") == topic, **kwargs)
        return result

    def nothing_on(self, topic: str) -> None:
        """Nothing was seen on ``topic``: call it after ``expect`` of a message the mapper sent later (it
        publishes in order, so anything earlier would have arrived first)."""
        assert all(m.topic != topic for m in self.seen), [m.text for m in self.seen if m.topic == topic]


@pytest.fixture
def probe() -> Iterator[Callable[..., Any]]:
    clients: list[MqttClient] = []

    @contextmanager
    def open_probe(broker: Any, *filters: str) -> Iterator[Watch]:
        client = MqttClient(broker.options(f"probe-{len(clients)}-{os.getpid()}"))
        client.connect()
        clients.append(client)
        client.subscribe([(name, 1) for name in (filters or ("#",))])
        yield Watch(client)

    yield open_probe
    for client in clients:
        client.disconnect()


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(WAIT)

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Service]]:
    services: list[Service] = []

    def start(script: str, *args: str) -> Service:
        log = tmp_path_factory.mktemp("log") / f"{script}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen([str(BIN / script), *args], stdout=sink, stderr=subprocess.STDOUT)
        service = Service(process, log)
        services.append(service)
        return service

    yield start
    for service in services:
        service.stop()


@pytest.fixture
def start_mapper(start_service: Callable[..., Service], probe: Callable[..., Any]) -> Callable[..., Service]:
    """Start ``tedge-mapper c8y`` and wait for its startup request of pending operations (500)."""

    def start(config_dir: Path, broker: Any, *args: str) -> Service:
        with probe(broker, "c8y/s/us") as watch:
            service = start_service("tedge-mapper", "--config-dir", str(config_dir), "c8y", *args)
            try:
                watch.expect("c8y/s/us", "500")
            except AssertionError:
                raise AssertionError(f"the mapper did not start:\n{service.output}") from None
        return service

    return start


@pytest.fixture
def start_agent(start_service: Callable[..., Service], probe: Callable[..., Any]) -> Callable[..., Service]:
    """Start ``tedge-agent`` and wait for its health ``up``."""

    def start(config_dir: Path, broker: Any) -> Service:
        with probe(broker, AGENT_HEALTH) as watch:
            service = start_service("tedge-agent", "--config-dir", str(config_dir))
            try:
                pid = service.process.pid
                watch.expect_json(AGENT_HEALTH, lambda v: v["status"] == "up" and v["pid"] == pid)
            except AssertionError:
                raise AssertionError(f"the agent did not start:\n{service.output}") from None
        return service

    return start
