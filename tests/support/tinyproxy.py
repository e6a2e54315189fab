"""A real HTTP proxy for tests: Debian's tinyproxy on a free loopback port, with Basic credentials
(``scripts/bootstrap.sh system`` installs it; tests skip when it is missing)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

PROXY_USER, PROXY_PASSWORD = "proxyuser", "pr0xy-s3cret"


class RunningProxy(NamedTuple):
    url: str  # with credentials
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def run_tinyproxy(
    folder: Path, *, log_level: str = "Critical", max_clients: int = 50
) -> Iterator[RunningProxy]:
    binary = shutil.which("tinyproxy") or (
        "/usr/bin/tinyproxy" if Path("/usr/bin/tinyproxy").exists() else None
    )
    if binary is None:
        pytest.skip("tinyproxy is not installed (scripts/bootstrap.sh system installs it)")
    port = free_port()
    user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""  # it will not run as root
    config = folder / "tinyproxy.conf"
    config.write_text(
        f"{user}Port {port}\nListen 127.0.0.1\nTimeout 30\nLogLevel {log_level}\nMaxClients {max_clients}\n"
        f"Allow 127.0.0.1\nBasicAuth {PROXY_USER} {PROXY_PASSWORD}\nDisableViaHeader Yes\n"
    )
    log = folder / "tinyproxy.log"
    with log.open("wb") as output:  # in the foreground it logs to its stderr
        process = subprocess.Popen([binary, "-d", "-c", str(config)], stdout=output, stderr=output)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(timeout=10)
                pytest.fail(f"tinyproxy did not start: {log.read_text()[-400:]}")
            time.sleep(0.05)  # polling the port it opens, bounded by the deadline
    try:
        yield RunningProxy(f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}", log)
    finally:
        process.terminate()
        process.wait(timeout=10)
