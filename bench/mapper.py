"""tedge-mapper c8y throughput, latency and memory, against raw mosquitto pub->sub on the same machine.

One run, one mosquitto (a generated config with mosquitto's defaults, as tedge-mosquitto.conf has):

1. raw base: publisher -> mosquitto -> subscriber on one topic;
2. through the mapper: publisher -> ``te/device/main///m/bench`` -> ``tedge-mapper c8y`` (a process)
   -> ``c8y/measurement/measurements/create`` -> subscriber.

For each path: the sustained rate at QoS 1 with zero loss (offered rates rise by 25 % per 3-second
step; a step passes when every message arrived and the delivered rate kept up with the offered one;
after the first failing rate two bisection steps refine it; a failed step is tried once more, since
on a shared machine one scheduling hiccup can overflow the broker's queue; the highest passing rate
is reported), and the p50/p99 latency at 2,000 msg/s (10 s). Mapper RSS is read when idle and at its
peak under load, as a ratio to mosquitto's RSS (the raw path's only process). Publisher and subscriber
are separate processes on the services' batched asyncio MQTT session, so that the load generator is
not the bottleneck.

3. into the local tenant: a device connected with `tedge connect c8y` to a local tenant (its own
   process; bench/connect.py's set-up: mosquitto with the bridge over TLS, the mapper and the agent
   under supervisord), the publisher on the device's mosquitto, and the measurements the tenant
   stored read back over REST (each step its own measurement type). A step passes when the tenant
   stored every message and stored them as fast as they were offered; latency is the tenant's
   ``creationTime`` (millisecond resolution, + 0.5 ms) minus the publish time. Its result line has the
   ratios to the mapper alone of step 2.

    python bench/mapper.py [--step-seconds 3] [--latency-seconds 10]

Targets (docs/performance.md): >= 10,000 msg/s, p99 <= 50 ms at 2,000 msg/s, RSS <= 40 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve()
BIN = Path(sys.executable).parent
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
IN_TOPIC, OUT_TOPIC = "te/device/main///m/bench", "c8y/measurement/measurements/create"
RAW_TOPIC = "bench/raw"
IDLE_END = 2.0  # seconds without a message after the publisher finished: the subscriber stops


# -- helper processes --------------------------------------------------------------------------------------
async def publish(port: int, topic: str, rate: float, count: int) -> None:
    from c8ylink.infra.net.mqtt_options import MqttOptions
    from c8ylink.infra.net.mqtt_session import MqttSession

    session = MqttSession(MqttOptions(port=port, client_id=f"bench-pub-{os.getpid()}"), lambda *a: None)
    await session.connect()
    start = time.monotonic()
    sent = 0
    while sent < count:
        due = min(count, int((time.monotonic() - start) * rate) + 1)
        now = time.time()
        while sent < due:
            payload = b'{"temperature":21.3,"bench":{"seq":%d,"t":%.6f}}' % (sent, now)
            session.publish(topic, payload, qos=1)
            sent += 1
        await asyncio.sleep(0.0005)
    await session.publish_wait(topic, b'{"temperature":0,"bench":{"seq":-1,"t":0}}', qos=1, timeout=60)
    print(json.dumps({"sent": sent, "seconds": time.monotonic() - start}), flush=True)
    await session.disconnect()


async def subscribe(port: int, topic: str) -> None:
    from c8ylink.infra.net.mqtt_options import MqttOptions
    from c8ylink.infra.net.mqtt_session import MqttSession

    received: list[tuple[float, bytes]] = []
    last = [time.monotonic()]

    def on_message(_topic: str, payload: bytes, _qos: int, _retain: bool) -> None:
        now = time.time()
        received.append((now, payload))
        last[0] = time.monotonic()

    session = MqttSession(MqttOptions(port=port, client_id=f"bench-sub-{os.getpid()}"), on_message)
    await session.connect()
    await session.subscribe([(topic, 1)])
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # the publisher is done
    last[0] = time.monotonic()
    while time.monotonic() - last[0] < IDLE_END:
        await asyncio.sleep(0.1)
    await session.disconnect()
    print(json.dumps(summarise(received)), flush=True)


def summarise(received: list[tuple[float, bytes]]) -> dict[str, float]:
    seqs: set[int] = set()
    latencies: list[float] = []
    times: list[float] = []
    for when, payload in received:
        bench = json.loads(payload)["bench"]
        seq, sent = bench["seq"], bench["t"]
        if isinstance(seq, dict):  # converted: {"seq": {"value": n}, ...}
            seq, sent = seq["value"], sent["value"]
        if seq < 0:
            continue
        seqs.add(int(seq))
        latencies.append(when - sent)
        times.append(when)
    latencies.sort()

    def pick(quantile: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * quantile))] * 1000 if latencies else 0.0

    return {"unique": len(seqs), "last": max(times, default=0.0), "first": min(times, default=0.0),
            "p50": pick(0.5), "p99": pick(0.99)}  # fmt: skip


# -- orchestration -----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_mosquitto(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    user = "user root\n" if os.geteuid() == 0 else ""
    config = directory / "mosquitto.conf"
    config.write_text(f"per_listener_settings true\n{user}listener {port} 127.0.0.1\nallow_anonymous true\n")
    process = subprocess.Popen(
        [MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("mosquitto did not start") from None
            time.sleep(0.05)


def start_mapper(directory: Path, port: int) -> subprocess.Popen[bytes]:
    config = directory / "tedge"
    (config / "run").mkdir(parents=True)
    (config / "tedge.toml").write_text(
        f'[device]\nid = "bench-device"\n[c8y]\nurl = "127.0.0.1"\n[c8y.proxy.bind]\nport = {free_port()}\n'
        f"[c8y.availability]\nenable = false\n[mqtt.client]\nport = {port}\n"
    )
    process = subprocess.Popen([str(BIN / "tedge-mapper"), "--config-dir", str(config), "--log-level", "warn",
                                "c8y"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    wait_ready(port)
    return process


def wait_ready(port: int) -> None:
    """The mapper answered: a measurement published now comes out converted."""
    sub = helper("subscribe", port, OUT_TOPIC)
    for _ in range(30):
        pub = helper("publish", port, IN_TOPIC, 100, 1)
        pub.wait(30)
        assert sub.stdin is not None and sub.stdout is not None
        sub.stdin.write(b"\n")
        sub.stdin.flush()
        if json.loads(sub.stdout.readline())["unique"] == 1:
            sub.wait(30)
            return
        sub.wait(30)
        sub = helper("subscribe", port, OUT_TOPIC)
    raise SystemExit("tedge-mapper did not convert a measurement")


def helper(role: str, port: int, topic: str, *args: float) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(HERE), "--role", role, str(port), topic, *(str(a) for a in args)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    if role == "subscribe":
        assert process.stdout is not None
        if process.stdout.readline().strip() != b"ready":
            raise SystemExit("the subscriber did not start")
    return process


@dataclass(frozen=True)
class Step:
    rate: float
    sent: int
    received: int
    seconds: float  # first to last arrival
    p50: float
    p99: float

    @property
    def passed(self) -> bool:
        delivered = self.received / self.seconds if self.seconds > 0 else 0.0
        return self.received == self.sent and delivered >= 0.97 * self.rate


def run_step(port: int, topics: tuple[str, str], rate: float, seconds: float) -> Step:
    count = int(rate * seconds)
    sub = helper("subscribe", port, topics[1])
    pub = helper("publish", port, topics[0], rate, count)
    assert pub.stdout is not None and sub.stdin is not None and sub.stdout is not None
    published = json.loads(pub.stdout.readline())
    pub.wait(30)
    sub.stdin.write(b"\n")
    sub.stdin.flush()
    summary = json.loads(sub.stdout.readline())
    sub.wait(30)
    span = max(summary["last"] - summary["first"], published["seconds"] * (count - 1) / count, 1e-6)
    return Step(rate, published["sent"], summary["unique"], span, summary["p50"], summary["p99"])


StepRunner = Callable[[float, float], Step]  # (offered rate, seconds) -> the step's outcome


def local_steps(port: int, topics: tuple[str, str]) -> StepRunner:
    return lambda rate, seconds: run_step(port, topics, rate, seconds)


def sustained(label: str, step: StepRunner, seconds: float, start: float = 4000.0) -> float:
    """Raise the offered rate by 25 % per step until a step fails, then bisect twice between the last
    passing and the failing rate."""
    best, rate, failed = 0.0, start, 0.0
    while rate < 500_000 and not failed:
        if passes(label, step, rate, seconds):
            best, rate = rate, rate * 1.25
        else:
            failed = rate
    for _ in range(2 if failed else 0):
        middle = (best + failed) / 2
        if passes(label, step, middle, seconds):
            best = middle
        else:
            failed = middle
    return best


def passes(label: str, step: StepRunner, rate: float, seconds: float, attempts: int = 2) -> bool:
    """A rate passes when one of ``attempts`` steps passes (a scheduling hiccup of a shared machine can
    overflow the broker's queue once; a rate the path cannot carry fails every time)."""
    for _ in range(attempts):
        done = step(rate, seconds)
        print(f"  {label}: {rate:,.0f} msg/s offered -> {done.received:,}/{done.sent:,} received"
              f" in {done.seconds:.2f} s{' ok' if done.passed else ' FAIL'}", file=sys.stderr)  # fmt: skip
        if done.passed:
            return True
    return False


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step-seconds", type=float, default=3.0)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-mapper-") as name:
        directory = Path(name)
        broker, port = start_mosquitto(directory)
        try:
            alone = measure(directory, port, broker, options.step_seconds, options.latency_seconds)
        finally:
            broker.terminate()
            broker.wait(10)
    print(alone.line, flush=True)
    print(measure_into_tenant(alone, options.step_seconds, options.latency_seconds))


