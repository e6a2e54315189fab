"""A device install's footprint: the size on disk of a venv with the base dependencies only (what `pipx
install c8ylink` and the .deb carry) and ``tedge-mapper c8y``'s idle RSS, side by side with a full
install (every extra: operator, tenant, services). One run, one wheel built from this repository::

    install: device 30.1 MB on disk vs 55.0 MB full = 0.55x (target <= 0.6x); tedge-mapper idle RSS ...

Sizes are the disk usage of each venv without pip and setuptools (a device needs neither at run time;
scripts/build-deb.sh removes them too). The mapper runs against its own mosquitto on a free loopback
port; its RSS is read 2 s after it published its retained health ``up``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.6
EXTRAS = "operator,tenant,services"
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MB = 1024 * 1024


def quiet(*argv: str) -> None:
    completed = subprocess.run(list(argv), capture_output=True, text=True, check=False, timeout=900)
    if completed.returncode != 0:
        raise SystemExit(f"install: {' '.join(argv)} failed: {completed.stderr.strip()[-2000:]}")


def build_venv(directory: Path, requirement: str) -> Path:
    quiet(sys.executable, "-m", "venv", str(directory))
    python = str(directory / "bin" / "python")
    quiet(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement)
    quiet(python, "-m", "pip", "uninstall", "--quiet", "--yes", "pip", "setuptools")
    return directory


def disk_usage(directory: Path) -> int:
    """Bytes allocated to the files below ``directory`` (symbolic links not followed)."""
    total = 0
    for path in [directory, *directory.rglob("*")]:
        total += path.lstat().st_blocks * 512
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def idle_mapper_rss(venv: Path, work: Path) -> int:
    port = free_port()
    user = "user root\n" if os.geteuid() == 0 else ""
    (work / "mosquitto.conf").write_text(f"{user}listener {port} 127.0.0.1\nallow_anonymous true\n")
    broker = subprocess.Popen([MOSQUITTO, "-c", str(work / "mosquitto.conf")], stderr=subprocess.DEVNULL)
    config = work / "tedge"
    (config / "run").mkdir(parents=True)
    (config / "tedge.toml").write_text(
        f'[device]\nid = "bench-device"\n[c8y]\nurl = "127.0.0.1"\n[c8y.proxy.bind]\nport = {free_port()}\n'
        f"[c8y.availability]\nenable = false\n[mqtt.client]\nport = {port}\n"
    )
    mapper = None
    try:
        wait_listening(port)
        mapper = subprocess.Popen(
            [str(venv / "bin/tedge-mapper"), "--config-dir", str(config), "--log-level", "warn", "c8y"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_health_up(port)
        time.sleep(2)  # idle: the start-up work is done
        if mapper.poll() is not None:
            raise SystemExit("install: tedge-mapper exited")
        return rss_bytes(mapper.pid)
    finally:
        for process in (mapper, broker):
            if process is not None:
                process.terminate()
                process.wait(20)


def wait_listening(port: int) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("install: mosquitto did not start") from None
            time.sleep(0.05)


def wait_health_up(port: int) -> None:
    topic = "te/device/main/service/tedge-mapper-c8y/status/health"
    for _ in range(30):
        answer = subprocess.run(
            ["mosquitto_sub", "-p", str(port), "-t", topic, "-C", "1", "-W", "5"],
            capture_output=True,
            text=True,
            check=False,
        )
        if '"up"' in answer.stdout:
            return
    raise SystemExit("install: tedge-mapper did not report its health")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-install-") as name:
        work = Path(name)
        quiet(
            sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"), str(ROOT)
        )
        (wheel,) = (work / "dist").glob("c8ylink-*.whl")
        device = build_venv(work / "device", str(wheel))
        full = build_venv(work / "full", f"c8ylink[{EXTRAS}] @ {wheel.as_uri()}")
        sizes = disk_usage(device), disk_usage(full)
        (work / "rss-device").mkdir()
        (work / "rss-full").mkdir()
        rss = idle_mapper_rss(device, work / "rss-device"), idle_mapper_rss(full, work / "rss-full")
    ratio = sizes[0] / sizes[1]
    print(
        f"install: device {sizes[0] / MB:.1f} MB on disk vs {sizes[1] / MB:.1f} MB full = {ratio:.2f}x "
        f"(target <= {TARGET}x); tedge-mapper idle RSS {rss[0] / MB:.1f} MB vs {rss[1] / MB:.1f} MB "
        f"({rss[0] / rss[1]:.2f}x) [venvs without pip/setuptools; full = [{EXTRAS}]]"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
