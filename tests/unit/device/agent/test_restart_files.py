"""Deciding after a start whether the restart the agent launched really rebooted the device."""

from __future__ import annotations

from pathlib import Path

from c8ylink.device.agent.restart import RestartFiles


def files(tmp_path: Path, boot_id: str = "boot-1") -> RestartFiles:
    boot = tmp_path / "boot_id"
    boot.write_text(boot_id + "\n")
    return RestartFiles(tmp_path / "state", tmp_path / "run", str(boot))


def test_marker_gone_means_rebooted(tmp_path: Path) -> None:
    restart = files(tmp_path)
    restart.begin("te/device/main///cmd/restart/1", {"status": "executing"})
    (tmp_path / "run" / "tedge_agent_restart").unlink()  # /run is emptied at boot
    pending = restart.pending()
    assert pending is not None and pending.topic == "te/device/main///cmd/restart/1"
    assert restart.has_rebooted(pending)


def test_a_new_boot_id_means_rebooted_even_if_the_marker_survived(tmp_path: Path) -> None:
    files(tmp_path).begin("t", {})
    after = files(tmp_path, "boot-2")
    pending = after.pending()
    assert pending is not None and pending.boot_id == "boot-1"
    assert after.has_rebooted(pending)


def test_same_boot_and_marker_means_only_the_agent_restarted(tmp_path: Path) -> None:
    restart = files(tmp_path)
    restart.begin("t", {"status": "executing"})
    pending = restart.pending()
    assert pending is not None and not restart.has_rebooted(pending)
    restart.clear()
    assert restart.pending() is None
    assert not (tmp_path / "run" / "tedge_agent_restart").exists()


def test_a_corrupt_state_file_is_dropped(tmp_path: Path) -> None:
    restart = files(tmp_path)
    restart.state_dir.mkdir()
    restart.state_file.write_text("{not json")
    assert restart.pending() is None
    assert not restart.state_file.exists()
