"""Run a ``TenantServer`` on its own event loop in a background thread (for synchronous callers:
tests that drive blocking clients such as ``requests``, or tools embedding the tenant).

    with BackgroundTenant(TenantConfig.on_free_ports()) as tenant:
        tenant.info.https_url
        tenant.call(lambda: tenant.service.state.inventory.find("1"))   # runs on the tenant's loop
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from c8ylink.tenant.server import TenantConfig, TenantInfo, TenantServer
from c8ylink.tenant.service import TenantService

T = TypeVar("T")
START_TIMEOUT = 60.0


class BackgroundTenant:
    def __init__(self, config: TenantConfig, **server_options: Any) -> None:
        self.server = TenantServer(config, **server_options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, name="c8ylink-tenant", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            async with self.server:
                self._ready.set_result(None)
                await self._stop.wait()
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
            else:
                raise

    def __enter__(self) -> BackgroundTenant:
        self._thread.start()
        self._ready.result(timeout=START_TIMEOUT)
        return self

    @property
    def info(self) -> TenantInfo:
        return self.server.info

    @property
    def service(self) -> TenantService:
        return self.server.service

    def call(self, function: Callable[[], T]) -> T:
        """Run ``function`` on the tenant's loop (state is not thread-safe) and return its result."""
        assert self._loop is not None

        async def run() -> T:
            return function()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=START_TIMEOUT)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=START_TIMEOUT)