@dataclass(frozen=True)
class Alone:
    line: str
    rate: float
    latency: Step


def measure(
    directory: Path, port: int, broker: subprocess.Popen[bytes], step: float, latency: float
) -> Alone:
    raw = (RAW_TOPIC, RAW_TOPIC)
    mapped = (IN_TOPIC, OUT_TOPIC)
    print("raw mosquitto pub->sub:", file=sys.stderr)
    raw_rate = sustained(RAW_TOPIC, local_steps(port, raw), step)
    raw_latency = run_step(port, raw, 2000, latency)
    mapper = start_mapper(directory, port)
    try:
        idle = rss_kb(mapper.pid)
        broker_idle = rss_kb(broker.pid)
        print("through tedge-mapper c8y:", file=sys.stderr)
        mapper_latency = run_step(port, mapped, 2000, latency)
        mapper_rate = sustained(IN_TOPIC, local_steps(port, mapped), step)
        peak = rss_kb(mapper.pid, "VmHWM")
        broker_peak = rss_kb(broker.pid, "VmHWM")
    finally:
        mapper.terminate()
        mapper.wait(20)
    mb = 1024
    throughput = (
        f"{mapper_rate:,.0f} msg/s sustained at QoS 1 with zero loss ({mapper_rate / raw_rate:.2f}x raw "
        f"mosquitto pub->sub {raw_rate:,.0f} msg/s)"
    )
    ours, base = mapper_latency, raw_latency
    latencies = (
        f"p50/p99 {ours.p50:.1f}/{ours.p99:.1f} ms at 2,000 msg/s (raw {base.p50:.1f}/{base.p99:.1f} ms: "
        f"{ours.p50 / base.p50:.1f}x/{ours.p99 / base.p99:.1f}x)"
    )
    memory = (
        f"RSS idle {idle / mb:.1f} MB, under load {peak / mb:.1f} MB ({idle / broker_idle:.1f}x/"
        f"{peak / broker_peak:.1f}x mosquitto's {broker_idle / mb:.1f}/{broker_peak / mb:.1f} MB)"
    )
    context = (
        f"targets >= 10,000 msg/s, p99 <= 50 ms, RSS <= 40 MB; {os.cpu_count()} cores, all on one machine"
    )
    return Alone(f"mapper: {throughput}; {latencies}; {memory} [{context}]", mapper_rate, mapper_latency)


