"""The tenant's periodic sweep (a ``Listener`` without a socket): every ``TenantConfig.sweep_interval``
seconds it creates the bulk operations' operations that are due and deletes what the retention rules
say is too old (``tenant.state.housekeeping``), then commits, as a request would."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from c8ylink.tenant.state.housekeeping import sweep

if TYPE_CHECKING:
    from c8ylink.tenant.server import ListenerContext
    from c8ylink.tenant.service import TenantService

log = logging.getLogger(__name__)


class HousekeepingListener:
    name = "housekeeping"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    async def start(self, context: ListenerContext) -> dict[str, Any]:
        interval = context.config.sweep_interval
        if interval > 0:
            self._task = asyncio.create_task(self._run(context.service, interval), name="tenant-housekeeping")
        return {}

    async def _run(self, service: TenantService, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                sweep(service.state, service.state.now())
                service.commit()
            except Exception:  # a bad record must not stop the sweep for good
                log.exception("tenant housekeeping failed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
