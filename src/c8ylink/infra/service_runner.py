"""Running a long-lived service in the foreground: logs on stderr, SIGTERM/SIGINT stop it cleanly.

    run_service(lambda stop: service.run(stop), level="info")   # returns when the service returned

The service coroutine receives an ``asyncio.Event`` that is set on SIGTERM or SIGINT; it is expected to
finish its work (publish its "down" health, disconnect) and return. A supervisor (systemd,
supervisord) sees exit code 0 for a requested stop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable

LEVELS = {
    "error": logging.ERROR,
    "warn": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": logging.DEBUG,
}


class _UtcFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"


def configure_logging(level: str = "info") -> None:
    """One line per record on stderr: ``<UTC time> <LEVEL> <logger>: <message>``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_UtcFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(LEVELS.get(level.lower(), logging.INFO))


def run_service(service: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    asyncio.run(_main(service))


async def _main(service: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _stopper(stop, signum))
    await service(stop)


def _stopper(stop: asyncio.Event, signum: int) -> Callable[[], None]:
    def request_stop() -> None:
        logging.getLogger("c8ylink").info("Received %s: stopping", signal.Signals(signum).name)
        stop.set()

    return request_stop
