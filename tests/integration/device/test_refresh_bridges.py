"""`tedge refresh-bridges` as a process: the bridge file of every connected Cumulocity profile is
written again from the current configuration, mosquitto is restarted once, nothing else is touched."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.integration.device.conftest import BIN, write_tedge_toml

pytestmark = pytest.mark.integration


def refresh(config_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "tedge"), "--config-dir", str(config_dir), "refresh-bridges"],
        capture_output=True, text=True, timeout=30, check=False,
        env={"PATH": "/usr/bin:/bin", "TEDGE_C8Y_BRIDGE_INCLUDE_LOCAL_CLEANSESSION": "false"},
    )  # fmt: skip


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A device whose service manager records what it is asked to do."""
    calls = tmp_path / "service-calls"
    record = ["sh", "-c", f'echo "$0 $1" >> {calls}']
    names = ("restart", "stop", "start", "enable", "disable", "is_active")
    actions = "".join(f"{action} = {json.dumps([*record, action, '{}'])}\n" for action in names)
    (tmp_path / "system.toml").write_text(f'[init]\nname = "recording"\nis_available = ["true"]\n{actions}')
    (tmp_path / "mosquitto-conf").mkdir()
    return tmp_path


def test_no_bridge_no_restart(config_dir: Path) -> None:
    write_tedge_toml(config_dir, {"device.id": "dev1", "c8y.url": "t1.example.com"})
    result = refresh(config_dir)
    assert (result.returncode, result.stdout) == (0, "No bridges to refresh.\n")
    assert not (config_dir / "service-calls").exists()


def test_connected_bridges_are_rewritten_from_the_current_config(config_dir: Path) -> None:
    write_tedge_toml(config_dir, {
        "device.id": "dev1", "c8y.url": "new.example.com", "c8y.profiles.second.url": "other.example.com",
        "c8y.profiles.second.bridge.topic_prefix": "c8y-second",
        "c8y.profiles.second.proxy.bind.port": "8002",
        "c8y.profiles.third.url": "x.example.com", "c8y.profiles.third.bridge.topic_prefix": "c8y-third",
        "c8y.profiles.third.proxy.bind.port": "8003",
    })  # fmt: skip
    bridges = config_dir / "mosquitto-conf"
    (bridges / "c8y-bridge.conf").write_text("address old.example.com:8883\n")
    (bridges / "c8y@second-bridge.conf").write_text("address stale.example.com:8883\n")
    result = refresh(config_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Refreshing bridge c8y\nRefreshing bridge c8y@second\nRestarting mosquitto service.\n\n"
    )
    assert "address new.example.com:8883" in (bridges / "c8y-bridge.conf").read_text()
    assert "address other.example.com:8883" in (bridges / "c8y@second-bridge.conf").read_text()
    assert not (bridges / "c8y@third-bridge.conf").exists()  # not connected: left alone
    assert (config_dir / "service-calls").read_text() == "restart mosquitto\n"


def test_a_failing_restart_is_an_error(config_dir: Path) -> None:
    write_tedge_toml(config_dir, {"device.id": "dev1", "c8y.url": "new.example.com"})
    (config_dir / "mosquitto-conf" / "c8y-bridge.conf").write_text("address old.example.com:8883\n")
    text = (config_dir / "system.toml").read_text().replace('restart = ["sh"', 'restart = ["false", "sh"')
    (config_dir / "system.toml").write_text(text)
    result = refresh(config_dir)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: failed to refresh the bridges.")
    assert "address new.example.com" in (config_dir / "mosquitto-conf" / "c8y-bridge.conf").read_text()
