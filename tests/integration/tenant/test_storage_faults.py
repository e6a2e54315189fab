"""The tenant's disk full: a write that cannot be stored is answered 507 with the reason, nothing
half-written reaches the database (one transaction per commit), the tenant keeps serving reads, and
what it kept in memory is stored with the next change once the disk takes it again; a restart then
finds every object in a sound database. A read-only data dir (a file system cannot be remounted
read-only while the tenant holds its database open for writing) stops `c8ylink tenant serve` at the
start with one line naming it, leaving the data dir as it was.

The data dir is on a real tmpfs (tests/support/small_fs.py; skipped without root)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from tests.robustness.conftest import snapshot
from tests.support.small_fs import SmallFs, small_fs

from c8ylink.tenant.background import BackgroundTenant

from .conftest import admin_auth, client_context

pytestmark = pytest.mark.integration
C8YLINK = Path(sys.executable).parent / "c8ylink"
BODY = "x" * 2048  # objects big enough that the database grows with each


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallFs]:
    with small_fs(tmp_path / "disk", "4m") as fs:
        yield fs


def _client(tenant: BackgroundTenant) -> httpx2.Client:
    return httpx2.Client(
        base_url=tenant.info.https_url, verify=client_context(tenant.info.ca_file), auth=admin_auth(tenant),
        headers={"Accept": "application/json"}, timeout=30,
    )  # fmt: skip


def _create(client: httpx2.Client, name: str) -> httpx2.Response:
    return client.post("/inventory/managedObjects", json={"name": name, "blob": {"text": BODY}})


def _refused_write(client: httpx2.Client) -> httpx2.Response:
    """Create objects until one is refused (SQLite first reuses the free pages of its files)."""
    for number in range(1000):
        answer = _create(client, f"filler-{number}")
        if answer.status_code != 201:
            return answer
    raise AssertionError("the full disk took 1000 objects")


def test_a_write_the_full_disk_refuses_is_507_and_reads_go_on(
    disk: SmallFs, start_tenant: Callable[..., BackgroundTenant]
) -> None:
    data_dir = disk.path / "tenant"
    data_dir.mkdir(mode=0o700)
    with start_tenant(data_dir=data_dir, mqtt=False) as tenant, _client(tenant) as client:
        first = _create(client, "stored-before")
        assert first.status_code == 201
        disk.fill()
        refused = _refused_write(client)
        assert refused.status_code == 507, refused.text
        error = refused.json()
        assert error["error"] == "general/insufficientStorage"
        assert error["message"].startswith("The change could not be stored: Cannot write the tenant database")
        assert "database or disk is full" in error["message"], error["message"]
        assert client.get(f"/inventory/managedObjects/{first.json()['id']}").status_code == 200
        assert client.get("/inventory/managedObjects", params={"pageSize": 5}).status_code == 200
        disk.free()
        after = _create(client, "stored-after")
        assert after.status_code == 201, after.text
        kept = [first.json()["id"], after.json()["id"]]
    database = data_dir / "tenant.db"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with start_tenant(data_dir=data_dir, mqtt=False) as again, _client(again) as client:
        for object_id in kept:
            assert client.get(f"/inventory/managedObjects/{object_id}").status_code == 200


def test_a_read_only_data_dir_stops_the_tenant_at_the_start(
    disk: SmallFs, start_tenant: Callable[..., BackgroundTenant]
) -> None:
    data_dir = disk.path / "tenant"
    data_dir.mkdir(mode=0o700)
    with start_tenant(data_dir=data_dir, mqtt=False):
        pass
    disk.read_only()
    before = snapshot(data_dir)
    result = subprocess.run(
        [str(C8YLINK), "tenant", "serve", "--data-dir", str(data_dir), "--https-port", "0", "--mtls-port",
         "0", "--mqtt-tls-port", "0", "--mqtt-port", "0"],
        capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert (
        result.stderr
        == f"Error: Could not write to {data_dir}/tenant.lock: Read-only file system (os error 30)\n"
    )
    assert snapshot(data_dir) == before
