"""`MapperService` in-process on a real mosquitto, for what a process test would wait minutes for: the
availability heartbeats (every c8y.availability.interval, at least a minute) run here every 0.2 s."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.service import MapperRuntime, MapperService

pytestmark = pytest.mark.integration


async def test_heartbeats_only_while_the_device_is_up(mosquitto: Any, probe: Callable[..., Any]) -> None:
    service = MapperService(
        MapperConfig(device_id="dev1"), MapperRuntime(mosquitto.options(), heartbeat_seconds=0.2)
    )
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(stop))
    await asyncio.wait_for(service.ready.wait(), 20)

    def watch_heartbeats() -> None:
        main, child = (
            "c8y/inventory/managedObjects/update/dev1",
            "c8y/inventory/managedObjects/update/dev1:device:c1",
        )
        with probe(mosquitto) as watch:
            watch.publish("te/device/main/service/tedge-agent/status/health", {"status": "up"}, retain=True)
            watch.expect(main, "{}")
            watch.publish("te/device/main/service/tedge-agent/status/health", {"status": "down"}, retain=True)
            watch.expect("c8y/s/us", "102,dev1:device:main:service:tedge-agent,service,tedge-agent,down")
            watch.seen.clear()
            watch.publish("te/device/c1//", {"@type": "child-device"}, retain=True)
            watch.publish("te/device/c1/service/tedge-agent/status/health", {"status": "up"}, retain=True)
            watch.expect(child, "{}")  # a heartbeat round after the main device went down
            watch.nothing_on(main)  # ... had none for it (it comes first in each round)

    await asyncio.to_thread(watch_heartbeats)
    stop.set()
    await asyncio.wait_for(task, 20)
