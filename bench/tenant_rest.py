"""Local tenant REST throughput, against a bare aiohttp app (same TLS certificate, machine and load).

1. GET one managed object over HTTPS keep-alive, 16 concurrent clients, vs the bare app's "hello". The
   load generator is a lean HTTP/1.1 keep-alive client on asyncio streams, so that it is not the
   bottleneck.
2. A mixed workload run by Cumulocity's own TypeScript client, ``@c8y/client`` under node
   (``bench/c8y_client_mixed.js``): create a measurement, list measurements, update an alarm, in
   loops of 8 concurrent clients. The bare app answers the same three requests with canned JSON, so
   the ratio is what the tenant's storage, validation and rendering cost over a minimal aiohttp
   handler. Skipped (one line saying so) when node or ``@c8y/client`` is missing
   (``scripts/bootstrap.sh node`` installs them).

Both servers run in their own process; the two are measured in alternating rounds and the medians are
reported, so that other load on a shared machine hits both alike.

    python bench/tenant_rest.py [--rounds 5] [--seconds 2] [--clients 16] [--js-clients 8]

Targets (docs/performance.md): >= 2,000 req/s and >= 0.5x the bare app (GET); >= 0.5x the bare app
(mixed). Exit 1 when a ratio misses its target.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import os
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve()
NODE_MODULES = HERE.parents[1] / "tests" / "clients" / "node" / "node_modules"
MIXED_SCRIPT = HERE.parent / "c8y_client_mixed.js"
DEADLINE = 60.0
RATIO_TARGET = 0.5


# -- the bare comparison app (runs in its own process: `tenant_rest.py --bare-app DIR`) ---------------
def serve_bare_app(data_dir: Path) -> None:
    from aiohttp import web

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    ids = itertools.count(1)
    canned_list = {"measurements": [{"id": str(n), "type": "c8y_Bench"} for n in range(5)], "statistics": {}}

    async def create(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({**body, "id": str(next(ids))}, status=201)

    async def listing(request: web.Request) -> web.Response:
        return web.json_response(canned_list)

    async def update(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({**body, "id": request.match_info["id"], "status": "ACTIVE"})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/hello", hello)
        app.router.add_post("/measurement/measurements", create)
        app.router.add_get("/measurement/measurements", listing)
        app.router.add_put("/alarm/alarms/{id}", update)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(data_dir / "tls" / "server.pem", data_dir / "tls" / "server-key.pem")
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # a benchmark shortcut
        print(port, flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await runner.cleanup()

    asyncio.run(main())


# -- load generation ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    url: str
    path: str
    headers: dict[str, str]

    def request(self) -> tuple[str, int, bytes]:
        host, port = self.url.removeprefix("https://").rsplit(":", 1)
        lines = [f"GET {self.path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
        lines += ["Accept: application/json", *(f"{name}: {value}" for name, value in self.headers.items())]
        return host, int(port), ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass(frozen=True)
class Load:
    context: ssl.SSLContext
    clients: int
    seconds: float


async def _client(target: Target, load: Load, stop_at: float, latencies: list[float]) -> None:
    host, port, request = target.request()
    reader, writer = await asyncio.open_connection(host, port, ssl=load.context, server_hostname="localhost")
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if head[9:12] != b"200":
                raise RuntimeError(f"unexpected status {head[9:12].decode()}")
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def _measure(target: Target, load: Load) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of ``load.clients`` keep-alive clients."""
    latencies: list[float] = []
    started = time.perf_counter()
    stop_at = started + load.seconds
    await asyncio.gather(*(_client(target, load, stop_at, latencies) for _ in range(load.clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return len(latencies) / elapsed, latencies[int(len(latencies) * 0.99)] * 1000


# -- orchestration ----------------------------------------------------------------------------------------
def _wait_for_file(path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the tenant did not start")
        time.sleep(0.05)


def _create(info: dict[str, object], context: ssl.SSLContext, auth: str, path: str, body: object) -> str:
    import urllib.request

    request = urllib.request.Request(
        f"{info['https_url']}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": auth, "Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, context=context) as response:
        return str(json.loads(response.read())["id"])


def _create_object(info: dict[str, object], context: ssl.SSLContext, auth: str) -> str:
    body = {"name": "bench device", "c8y_IsDevice": {}, "c8y_Hardware": {"model": "bench"}}
    return _create(info, context, auth, "/inventory/managedObjects", body)


# -- the mixed workload of @c8y/client --------------------------------------------------------------------
@dataclass(frozen=True)
class JsTarget:
    url: str
    source: str
    alarm: str


def _node() -> str | None:
    node = shutil.which("node")
    return node if node and (NODE_MODULES / "@c8y" / "client").is_dir() else None


def _run_js(
    node: str, target: JsTarget, info: dict[str, object], clients: int, seconds: float
) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of the @c8y/client mixed loop against ``target``."""
    admin = info["admin"]
    assert isinstance(admin, dict)
    env = {
        **os.environ, "NODE_PATH": str(NODE_MODULES), "NODE_EXTRA_CA_CERTS": str(info["ca_file"]),
        "C8Y_BASEURL": target.url, "C8Y_TENANT": str(info["tenant"]), "C8Y_USER": admin["username"],
        "C8Y_PASSWORD": admin["password"], "BENCH_SOURCE": target.source, "BENCH_ALARM": target.alarm,
        "BENCH_SECONDS": str(seconds), "BENCH_CLIENTS": str(clients),
    }  # fmt: skip
    done = subprocess.run(
        [node, str(MIXED_SCRIPT)], env=env, capture_output=True, timeout=DEADLINE, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"@c8y/client bench failed: {done.stderr.decode(errors='replace')[-500:]}")
    result = json.loads(done.stdout)
    if result["errors"]:
        raise RuntimeError(f"@c8y/client bench: {result['errors']} of {result['requests']} requests failed")
    return result["requests"] / result["seconds"], result["p99_ms"]


def _js_rounds(
    node: str,
    targets: dict[str, JsTarget],
    info: dict[str, object],
    clients: int,
    options: argparse.Namespace,
) -> dict[str, list[tuple[float, float]]]:
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
    for target in targets.values():
        _run_js(node, target, info, clients, 1.0)
    names = list(targets)
    for round_number in range(options.rounds):
        for name in names if round_number % 2 == 0 else reversed(names):
            results[name].append(_run_js(node, targets[name], info, clients, options.seconds))
    return results


def _summary(
    results: dict[str, list[tuple[float, float]]],
) -> tuple[tuple[float, float], tuple[float, float], float]:
    ours = (
        statistics.median(r for r, _ in results["ours"]),
        statistics.median(p for _, p in results["ours"]),
    )
    theirs = (
        statistics.median(r for r, _ in results["bare"]),
        statistics.median(p for _, p in results["bare"]),
    )
    ratio = statistics.median(o[0] / b[0] for o, b in zip(results["ours"], results["bare"], strict=True))
    return ours, theirs, ratio


def _rounds(targets: dict[str, Target], load: Load, rounds: int) -> dict[str, list[tuple[float, float]]]:
    """Alternate the targets round by round (after a warm-up of each)."""
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
    for target in targets.values():
        asyncio.run(_measure(target, Load(load.context, load.clients, 1.0)))
    names = list(targets)
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else reversed(names):
            results[name].append(asyncio.run(_measure(targets[name], load)))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--js-clients", type=int, default=8, help="concurrent @c8y/client loops (mixed)")
    parser.add_argument("--bare-app", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.bare_app:
        serve_bare_app(options.bare_app)
        return 0
    node = _node()
    mixed: dict[str, list[tuple[float, float]]] | None = None
    with tempfile.TemporaryDirectory(prefix="bench-tenant-") as tmp:
        data_dir = Path(tmp)
        tenant = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from c8ylink.cli.root import main; main()",
                "tenant",
                "serve",
                "--data-dir",
                str(data_dir),
                "--https-port",
                "0",
                "--mtls-port",
                "0",
                "--mqtt-tls-port",
                "0",
                "--mqtt-port",
                "0",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        bare = None
        try:
            _wait_for_file(data_dir / "tenant.json", tenant)
            info = json.loads((data_dir / "tenant.json").read_text())
            context = ssl.create_default_context(cafile=info["ca_file"])
            credentials = f"{info['tenant']}/{info['admin']['username']}:{info['admin']['password']}"
            auth = "Basic " + base64.b64encode(credentials.encode()).decode()
            object_id = _create_object(info, context, auth)
            bare = subprocess.Popen(
                [sys.executable, str(HERE), "--bare-app", str(data_dir)], stdout=subprocess.PIPE
            )
            assert bare.stdout is not None
            bare_url = f"https://127.0.0.1:{int(bare.stdout.readline())}"
            targets = {
                "ours": Target(
                    info["https_url"], f"/inventory/managedObjects/{object_id}", {"Authorization": auth}
                ),
                "bare": Target(bare_url, "/hello", {}),
            }
            results = _rounds(targets, Load(context, options.clients, options.seconds), options.rounds)
            if node is not None:
                alarm = {"source": {"id": object_id}, "type": "c8y_BenchAlarm", "text": "bench",
                         "severity": "MAJOR", "time": "2026-01-01T00:00:00.000Z"}  # fmt: skip
                alarm_id = _create(info, context, auth, "/alarm/alarms", alarm)
                js_targets = {"ours": JsTarget(info["https_url"], object_id, alarm_id),
                              "bare": JsTarget(bare_url, "1", "1")}  # fmt: skip
                mixed = _js_rounds(node, js_targets, info, options.js_clients, options)
        finally:
            for process in (tenant, bare):
                if process is not None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(timeout=DEADLINE)
                    if process.stdout is not None:
                        process.stdout.close()
    ours, theirs, ratio = _summary(results)
    print(
        f"tenant-rest: {ours[0]:,.0f} req/s (p99 {ours[1]:.1f} ms) vs bare aiohttp hello "
        f"{theirs[0]:,.0f} req/s (p99 {theirs[1]:.1f} ms): {ratio:.2f}x bare "
        f"[GET managed object, HTTPS keep-alive, {options.clients} clients, "
        f"median of {options.rounds} alternating {options.seconds:g} s rounds, {os.cpu_count()} cores]"
    )
    ok = ratio >= RATIO_TARGET
    if mixed is None:
        print("tenant-rest-mixed: skipped (node or @c8y/client missing: scripts/bootstrap.sh node)")
        return 0 if ok else 1
    ours, theirs, mixed_ratio = _summary(mixed)
    print(
        f"tenant-rest-mixed: {ours[0]:,.0f} req/s (p99 {ours[1]:.1f} ms) vs bare aiohttp "
        f"{theirs[0]:,.0f} req/s (p99 {theirs[1]:.1f} ms): {mixed_ratio:.2f}x bare (target >= "
        f"{RATIO_TARGET}x) [@c8y/client under node: create measurement, list measurements, update alarm; "
        f"{options.js_clients} clients, median of "
        f"{options.rounds} alternating {options.seconds:g} s rounds, {os.cpu_count()} cores]"
    )
    return 0 if ok and mixed_ratio >= RATIO_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
