"""The `c8y` REST client, side by side in one run against the same local tenant (its own process):

1. ``c8y devices list`` as a process (an activated BASIC session, as ``set-session`` leaves it) vs. the
   same request (``GET /inventory/managedObjects?q=$filter= $orderby=name&pageSize=5``, printed as JSON
   lines) made by the official ``c8y_api`` package as a process; interleaved runs after a warm-up each,
   median. Target: <= 0.5x.
2. A bulk update of 1,000 devices, ``c8y devices update --data ... --workers 8`` vs ``--workers 1``, the
   ids piped in from a file as ``c8y devices list --includeAll`` writes them. Target: >= 4x. Measured
   twice: with no pause, and with ``--delay 20ms`` (each worker pauses after a request, as upstream's
   docs recommend for bulk work); see docs/performance.md for what bounds the first on 2 cores.
3. ``c8y measurements subscribe`` (CometD long-polling) as a process while measurements are posted to the
   tenant (collections of 50 over REST): notifications printed per second when the tenant stores them as
   fast as it can (target >= 1,000/s), and the latency from the POST to the printed line at a steady
   1,000 measurements/s (target p99 <= 100 ms).

    python bench/rest_client.py [--runs 20] [--devices 1000] [--delay 20ms] [--notifications 10000]

One result line per comparison, each with its ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
C8Y = str(BIN / "c8y")
DEADLINE = 60.0
PASSPHRASE = "bench-passphrase"

C8Y_API_LIST = """
import json, os, sys
from c8y_api import CumulocityApi

env = os.environ
api = CumulocityApi(env["C8Y_HOST"], env["C8Y_TENANT"], env["C8Y_USER"], env["C8Y_PASSWORD"])
api.session.verify = os.environ["SSL_CERT_FILE"]
api.session.trust_env = False
answer = api.get("/inventory/managedObjects", params={"q": "$filter= $orderby=name", "pageSize": 5})
items = answer["managedObjects"]
sys.stdout.write("".join(json.dumps(item, separators=(",", ":")) + "\\n" for item in items))
"""


def start_tenant(data_dir: Path) -> tuple[subprocess.Popen[bytes], dict[str, object]]:
    ports = ["--https-port", "0", "--mtls-port", "0", "--mqtt-tls-port", "0", "--mqtt-port", "0"]
    tenant = subprocess.Popen(
        [str(BIN / "c8ylink"), "tenant", "serve", "--data-dir", str(data_dir), *ports],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + DEADLINE
    info_file = data_dir / "tenant.json"
    while not info_file.exists():
        if tenant.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("rest-client: the tenant did not start")
        time.sleep(0.05)  # polling a file the tenant writes once it listens; bounded by the deadline
    return tenant, json.loads(info_file.read_text())


def run(argv: list[str], env: dict[str, str], *, stdin: str | bytes | None = None) -> str:
    feed = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}  # never the bench's stdin
    done = subprocess.run(argv, env=env, capture_output=True, check=False, timeout=600, **feed)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise SystemExit(f"rest-client: {' '.join(argv[:4])} failed: {done.stderr.decode().strip()[-400:]}")
    return done.stdout.decode()


def activated_session(info: dict[str, object], home: Path) -> dict[str, str]:
    """The environment after ``set-session`` for a BASIC session of the tenant's admin."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("C8Y_", "SSL_CERT_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: byte code cached
    admin = info["admin"]
    assert isinstance(admin, dict)
    env.update(HOME=str(home), SSL_CERT_FILE=str(info["ca_file"]), C8Y_PASSPHRASE=PASSPHRASE)
    run(
        [
            C8Y,
            "sessions",
            "create",
            "--host",
            str(info["https_url"]),
            "--tenant",
            str(info["tenant"]),
            "--username",
            admin["username"],
            "--password",
            admin["password"],
            "--loginType",
            "BASIC",
            "--mode",
            "dev",
            "--name",
            "bench",
        ],
        env,
    )
    for line in run([C8Y, "sessions", "login", "--session", "bench", "--shell", "bash"], env).splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value[1:-1].replace("'\\''", "'")
    return env


