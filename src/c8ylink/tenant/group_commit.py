"""Group commit: the writes of one event-loop turn share one SQLite transaction.

A REST request that changed the tenant awaits ``GroupCommit.commit()``. The first write of a turn
schedules one ``TenantService.commit()`` for the end of the turn (``loop.call_soon``); every write made
until then joins it, and each request is answered after that transaction is written, so a 2xx still
means stored. When the disk refuses the transaction, every request of the group gets the 507 and the
changes stay pending for the next commit (``TenantService.commit``). The MQTT endpoint calls
``then()``: its messages of the turn join the same transaction without waiting for it, and their
PUBACKs are written once it is stored, so an acknowledged message survives a SIGKILL.

What one transaction costs barely depends on how many rows it holds, so under load the tenant writes
fewer, larger transactions instead of one per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from c8ylink.tenant.state.errors import TenantApiError

if TYPE_CHECKING:
    from c8ylink.tenant.service import TenantService


class GroupCommit:
    def __init__(self, service: TenantService) -> None:
        self._service = service
        self._waiters: list[asyncio.Future[None]] = []
        self._after: list[Callable[[], None]] = []
        self._scheduled = False

    def schedule(self) -> None:
        """Commit at the end of this event-loop turn (once, however often it is asked)."""
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def then(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once what changed so far has been through this turn's commit."""
        self._after.append(callback)
        self.schedule()

    async def commit(self) -> None:
        """Return once what changed so far is stored; ``TenantApiError`` 507 when it could not be."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self.schedule()
        await waiter

    def flush(self) -> None:
        """Commit now what is pending (the tenant stops); the disk's refusal is logged, not raised."""
        self._flush()

    def _flush(self) -> None:
        self._scheduled = False
        after, self._after = self._after, []
        try:
            self._commit()
        finally:
            for callback in after:
                callback()

    def _commit(self) -> None:
        waiters, self._waiters = self._waiters, []
        try:
            self._service.commit(required=bool(waiters))
        except TenantApiError as exc:  # the disk refused: each request of the group answers it
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(TenantApiError(exc.status, exc.error, str(exc)))
            return
        except Exception as exc:  # a bug: each request answers 500 rather than hang
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            if not waiters:
                raise
            return
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
