"""The local mosquitto: its version, and whether it listens (tedge.md §3.2, §3.4 step 10).

``mosquitto --help`` prints ``mosquitto version 2.0.11`` on its first line; version 2 changes what the
bridge file may say (``local_cleansession``). A mosquitto that cannot be run has no version: tedge then
assumes one older than 2.0.0, as upstream does.
"""

from __future__ import annotations

import errno
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from c8ylink.core.errors import C8yLinkError

VERSION_PREFIX = "mosquitto version "
UNDETECTED = "Failed to detect mosquitto version: assuming mosquitto version < 2.0.0"
LISTEN_TIMEOUT = 20.0
BRIDGE_QUEUE_FIXED = (2, 0, 15)


@dataclass(frozen=True, slots=True)
class MosquittoVersion:
    text: str  # e.g. "2.0.11"

    @property
    def at_least_2(self) -> bool:
        return self.text.startswith("2")

    @property
    def numbers(self) -> tuple[int, ...]:
        """``(2, 0, 11)`` for "2.0.11"; a part that is not a number ends it ("2.1rc1" -> ``(2,)``)."""
        found: list[int] = []
        for part in self.text.split("."):
            if not part.isdigit():
                break
            found.append(int(part))
        return tuple(found)

    @property
    def restores_bridge_queue(self) -> bool:
        """Whether a restarted broker keeps what a clean-session bridge had queued in its saved database
        (eclipse-mosquitto#2604, fixed in 2.0.15; 2.0.11 is Debian 12's)."""
        return self.numbers >= BRIDGE_QUEUE_FIXED


def parse_mosquitto_help(first_line: str) -> MosquittoVersion | None:
    """The version named by the first line of ``mosquitto --help`` (``None`` if it names none)."""
    if not first_line.startswith(VERSION_PREFIX):
        return None
    text = first_line[len(VERSION_PREFIX) :].strip()
    return MosquittoVersion(text) if text else None


def detect_mosquitto_version(executable: str | None) -> MosquittoVersion | None:
    """Run ``<executable> --help`` (``None``: not installed) and read its first line."""
    if executable is None:
        return None
    try:
        completed = subprocess.run(
            [executable, "--help"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = completed.stdout.splitlines()
    return parse_mosquitto_help(lines[0]) if lines else None


class PortTakenError(C8yLinkError):
    pass


def check_port_free(address: str, port: int) -> None:
    """``PortTakenError`` when something already listens on ``address:port`` (before mosquitto starts).

    Binding with SO_REUSEADDR succeeds over connections in TIME_WAIT and fails only when a listener
    holds the port; other bind failures (no permission for a low port, an address that is not local)
    are mosquitto's to report.
    """
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    host = address or "0.0.0.0"
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortTakenError(
                    f"Another program already listens on {host}:{port}, the port of the local MQTT broker "
                    "(mqtt.bind.port): stop it, or choose another port with "
                    "`tedge config set mqtt.bind.port <port>`"
                ) from None


def wait_until_listening(
    host: str,
    port: int,
    *,
    timeout: float = LISTEN_TIMEOUT,
    still_running: Callable[[], bool] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Return once ``host:port`` accepts a TCP connection; ``C8yLinkError`` after ``timeout`` s.

    Polls every 10 ms. ``still_running`` (asked about once a second once the first second is over)
    lets the wait end early when the broker has already stopped again.
    """
    start = clock()
    next_check = start + 1.0
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            pass
        now = clock()
        if now - start >= timeout:
            raise C8yLinkError(f"Timed out after {timeout:g}s waiting for mosquitto to be listening")
        if still_running is not None and now >= next_check:
            next_check = now + 1.0
            if not still_running():
                raise C8yLinkError(
                    "mosquitto stopped again right after it was started, without listening on "
                    f"{host}:{port}: check its log for the reason (a configuration error, or a port it "
                    "cannot use)"
                )
        time.sleep(0.01)