def timed(argv: list[str], env: dict[str, str], *, stdin: bytes | None = None, lines: int = 0) -> float:
    """Seconds ``argv`` took; with ``lines``, its output must have that many lines (every job done)."""
    start = time.perf_counter()
    done = subprocess.run(
        argv,
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        check=False,
        timeout=900,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"rest-client: {' '.join(argv[:3])} failed: {done.stderr.decode().strip()[-400:]}")
    if lines and len(done.stdout.splitlines()) != lines:
        raise SystemExit(f"rest-client: {' '.join(argv[:3])} printed {len(done.stdout.splitlines())} lines")
    return elapsed


def compare_list(env: dict[str, str], runs: int, script: Path) -> None:
    ours = [C8Y, "devices", "list"]
    theirs = [sys.executable, str(script)]
    if json.loads(run(ours, env).splitlines()[0])["id"] != json.loads(run(theirs, env).splitlines()[0])["id"]:
        raise SystemExit("rest-client: c8y and c8y_api did not print the same first device")
    samples: dict[str, list[float]] = {"ours": [], "theirs": []}
    for _ in range(runs):
        samples["ours"].append(timed(ours, env))
        samples["theirs"].append(timed(theirs, env))
    mine, other = statistics.median(samples["ours"]), statistics.median(samples["theirs"])
    print(
        f"rest-client c8y devices list: {mine / other:.2f}x c8y_api as a process (median of {runs}: "
        f"{mine * 1000:.1f} ms vs {other * 1000:.1f} ms; target <= 0.5x)",
        flush=True,
    )


def compare_template(env: dict[str, str], runs: int) -> None:
    """A jsonnet ``--template`` against the same body from flags (a template is evaluated per request;
    the C++ jsonnet sets up its standard library on every evaluation)."""
    plain = [C8Y, "devices", "create", "--name", "bench-tpl", "--type", "c8y_Linux", "--force"]
    template = [
        C8Y,
        "devices",
        "create",
        "--name",
        "bench-tpl",
        "--force",
        "--template",
        "{type: 'c8y_Linux', created: _.Now(), serial: _.Hex(8)}",
    ]
    samples: dict[str, list[float]] = {"plain": [], "template": []}
    for _ in range(runs):
        samples["plain"].append(timed(plain, env))
        samples["template"].append(timed(template, env))
    without, with_template = statistics.median(samples["plain"]), statistics.median(samples["template"])
    print(
        f"rest-client c8y devices create --template: {with_template / without:.2f}x the same body from "
        f"flags (median of {runs}: {with_template * 1000:.1f} ms vs {without * 1000:.1f} ms; target <= 1.5x)",
        flush=True,
    )


def seed_devices(env: dict[str, str], count: int) -> bytes:
    names = "".join(f"bench-{n:05d}\n" for n in range(count)).encode()
    run([C8Y, "devices", "create", "--workers", "8", "--force", "--select", "id"], env, stdin=names)
    listed = run([C8Y, "devices", "list", "--includeAll", "--name", "bench-*", "--select", "id"], env)
    if len(listed.splitlines()) != count:
        raise SystemExit(
            f"rest-client: expected {count} devices, the tenant lists {len(listed.splitlines())}"
        )
    return listed.encode()


def compare_workers(env: dict[str, str], ids: bytes, count: int, delay: str) -> None:
    for pause in ("", delay):
        update = [C8Y, "devices", "update", "--data", "bench.round=1", "--force", "--select", "id"]
        extra = ["--delay", pause] if pause else []
        one = timed([*update, "--workers", "1", *extra], env, stdin=ids, lines=count)
        eight = timed([*update, "--workers", "8", *extra], env, stdin=ids, lines=count)
        label = f" --delay {pause}" if pause else " (no delay)"
        print(
            f"rest-client bulk update of {count:,} devices{label}: {one / eight:.1f}x faster with "
            f"--workers 8 than --workers 1 ({one:.1f} s vs {eight:.1f} s; target >= 4x; "
            f"{os.cpu_count()} cores shared by c8y and the tenant)",
            flush=True,
        )


MEASUREMENT_COLLECTION = "application/vnd.com.nsn.cumulocity.measurementcollection+json"


