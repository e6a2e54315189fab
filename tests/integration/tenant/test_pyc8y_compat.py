"""Compatibility with ``pyc8y`` (PyPI), an asyncio SDK for the Cumulocity REST API.

It speaks aiohttp with Basic ``<tenant>/<user>``, sends no ``Accept`` unless it wants a body,
and pages with ``pageSize``/``currentPage`` until a short page.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiohttp
import pytest
from pyc8y import CumulocityClient
from pyc8y.auth import BasicAuth
from pyc8y.model import Alarm, Device, Event, ManagedObject, Measurement

from c8ylink.tenant.background import BackgroundTenant

from .conftest import unique

pytestmark = pytest.mark.integration
T = TypeVar("T")


def run_with_client(tenant: BackgroundTenant, scenario: Callable[[CumulocityClient], Awaitable[T]]) -> T:
    connectors: list[aiohttp.BaseConnector] = []

    async def connector() -> aiohttp.BaseConnector:
        # pyc8y trusts certifi's roots unless given a connector (which it does not own)
        connectors.append(
            aiohttp.TCPConnector(ssl=ssl.create_default_context(cafile=str(tenant.info.ca_file)))
        )
        return connectors[-1]

    async def main() -> T:
        auth = BasicAuth(username=f"{tenant.info.tenant}/admin", password=tenant.info.admin.password)
        client = CumulocityClient(
            tenant.info.https_url, tenant.info.tenant, auth, connector_factory=connector
        )
        try:
            async with client:
                return await scenario(client)
        finally:
            for opened in connectors:
                await opened.close()

    return asyncio.run(main())


def test_crud(tenant: BackgroundTenant) -> None:
    name = unique("pyc8y")

    async def scenario(c8y: CumulocityClient) -> dict[str, Any]:
        created = await ManagedObject(c8y, type="pyc8y_test", name=name, c8y_Custom={"a": 1}).create()
        fetched = await c8y.inventory.get(created.id)
        fetched["c8y_Custom"] = {"a": 2}
        await fetched.update()
        updated = await c8y.inventory.get(created.id)
        device = await Device(c8y, type="pyc8y_device", name=unique("pyc8y-device")).create()
        await created.assign_child_asset(device.id)
        reloaded = await c8y.inventory.get(created.id)
        now = datetime.now(UTC)
        await Measurement(
            c8y,
            type="c8y_Temperature",
            source=device.id,
            time=now,
            c8y_Temperature={"T": {"value": 3, "unit": "C"}},
        ).create()
        await Event(c8y, type="pyc8y_event", source=device.id, time=now, text="hello").create()
        await Alarm(
            c8y, type="pyc8y_alarm", source=device.id, time=now, text="hot", severity="MAJOR"
        ).create()
        outcome = {
            "name": fetched.name,
            "custom": updated["c8y_Custom"]["a"],
            "assets": [ref.id for ref in reloaded.child_assets],
            "device": device.id,
            "measurements": len(await c8y.measurements.get_all(source=device.id)),
            "events": [e.text for e in await c8y.events.get_all(source=device.id)],
            "alarms": await c8y.alarms.count(source=device.id),
        }
        await created.delete()
        outcome["deleted"] = [mo.id for mo in await c8y.inventory.get_all(name=name, limit=None)]
        return outcome

    outcome = run_with_client(tenant, scenario)
    assert outcome["name"] == name and outcome["custom"] == 2
    assert outcome["assets"] == [outcome["device"]]
    assert outcome["measurements"] == 1 and outcome["events"] == ["hello"] and outcome["alarms"] == 1
    assert outcome["deleted"] == []


def test_paging(tenant: BackgroundTenant) -> None:
    kind = unique("pyc8y_paged")

    async def scenario(c8y: CumulocityClient) -> tuple[list[str], list[str], int]:
        created = [
            (await ManagedObject(c8y, type=kind, name=f"{kind}-{index}").create()).id for index in range(7)
        ]
        # page size 3: three pages, the last a short one
        paged = [mo.id for mo in await c8y.inventory.get_all(type=kind, page_size=3, limit=None)]
        count = await c8y.inventory.get_count(type=kind)
        return created, paged, count

    created, paged, count = run_with_client(tenant, scenario)
    assert sorted(paged) == sorted(created) and len(paged) == 7 and count == 7
