"""`tedge connect c8y` and `tedge connect c8y --test` against the local tenant: wall time, per step.

Sets up what a device has (a certificate from `tedge cert download c8y`, mosquitto, tedge-mapper and
tedge-agent under supervisord driven through system.toml) next to a local tenant running as its own
process, then ROUNDS times: `tedge disconnect c8y` (not timed), `tedge connect c8y`, `tedge connect c8y
--test`. Each stderr line is time-stamped as it arrives, so a step's time is the time from the line
before it to its own ``✓`` line. Prints the medians per step on stderr and one result line::

    connect: tedge connect c8y 1.02 s (0.68x the 1.5 s target), --test 0.31 s (0.62x the 0.5 s target) [...]

Targets (issue 6): connect <= 1.5 s, --test <= 0.5 s when everything is healthy.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx2

ROUNDS = 5
CONNECT_TARGET, TEST_TARGET = 1.5, 0.5
BIN = Path(sys.executable).parent
TEDGE = str(BIN / "tedge")
DEADLINE = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"connect-bench: timed out waiting for {what}")
        time.sleep(0.02)


class Bench:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.config_dir = base / "etc-tedge"
        self.env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
                    "TEDGE_CONFIG_DIR": str(self.config_dir)}  # fmt: skip
        self.processes: list[subprocess.Popen[bytes]] = []

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([TEDGE, *args], env=self.env, capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise SystemExit(f"connect-bench: tedge {' '.join(args)} failed:\n{result.stderr}")
        return result

    def start_tenant(self) -> dict[str, object]:
        data = self.base / "tenant"
        process = subprocess.Popen(
            [str(BIN / "c8ylink"), "tenant", "serve", "--data-dir", str(data), "--https-port", "0",
             "--mtls-port", "0", "--mqtt-tls-port", "0", "--mqtt-port", "0", "--domain", "127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.processes.append(process)
        wait_for((data / "tenant.json").exists, "the tenant")
        return dict(json.loads((data / "tenant.json").read_text()))

    def onboard(self, tenant: dict[str, object]) -> None:
        ca = self.base / "tenant-ca.pem"
        shutil.copy(str(tenant["ca_file"]), ca)
        ca.chmod(0o644)
        for key, value in {
            "c8y.url": "127.0.0.1",
            "c8y.http": str(tenant["https_url"]).removeprefix("https://"),
            "c8y.mtls": str(tenant["mtls_url"]).removeprefix("https://"),
            "c8y.mqtt": str(tenant["mqtt_tls"]),
            "c8y.root_cert_path": str(ca),
            "mqtt.bind.port": str(free_port()),
            "c8y.proxy.bind.port": str(free_port()),
            "http.bind.port": str(free_port()),
            "data.path": str(self.base / "data"),
            "logs.path": str(self.base / "logs"),
        }.items():
            self.run("config", "set", key, value)
        admin = tenant["admin"]
        assert isinstance(admin, dict)
        device_id, otp = f"bench-{os.getpid()}", "bench-one-time-password"
        csv = "ID\tAUTH_TYPE\tENROLLMENT_OTP\tNAME\tcom_cumulocity_model_Agent.active\n"
        csv += f"{device_id}\tCERTIFICATES\t{otp}\t{device_id}\ttrue\n"
        with httpx2.Client(
            base_url=str(tenant["https_url"]),
            verify=ssl.create_default_context(cafile=str(tenant["ca_file"])),
            auth=(f"{tenant['tenant']}/{admin['username']}", str(admin["password"])),
        ) as api:
            answer = api.post("/devicecontrol/bulkNewDeviceRequests", files={"file": ("d.csv", csv.encode())})
            if answer.status_code != 201:
                raise SystemExit(f"connect-bench: registration failed: {answer.text}")
        self.run("cert", "download", "c8y", "--device-id", device_id, "--one-time-password", otp)

    def start_services(self) -> None:
        services = self.base / "services"
        subprocess.run(
            [str(BIN / "c8ylink"), "services", "supervisord", "--dir", str(services),
             "--config-dir", str(self.config_dir)],
            env=self.env, check=True, capture_output=True,
        )  # fmt: skip
        with (self.config_dir / "system.toml").open("a") as system_toml:
            system_toml.write(f'\n[system]\nreboot = ["{shutil.which("true")}"]\n')
        conf = str(services / "supervisord.conf")
        supervisord = [str(BIN / "supervisord"), "-n", "-c", conf]
        self.processes.append(
            subprocess.Popen(supervisord, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
        ctl = [str(BIN / "supervisorctl"), "-c", conf]

        def answers() -> bool:
            return subprocess.run([*ctl, "version"], capture_output=True, check=False).returncode == 0

        wait_for(answers, "supervisord")
        self.ctl = ctl

    def timed(self, *args: str) -> tuple[float, dict[str, float]]:
        """Wall time of `tedge <args>` and the time of each ``✓`` step (from the line before it)."""
        start = time.perf_counter()
        process = subprocess.Popen([TEDGE, *args], env=self.env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
        assert process.stderr is not None
        steps: dict[str, float] = {}
        previous = start
        lines: list[str] = []
        for line in process.stderr:
            now = time.perf_counter()
            lines.append(line)
            if line.startswith("\tproxy"):
                steps["start-up, configuration, summary"] = now - start
            elif line.rstrip().endswith("... ✓"):
                steps[line.rstrip().removesuffix("... ✓")] = now - previous
            previous = now
        process.wait()
        elapsed = time.perf_counter() - start
        if process.returncode != 0:
            raise SystemExit(f"connect-bench: tedge {' '.join(args)} failed:\n{''.join(lines)}")
        return elapsed, steps

    def close(self) -> None:
        if hasattr(self, "ctl"):
            subprocess.run([*self.ctl, "shutdown"], capture_output=True, check=False)
        for process in reversed(self.processes):
            process.terminate()
            process.wait(timeout=DEADLINE)


def main() -> int:
    base = Path(tempfile.mkdtemp(prefix="connect-bench-"))
    base.chmod(0o755)  # mosquitto, running as its own user, reads the certificate and the CA from here
    bench = Bench(base)
    try:
        bench.onboard(bench.start_tenant())
        bench.start_services()
        connect_times, test_times = [], []
        step_times: dict[str, list[float]] = defaultdict(list)
        bench.run("connect", "c8y")  # warm-up (byte code, the tenant's device and sessions)
        for _ in range(ROUNDS):
            bench.run("disconnect", "c8y")
            elapsed, steps = bench.timed("connect", "c8y")
            connect_times.append(elapsed)
            for name, seconds in steps.items():
                step_times[name].append(seconds)
            test_times.append(bench.timed("connect", "c8y", "--test")[0])
    finally:
        bench.close()
        shutil.rmtree(base, ignore_errors=True)
    for name, values in step_times.items():
        print(f"  {name}: {statistics.median(values) * 1000:.0f} ms", file=sys.stderr)
    connect, test = statistics.median(connect_times), statistics.median(test_times)
    print(
        f"connect: tedge connect c8y {connect:.2f} s ({connect / CONNECT_TARGET:.2f}x the {CONNECT_TARGET} s "
        f"target), --test {test:.2f} s ({test / TEST_TARGET:.2f}x the {TEST_TARGET} s target) [median of "
        f"{ROUNDS}, local tenant, mosquitto under supervisord, mapper and agent enabled]"
    )
    return 0 if connect <= CONNECT_TARGET and test <= TEST_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
