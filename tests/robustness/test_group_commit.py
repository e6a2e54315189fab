"""Group commit (tenant.group_commit): writes made in one event-loop turn share one SQLite transaction,
each caller returns only once it is stored; a restart finds both; a full disk fails every caller of the
group with the 507 and the changes are stored with the next commit once there is room.

Real SQLite on a real file system (the full disk: a small tmpfs, skipped without root)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from tests.support.small_fs import small_fs

from c8ylink.core.clock import FixedClock
from c8ylink.tenant.service import TenantService, TenantSetup
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.ids import SystemSecrets
from c8ylink.tenant.state.inventory import InventoryFilter
from c8ylink.tenant.state.journal import Change

BLOB = "x" * 4096


def _open(data_dir: Path) -> TenantService:
    return TenantService.open(data_dir, TenantSetup(), clock=FixedClock(), secrets=SystemSecrets())


async def _write(service: TenantService, name: str) -> str:
    """What a REST request does: change the state, then wait for the group commit."""
    document = service.state.inventory.create(
        {"name": name, "blob": BLOB}, owner="admin", now=service.state.now()
    )
    await service.commits.commit()
    return str(document["id"])


def _names(service: TenantService) -> set[str]:
    return {str(doc.get("name")) for doc in service.state.inventory.select(InventoryFilter())}


def test_two_writes_of_one_turn_share_one_transaction_and_survive_a_restart(tmp_path: Path) -> None:
    service = _open(tmp_path)
    assert service.store is not None
    transactions: list[int] = []
    apply = service.store.apply

    def counted(changes: list[Change], meta: Mapping[str, str] | None = None) -> None:
        transactions.append(len(changes))
        apply(changes, meta)

    service.store.apply = counted  # type: ignore[method-assign]  # counts, then writes for real

    async def both() -> list[str]:
        return await asyncio.gather(_write(service, "first"), _write(service, "second"))

    asyncio.run(both())
    assert transactions == [2]  # one transaction for both objects
    service.close()
    again = _open(tmp_path)
    assert {"first", "second"} <= _names(again)
    again.close()


def test_a_full_disk_fails_every_write_of_the_group_with_507(tmp_path: Path) -> None:
    with small_fs(tmp_path / "disk", "2m") as disk:
        data_dir = disk.path / "tenant"
        data_dir.mkdir()
        service = _open(data_dir)
        disk.fill()

        async def group() -> tuple[int, list[BaseException | str]]:
            for round_number in range(200):  # SQLite first reuses the free pages of its files
                results = await asyncio.gather(
                    _write(service, f"a{round_number}"), _write(service, f"b{round_number}"),
                    return_exceptions=True,
                )  # fmt: skip
                if any(isinstance(result, BaseException) for result in results):
                    return round_number, results
            raise AssertionError("the full disk took every write")

        last, refused = asyncio.run(group())
        assert all(isinstance(result, TenantApiError) and result.status == 507 for result in refused), refused
        disk.free()
        asyncio.run(_write(service, "after"))  # stores the refused ones with it
        service.close()
        again = _open(data_dir)
        assert {f"a{last}", f"b{last}", "after"} <= _names(again)
        again.close()


def test_an_mqtt_acknowledgement_is_written_only_after_its_message_is_stored(tmp_path: Path) -> None:
    """The tenant's MQTT endpoint sends PUBACK through ``then()``: a SIGKILL between the PUBACK and the
    commit would lose a message the device was told is stored."""
    service = _open(tmp_path)
    assert service.store is not None
    events: list[str] = []
    apply = service.store.apply

    def recorded(changes: list[Change], meta: Mapping[str, str] | None = None) -> None:
        events.append("commit")
        apply(changes, meta)

    service.store.apply = recorded  # type: ignore[method-assign]  # records, then writes for real

    async def publish() -> None:
        service.state.inventory.create({"name": "from mqtt"}, owner="device_1", now=service.state.now())
        service.commits.then(lambda: events.append("puback"))
        await asyncio.sleep(0)  # the end of the loop turn
        await asyncio.sleep(0)

    asyncio.run(publish())
    assert events == ["commit", "puback"]
    service.close()
    again = _open(tmp_path)
    assert "from mqtt" in _names(again)
    again.close()