class Subscriber:
    """``c8y measurements subscribe --count N`` as a process; each printed line's arrival time and the
    send time it carries (``bench.sent``)."""

    def __init__(self, env: dict[str, str], device: str, count: int) -> None:
        argv = [
            C8Y,
            "measurements",
            "subscribe",
            "--device",
            device,
            "--count",
            str(count),
            "--duration",
            "300s",
        ]
        self.process = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.arrivals: list[tuple[float, float]] = []  # (sent, received)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            received = time.time()
            self.arrivals.append((float(json.loads(line)["bench"]["sent"]), received))

    def finish(self) -> list[tuple[float, float]]:
        self.reader.join(timeout=300)
        if self.process.wait(timeout=60) != 0:
            raise SystemExit(
                f"rest-client: subscribe failed: {self.process.stderr.read() if self.process.stderr else ''}"
            )
        return self.arrivals


def _wait_subscribed(api: Any, channel: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not any(
        channel in client["subscriptions"] and client["waiting"]
        for client in api.get("/__local__/realtime").json()["clients"]
    ):
        if time.monotonic() > deadline:
            raise SystemExit("rest-client: the realtime subscription did not start")
        time.sleep(0.02)  # polling the tenant's control API until the subscriber waits, bounded


def _post_batch(api: Any, device: str, size: int) -> None:
    sent = time.time()
    items = [
        {
            "source": {"id": device},
            "type": "bench_rt",
            "time": "2026-01-01T00:00:00Z",
            "bench": {"sent": sent},
        }
        for _ in range(size)
    ]
    answer = api.post(
        "/measurement/measurements",
        json={"measurements": items},
        headers={"Content-Type": MEASUREMENT_COLLECTION},
    )
    if answer.status_code != 201:
        raise SystemExit(
            f"rest-client: posting measurements failed: {answer.status_code} {answer.text[:200]}"
        )


def measure_realtime(env: dict[str, str], info: dict[str, object], count: int) -> None:
    import ssl

    import httpx2

    admin = info["admin"]
    assert isinstance(admin, dict)
    api = httpx2.Client(
        base_url=str(info["https_url"]),
        timeout=120,
        auth=(f"{info['tenant']}/{admin['username']}", str(admin["password"])),
        verify=ssl.create_default_context(cafile=str(info["ca_file"])),
    )
    device = json.loads(run([C8Y, "devices", "create", "--name", "bench-realtime", "--force"], env))["id"]
    batch = 50
    # 1. as fast as the tenant stores them
    subscriber = Subscriber(env, device, count)
    _wait_subscribed(api, f"/measurements/{device}")
    for _ in range(count // batch):
        _post_batch(api, device, batch)
    arrivals = subscriber.finish()
    first_sent = min(sent for sent, _ in arrivals)
    rate = len(arrivals) / (max(received for _, received in arrivals) - first_sent)
    # 2. a steady 1,000/s: latency from the POST to the printed line
    steady = 5000
    subscriber = Subscriber(env, device, steady)
    _wait_subscribed(api, f"/measurements/{device}")
    start = time.monotonic()
    for n in range(steady // batch):
        pause = start + n * batch / 1000 - time.monotonic()
        if pause > 0:
            time.sleep(pause)  # pacing the publisher at 1,000 measurements/s
        _post_batch(api, device, batch)
    latencies = sorted((received - sent) * 1000 for sent, received in subscriber.finish())
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1]
    api.close()
    print(
        f"rest-client c8y measurements subscribe: {rate:,.0f} notifications/s ({rate / 1000:.2f}x the "
        f"target of 1,000/s; {count:,} measurements posted in collections of {batch}); at 1,000/s "
        f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms ({p99 / 100:.2f}x the target of 100 ms)",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--delay", default="20ms")
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument(
        "--only", choices=["realtime", "template"], default=None, help="run one comparison only"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-rest-client-") as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        tenant, info = start_tenant(root / "tenant")
        try:
            env = activated_session(info, root / "home")
            if options.only == "realtime":
                measure_realtime(env, info, options.notifications)
                return 0
            if options.only == "template":
                compare_template(env, options.runs)
                return 0
            script = root / "c8y_api_list.py"
            script.write_text(C8Y_API_LIST)
            ids = seed_devices(env, options.devices)
            compare_list(env, options.runs, script)
            compare_template(env, options.runs)
            compare_workers(env, ids, options.devices, options.delay)
            measure_realtime(env, info, options.notifications)
        finally:
            tenant.send_signal(signal.SIGTERM)
            tenant.wait(timeout=DEADLINE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