# -- 3. into the local tenant ------------------------------------------------------------------------------
class TenantChain:
    """A device connected to a local tenant (bench/connect.py's ``Bench``); each step publishes one
    measurement type on the device's mosquitto and reads back what the tenant stored."""

    def __init__(self, base: Path) -> None:
        from connect import Bench  # bench/connect.py: tenant process, onboarding, supervisord

        self.bench = Bench(base)
        self.steps = 0

    def start(self) -> None:
        import ssl

        import httpx2

        tenant = self.bench.start_tenant()
        self.bench.onboard(tenant)
        self.bench.start_services()
        self.bench.run("connect", "c8y")
        self.port = int(self.bench.run("config", "get", "mqtt.bind.port").stdout)
        admin = tenant["admin"]
        assert isinstance(admin, dict)
        self.api = httpx2.Client(
            base_url=str(tenant["https_url"]), timeout=60,
            verify=ssl.create_default_context(cafile=str(tenant["ca_file"])),
            auth=(f"{tenant['tenant']}/{admin['username']}", str(admin["password"])),
        )  # fmt: skip
        device_id = self.bench.run("config", "get", "device.id").stdout.strip()
        found = self.api.get(f"/identity/externalIds/c8y_Serial/{device_id}").json()
        self.source = str(found["managedObject"]["id"])
        for _ in range(30):  # the mapper subscribes once it is up: probe until a measurement is stored
            if self.step(100, 0.01, idle=1.0).received == 1:
                return
        raise SystemExit("no measurement reached the tenant through mapper and bridge")

    def step(self, rate: float, seconds: float, idle: float = IDLE_END) -> Step:
        self.steps += 1
        kind, count = f"bench{self.steps}", max(1, int(rate * seconds))
        pub = helper("publish", self.port, f"te/device/main///m/{kind}", rate, count)
        assert pub.stdout is not None
        published = json.loads(pub.stdout.readline())
        pub.wait(30)
        self.wait_stored(kind, count + 1, idle)  # + the publisher's end marker
        summary = summarise_stored(self.stored(kind))
        span = max(summary["last"] - summary["first"], published["seconds"] * (count - 1) / count, 1e-6)
        return Step(rate, published["sent"], int(summary["unique"]), span, summary["p50"], summary["p99"])

    def count(self, kind: str) -> int:
        params: dict[str, str | int] = {
            "source": self.source,
            "type": kind,
            "pageSize": 1,
            "withTotalElements": "true",
        }
        answer = self.api.get("/measurement/measurements", params=params).json()
        return int(answer["statistics"]["totalElements"])

    def wait_stored(self, kind: str, expected: int, idle: float) -> None:
        """Until the tenant holds ``expected`` measurements of ``kind`` or ``idle`` s pass without more."""
        last, changed = -1, time.monotonic()
        while (stored := self.count(kind)) < expected and time.monotonic() - changed < idle:
            if stored != last:
                last, changed = stored, time.monotonic()
            time.sleep(0.1)

    def stored(self, kind: str) -> list[dict[str, object]]:
        documents: list[dict[str, object]] = []
        for page in range(1, 10_000):
            params: dict[str, str | int] = {
                "source": self.source,
                "type": kind,
                "pageSize": 2000,
                "currentPage": page,
            }
            found = self.api.get("/measurement/measurements", params=params).json()["measurements"]
            documents += found
            if len(found) < 2000:
                return documents
        return documents

    def close(self) -> None:
        if hasattr(self, "api"):
            self.api.close()
        self.bench.close()


