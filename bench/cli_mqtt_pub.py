"""`tedge mqtt pub -q 1` against a local mosquitto, next to mosquitto's own `mosquitto_pub -q 1` and
`python -c pass`, side by side in one run (interleaved, fresh processes, median of ROUNDS)::

    cli-mqtt-pub: tedge mqtt pub -q 1 9.8x python -c pass, 8.1x mosquitto_pub (median of 20: 110.2 ms
    vs 11.2 ms vs 13.6 ms)

The command connects, publishes at QoS 1, waits for the PUBACK and disconnects: the whole of it is what
a script calling `tedge mqtt pub` waits for. No target; it shows what the one MQTT client (the asyncio
session behind a synchronous face) costs a CLI.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROUNDS = 20
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PUB = shutil.which("mosquitto_pub")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_mosquitto(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    user = "user root\n" if os.geteuid() == 0 else ""
    config = directory / "mosquitto.conf"
    config.write_text(f"{user}listener {port} 127.0.0.1\nallow_anonymous true\n")
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
                raise SystemExit("cli-mqtt-pub: mosquitto did not start") from None
            time.sleep(0.05)


def _run(argv: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"cli-mqtt-pub: {' '.join(argv)} failed: {completed.stderr.decode().strip()}")
    return elapsed


def main() -> int:
    if MOSQUITTO_PUB is None or not Path(MOSQUITTO).exists():
        print("cli-mqtt-pub: skipped (mosquitto and mosquitto_pub are needed)")
        return 0
    tedge = Path(sys.executable).parent / "tedge"
    with tempfile.TemporaryDirectory(prefix="cli-mqtt-pub-") as tmp:
        broker, port = _start_mosquitto(Path(tmp))
        try:
            (Path(tmp) / "tedge.toml").write_text(f"[mqtt.client]\nport = {port}\n")
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env.update(TEDGE_CONFIG_DIR=tmp, HOME=tmp, NO_COLOR="1")
            commands = {
                "python": [sys.executable, "-c", "pass"],
                "mosquitto_pub": [MOSQUITTO_PUB, "-p", str(port), "-t", "bench/t", "-m", "x", "-q", "1"],
                "tedge": [str(tedge), "mqtt", "pub", "bench/t", "x", "-q", "1"],
            }
            timings: dict[str, list[float]] = {label: [] for label in commands}
            for argv in commands.values():
                _run(argv, env)  # warm-up: byte code and file cache
            for _ in range(ROUNDS):
                for label, argv in commands.items():
                    timings[label].append(_run(argv, env))
        finally:
            broker.terminate()
            broker.wait(10)
    python, mosquitto_pub, ours = (statistics.median(timings[label]) for label in commands)
    print(
        f"cli-mqtt-pub: tedge mqtt pub -q 1 {ours / python:.1f}x python -c pass, "
        f"{ours / mosquitto_pub:.1f}x mosquitto_pub (median of {ROUNDS}: {ours * 1000:.1f} ms vs "
        f"{python * 1000:.1f} ms vs {mosquitto_pub * 1000:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
