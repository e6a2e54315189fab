"""Configuration snapshot and update of a 10 MB file through the whole chain, against curl.

A device connected to a local tenant (bench/connect.py's ``Bench``: tenant process, onboarding,
mosquitto with the bridge, tedge-mapper c8y and tedge-agent under supervisord), with a configuration
type ``bench`` (a 10 MB file) declared in ``tedge-configuration-plugin.toml``:

1. snapshot: ``c8y_UploadConfigFile`` created over REST until SUCCESSFUL (agent -> file transfer
   service -> mapper -> proxy -> tenant event binary), side by side with ``curl`` POSTing the same file
   to an event's ``/binaries`` on the tenant;
2. update: the file as an inventory binary, ``c8y_DownloadConfigFile`` until SUCCESSFUL (tenant ->
   proxy -> mapper -> file transfer service -> agent writes the file), side by side with ``curl``
   downloading the same binary.

Each the median of ``--rounds``; the peak RSS of tedge-agent and tedge-mapper (``/proc/<pid>/status``
sampled every 10 ms) during the operations.

    python bench/agent.py [--rounds 3] [--size-mb 10]

Targets (issue 19): <= 2x curl's time; agent RSS <= 50 MB during the transfer.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from connect import Bench, wait_for  # bench/connect.py

TIME_RATIO_TARGET, RSS_TARGET_MB = 2.0, 50.0


class Rss(threading.Thread):
    """The peak RSS (MB) of some processes while running."""

    def __init__(self, pids: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = dict.fromkeys(pids, 0.0)
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss_mb(pid))
            time.sleep(0.01)

    def __enter__(self) -> Rss:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self.join()


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Chain:
    def __init__(self, base: Path, size: int) -> None:
        self.bench = Bench(base)
        self.base = base
        self.size = size

    def start(self) -> None:
        import ssl

        import httpx2

        tenant = self.bench.start_tenant()
        self.tenant = tenant
        self.bench.onboard(tenant)
        self.bench.run("config", "set", "data.path", str(self.base / "data"))
        self.file = self.base / "bench.conf"
        self.file.write_bytes(os.urandom(self.size))
        plugins = self.bench.config_dir / "plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        (plugins / "tedge-configuration-plugin.toml").write_text(
            f'files = [{{ path = "{self.file}", type = "bench" }}]\n'
        )
        self.bench.start_services()
        self.bench.run("connect", "c8y")
        admin = tenant["admin"]
        assert isinstance(admin, dict)
        self.auth = (f"{tenant['tenant']}/{admin['username']}", str(admin["password"]))
        self.api = httpx2.Client(
            base_url=str(tenant["https_url"]), timeout=120, auth=self.auth,
            verify=ssl.create_default_context(cafile=str(tenant["ca_file"])),
        )  # fmt: skip
        device_id = self.bench.run("config", "get", "device.id").stdout.strip()
        wait_for(
            lambda: self.api.get(f"/identity/externalIds/c8y_Serial/{device_id}").status_code == 200, "device"
        )
        self.mo = str(
            self.api.get(f"/identity/externalIds/c8y_Serial/{device_id}").json()["managedObject"]["id"]
        )

        def announced() -> bool:
            managed = self.api.get(f"/inventory/managedObjects/{self.mo}").json()
            return "bench" in managed.get("c8y_SupportedConfigurations", [])

        wait_for(announced, "the bench configuration type to be announced")

    def pids(self) -> dict[str, int]:
        def pid(program: str) -> int:
            answer = subprocess.run(
                [*self.bench.ctl, "pid", program], capture_output=True, text=True, check=False
            )
            return int(answer.stdout.strip() or 0)

        return {"tedge-agent": pid("tedge-agent"), "tedge-mapper-c8y": pid("tedge-mapper-c8y")}

    def operation(self, fragment: dict[str, Any]) -> float:
        start = time.perf_counter()
        created = self.api.post("/devicecontrol/operations", json={"deviceId": self.mo, **fragment}).json()
        while True:
            operation = self.api.get(f"/devicecontrol/operations/{created['id']}").json()
            if operation["status"] == "SUCCESSFUL":
                return time.perf_counter() - start
            if operation["status"] == "FAILED":
                raise SystemExit(f"agent-bench: {fragment} failed: {operation.get('failureReason')}")
            time.sleep(0.01)

    def curl(self, *args: str) -> float:
        command = ["curl", "-sS", "-f", "-o", "/dev/null", "--cacert", str(self.tenant["ca_file"]),
                   "-u", f"{self.auth[0]}:{self.auth[1]}", *args]  # fmt: skip
        start = time.perf_counter()
        subprocess.run(command, check=True)
        return time.perf_counter() - start

    def curl_upload(self) -> float:
        document = {
            "source": {"id": self.mo},
            "type": "curl_bench",
            "text": "b",
            "time": "2026-01-01T00:00:00Z",
        }
        event = self.api.post("/event/events", json=document).json()
        url = f"{self.tenant['https_url']}/event/events/{event['id']}/binaries"
        return self.curl(
            "-X", "POST", "-H", "Content-Type: text/plain", "--data-binary", f"@{self.file}", url
        )

    def new_binary(self) -> str:
        content = os.urandom(self.size)
        answer = self.api.post("/inventory/binaries", files={
            "object": (None, json.dumps({"name": "bench.conf", "type": "text/plain"})),
            "file": ("bench.conf", content, "text/plain")})  # fmt: skip
        return str(answer.json()["self"])

    def close(self) -> None:
        self.bench.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size-mb", type=float, default=10.0)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="agent-bench-"))
    base.chmod(0o755)
    chain = Chain(base, int(args.size_mb * 1024 * 1024))
    times: dict[str, list[float]] = {"snapshot": [], "curl upload": [], "update": [], "curl download": []}
    try:
        chain.start()
        pids = chain.pids()
        with Rss(pids) as rss:
            for _ in range(args.rounds):
                times["snapshot"].append(chain.operation({"c8y_UploadConfigFile": {"type": "bench"}}))
                times["curl upload"].append(chain.curl_upload())
                url = chain.new_binary()
                times["update"].append(
                    chain.operation({"c8y_DownloadConfigFile": {"type": "bench", "url": url}})
                )
                times["curl download"].append(chain.curl(url))
        idle = {name: rss_mb(pid) for name, pid in pids.items()}
    finally:
        chain.close()
        shutil.rmtree(base, ignore_errors=True)
    median = {name: statistics.median(values) for name, values in times.items()}
    snapshot_ratio = median["snapshot"] / median["curl upload"]
    update_ratio = median["update"] / median["curl download"]
    agent_peak = rss.peak["tedge-agent"]
    print(
        f"agent: {args.size_mb:g} MB config snapshot {median['snapshot']:.2f} s vs curl upload "
        f"{median['curl upload']:.2f} s ({snapshot_ratio:.2f}x), config update {median['update']:.2f} s "
        f"vs curl download {median['curl download']:.2f} s ({update_ratio:.2f}x); "
        f"peak RSS tedge-agent {agent_peak:.1f} MB, "
        f"tedge-mapper-c8y {rss.peak['tedge-mapper-c8y']:.1f} MB (after: {idle['tedge-agent']:.1f} / "
        f"{idle['tedge-mapper-c8y']:.1f} MB) [median of {args.rounds}, local tenant, whole chain, "
        f"targets <= {TIME_RATIO_TARGET}x curl, agent <= {RSS_TARGET_MB} MB]"
    )
    ok = max(snapshot_ratio, update_ratio) <= TIME_RATIO_TARGET and agent_peak <= RSS_TARGET_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
