"""When a long-running service tries its broker again.

Failed attempts wait 1 s, 2 s, 4 s ... up to a maximum. A connection that is lost soon after it was
made counts as a failed attempt too: a broker that accepts and then drops the client (another client
took the same client id, a refused subscription) must not turn the service into a busy loop that
floods the log and the cloud with start-up messages. Only a connection that stayed up ``stable``
seconds starts the delays afresh and is retried at once. The three figures are a ``ReconnectPolicy``
(tedge's ``mqtt.client.reconnect_policy.*``). ``Backoff`` is pure (the caller passes the monotonic
time); ``reconnect_after`` logs and waits as it says; ``keep_connected`` is the whole loop a service
runs (connect, serve, reconnect) until it is told to stop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from c8ylink.core.errors import BrokerError, C8yLinkError


class Connectable(Protocol):
    async def connect(self) -> object: ...


S = TypeVar("S", bound=Connectable)


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """Seconds: the first wait, the longest wait, and how long a connection must last to start afresh."""

    initial: float = 1.0
    maximum: float = 30.0
    stable: float = 10.0


class Backoff:
    __slots__ = ("_delay", "_since", "initial", "maximum", "stable")

    def __init__(self, initial: float = 1.0, maximum: float = 30.0, *, stable: float = 10.0) -> None:
        self.initial, self.maximum, self.stable = initial, maximum, stable
        self._delay = initial
        self._since: float | None = None

    @classmethod
    def of(cls, policy: ReconnectPolicy) -> Backoff:
        return cls(policy.initial, policy.maximum, stable=policy.stable)

    def failed(self) -> float:
        """A connection attempt failed: the seconds to wait before the next one."""
        delay = self._delay
        self._delay = min(self._delay * 2, self.maximum)
        return delay

    def connected(self, now: float) -> None:
        self._since = now

    def lost(self, now: float) -> float:
        """The connection made at ``connected`` is gone: 0 to reconnect at once, else the seconds to wait."""
        since, self._since = self._since, None
        if since is not None and now - since >= self.stable:
            self._delay = self.initial
            return 0.0
        return self.failed()


async def reconnect_after(
    lost: Exception, backoff: Backoff, now: float, stop: asyncio.Event, *, client_id: str, log: logging.Logger
) -> bool:
    """Log the lost connection and wait as ``backoff`` says; True if ``stop`` was set meanwhile."""
    delay = backoff.lost(now)
    if not delay:
        log.warning("%s; reconnecting", lost)
        return stop.is_set()
    log.warning(
        "%s soon after connecting (is another client connected with the client id %s?); reconnecting in %g s",
        lost, client_id, delay,
    )  # fmt: skip
    return await wait_or_stop(stop, delay)


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` or until ``stop`` is set; True if it was set."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def keep_connected(
    new_session: Callable[[], S],
    serve: Callable[[S], Awaitable[None]],
    ended: Callable[[S], None],
    stop: asyncio.Event,
    *,
    client_id: str,
    log: logging.Logger,
    policy: ReconnectPolicy | None = None,
) -> None:
    """Connect a ``new_session()`` and ``serve`` it until the broker goes (``BrokerError``), then again,
    waiting as ``policy`` says, until ``stop`` is set. ``ended(session)`` follows every attempt, whether
    the connection failed or was served and lost. Errors other than the connection's propagate."""
    backoff = Backoff.of(policy or ReconnectPolicy())
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        session = new_session()
        try:
            await session.connect()
        except C8yLinkError as exc:
            ended(session)
            delay = backoff.failed()
            log.warning("%s; retrying in %g s", exc, delay)
            if await wait_or_stop(stop, delay):
                return
            continue
        backoff.connected(loop.time())
        lost: BrokerError | None = None
        try:
            await serve(session)
        except BrokerError as exc:
            lost = exc
        ended(session)
        if lost is not None and await reconnect_after(
            lost, backoff, loop.time(), stop, client_id=client_id, log=log
        ):
            return
