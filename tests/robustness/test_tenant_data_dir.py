"""The tenant's data dir at rest: passwords in clear nowhere but ``credentials.json`` (0600), an older
data dir whose database still holds them is migrated and the values are gone from the database and
its WAL; the lock-out guard counts, locks and forgets as documented."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from c8ylink.core.clock import FixedClock
from c8ylink.tenant.service import CREDENTIALS_FILE, DATABASE_NAME, TenantService, TenantSetup
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.ids import SystemSecrets
from c8ylink.tenant.state.lockout import LockoutPolicy, LoginGuard
from c8ylink.tenant.store import TenantStore

OLD_PASSWORD = "Old-Admin-Password-In-Clear-1"


def _open(data_dir: Path) -> TenantService:
    setup = TenantSetup(admin_password="New-Admin-Password-1")
    return TenantService.open(data_dir, setup, clock=FixedClock(), secrets=SystemSecrets())


def _files_hold(data_dir: Path, secret: str) -> list[str]:
    return [p.name for p in data_dir.iterdir() if p.is_file() and secret.encode() in p.read_bytes()]


def test_a_new_tenant_keeps_its_first_passwords_only_in_credentials_json(tmp_path: Path) -> None:
    service = _open(tmp_path)
    service.commit()
    password = service.admin.password
    service.close()
    assert _files_hold(tmp_path, password) == [CREDENTIALS_FILE]
    assert (tmp_path / CREDENTIALS_FILE).stat().st_mode & 0o777 == 0o600
    assert (tmp_path / DATABASE_NAME).stat().st_mode & 0o777 == 0o600
    again = _open(tmp_path)  # a restart finds them again for tenant.json
    assert again.admin.password == password
    again.close()


def test_an_older_data_dir_is_migrated_and_the_clear_values_are_gone(tmp_path: Path) -> None:
    store = TenantStore(tmp_path / DATABASE_NAME)
    meta = {
        "tenant_id": "t100",
        "jwt_key": base64.b64encode(b"k" * 32).decode(),
        "admin_username": "admin",
        "admin_password": OLD_PASSWORD,
        "bootstrap_password": "Old-Bootstrap-Password-1",
    }
    store.apply([], meta)
    store.close()
    service = _open(tmp_path)
    assert service.admin.password == OLD_PASSWORD  # kept for tenant.json, from credentials.json now
    service.close()
    assert _files_hold(tmp_path, OLD_PASSWORD) == [CREDENTIALS_FILE]
    assert "admin_password" not in TenantStore(tmp_path / DATABASE_NAME).meta()


def test_the_guard_locks_after_the_limit_and_forgets_on_success() -> None:
    guard = LoginGuard(LockoutPolicy(max_failures=3, lock_seconds=60, totp_max_failures=2))
    for _ in range(2):
        guard.failed("k", 0)
    guard.check("k", 0)  # two failures: not locked yet
    guard.failed("k", 0)
    with pytest.raises(TenantApiError) as locked:
        guard.check("k", 30)
    assert locked.value.status == 401 and "locked for 30 s" in str(locked.value.message)
    guard.check("k", 61)  # the lock ran out
    guard.failed("k", 61)  # a fresh count after the lock
    guard.check("k", 61)
    guard.succeeded("k")
    guard.failed("t", 0, limit=guard.policy.totp_max_failures)
    guard.failed("t", 0, limit=guard.policy.totp_max_failures)
    with pytest.raises(TenantApiError):
        guard.check("t", 1)


def test_the_guard_stays_bounded() -> None:
    guard = LoginGuard(LockoutPolicy(max_keys=100))
    for index in range(1000):
        guard.failed(f"user-{index}", 0)
    assert len(guard._keys) == 100