def summarise_stored(documents: list[dict[str, object]]) -> dict[str, float]:
    """As ``summarise``, with the tenant's ``creationTime`` as the arrival time (it is truncated to the
    millisecond: + 0.5 ms, the middle of that millisecond)."""
    from datetime import datetime

    received = [
        (datetime.fromisoformat(str(doc["creationTime"]).replace("Z", "+00:00")).timestamp() + 0.0005,
         json.dumps({"bench": doc["bench"]}).encode())
        for doc in documents
    ]  # fmt: skip
    return summarise(received)


def measure_into_tenant(alone: Alone, step: float, latency: float) -> str:
    base = Path(tempfile.mkdtemp(prefix="bench-mapper-tenant-"))
    base.chmod(0o755)  # mosquitto, running as its own user, reads the certificate and the CA from here
    chain = TenantChain(base)
    try:
        chain.start()
        print("through tedge-mapper c8y, the mosquitto bridge and the local tenant:", file=sys.stderr)
        ours = chain.step(2000, latency)
        if ours.received != ours.sent:
            print(f"  2,000 msg/s: {ours.received:,}/{ours.sent:,} stored", file=sys.stderr)
        rate = sustained("te/device/main///m/bench<n> -> tenant", chain.step, step, start=2000.0)
    finally:
        chain.close()
        shutil.rmtree(base, ignore_errors=True)
    base_latency = alone.latency
    return (
        f"mapper+bridge: {rate:,.0f} msg/s stored by the local tenant at QoS 1 with zero loss "
        f"({rate / alone.rate:.2f}x the mapper alone, {alone.rate:,.0f} msg/s); p50/p99 {ours.p50:.1f}/"
        f"{ours.p99:.1f} ms at 2,000 msg/s end to end ({ours.p50 / base_latency.p50:.1f}x/"
        f"{ours.p99 / base_latency.p99:.1f}x the mapper alone) [publish on the device's mosquitto -> mapper "
        f"-> mosquitto bridge over TLS -> tenant; counted over REST; latency = creationTime (ms) - publish "
        f"time; {os.cpu_count()} cores, all on one machine]"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--role":
        role, port_text, topic = sys.argv[2], sys.argv[3], sys.argv[4]
        if role == "publish":
            asyncio.run(publish(int(port_text), topic, float(sys.argv[5]), int(float(sys.argv[6]))))
        else:
            asyncio.run(subscribe(int(port_text), topic))
    else:
        main()
