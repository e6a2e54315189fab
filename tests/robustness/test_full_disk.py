"""The disk full or the configuration read-only: `tedge config set` and `c8y sessions create` end with
one clear error and exit 1, leave every file byte-for-byte as it was and no temporary file behind.

Real file systems (tests/support/small_fs.py): a small tmpfs filled to the last byte (ENOSPC), and a
tmpfs remounted read-only (EROFS; root ignores file modes, so a chmod would prove nothing). Mounting
needs root (CAP_SYS_ADMIN); without it the tests are skipped, saying so. The tenant's database on such
a disk: tests/integration/tenant/test_storage_faults.py.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.robustness.conftest import assert_clean_error, run_script, snapshot
from tests.support.small_fs import SmallFs, small_fs

from c8ylink.device.cli.main import main as tedge_main
from c8ylink.operator.cli.main import main as c8y_main

TEDGE_TOML = '[c8y]\nurl = "before.example.com"\n\n[mqtt.bind]\nport = 1883\n'
SESSION = '{"host": "https://before.example.com", "username": "alice", "password": "{encrypted}x"}\n'


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[SmallFs]:
    with small_fs(tmp_path / "small", "256k") as fs:
        yield fs


def _tedge(config_dir: Path, *args: str) -> object:
    return run_script("tedge", tedge_main, args, {"TEDGE_CONFIG_DIR": str(config_dir)})


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_tedge_config_set_leaves_tedge_toml_whole(mount: SmallFs, fault: str) -> None:
    config_dir = mount.path / "etc-tedge"
    config_dir.mkdir()
    (config_dir / "tedge.toml").write_text(TEDGE_TOML)
    mount.fill() if fault == "full" else mount.read_only()
    before, names = snapshot(config_dir), mount.names()
    result = _tedge(config_dir, "config", "set", "c8y.url", "after.example.com")
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    reason = "No space left on device" if fault == "full" else "Read-only file system"
    assert_clean_error(result.output, first="Error:")  # type: ignore[attr-defined]
    assert reason in result.output  # type: ignore[attr-defined]
    assert str(config_dir) in result.output  # type: ignore[attr-defined]
    assert snapshot(config_dir) == before and mount.names() == names  # no temporary file left
    assert (config_dir / "tedge.toml").read_text() == TEDGE_TOML
    got = _tedge(config_dir, "config", "get", "c8y.url")  # still readable, still the old value
    assert got.output == "before.example.com\n"  # type: ignore[attr-defined]


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_c8y_sessions_create_leaves_the_sessions_whole(mount: SmallFs, fault: str) -> None:
    home = mount.path / "sessions"
    home.mkdir(mode=0o700)
    (home / "old.json").write_text(SESSION)
    mount.fill() if fault == "full" else mount.read_only()
    before, names = snapshot(home), mount.names()
    env = {"HOME": str(mount.path), "C8Y_SESSION_HOME": str(home), "C8Y_PASSWORD": "Pw-" + "x" * 3000,
           "C8Y_PASSPHRASE": "a-passphrase"}  # fmt: skip
    args = ["sessions", "create", "--host", "https://new.example.com", "--username", "bob", "--name", "new"]
    result = run_script("c8y", c8y_main, args, env)
    assert result.exit_code == 1, result.output
    assert_clean_error(result.output, first="userError: Could not write")
    reason = "No space left on device" if fault == "full" else "Read-only file system"
    assert reason in result.output
    assert "x" * 3000 not in result.output
    assert snapshot(home) == before and mount.names() == names
    assert not (home / "new.json").exists()


def test_a_full_disk_is_named_for_what_it_is(mount: SmallFs) -> None:
    """The filler really filled the file system (the tests above would prove little otherwise)."""
    mount.fill()
    with pytest.raises(OSError) as refused, (mount.path / "probe").open("wb", buffering=0) as probe:
        probe.write(b"x" * 4096)
    assert refused.value.errno == errno.ENOSPC
