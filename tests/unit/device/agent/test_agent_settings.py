"""tedge config keys the agent honours: software.plugin.*, sudo.enable, agent.state.path,
service.timestamp_format (values in, decisions out; the process tests show them at work)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from c8ylink.core.errors import ConfigError
from c8ylink.core.settings.resolve import build_settings
from c8ylink.core.timestamps import format_service_time
from c8ylink.device.agent.main import software_options, state_directory
from c8ylink.device.agent.plugins import Plugin, choose_sudo
from c8ylink.device.agent.software import SoftwareOptions, select_plugin
from c8ylink.device.config.settings import TEDGE

NAMES = ["tedge", "tedge-agent", "c8y-remote", "glibc", "libssl", "vim"]


@pytest.mark.parametrize(
    ("include", "exclude", "kept"),
    [
        ("", "", NAMES),
        ("^tedge", "", ["tedge", "tedge-agent"]),
        ("", "^(glibc|lib)", ["tedge", "tedge-agent", "c8y-remote", "vim"]),
        ("^libssl$", "^(glibc|lib)", ["tedge", "tedge-agent", "c8y-remote", "libssl", "vim"]),
    ],
    ids=["no filter", "include only", "exclude only", "include wins over exclude"],
)
def test_software_filters_follow_thin_edge(include: str, exclude: str, kept: list[str]) -> None:
    options = SoftwareOptions(include=include, exclude=exclude)
    assert [name for name in NAMES if options.keeps(name)] == kept


def test_default_plugin_takes_untyped_modules() -> None:
    apt, docker = Plugin("apt", Path("/x/apt")), Plugin("docker", Path("/x/docker"))
    assert select_plugin({"apt": apt, "docker": docker}, "default", "docker") is docker
    assert select_plugin({"apt": apt, "docker": docker}, "", "docker") is docker


def test_plugins_run_through_sudo_only_when_enabled_and_not_root() -> None:
    assert choose_sudo(True, "/usr/bin/sudo", 1000) == "/usr/bin/sudo"
    assert choose_sudo(False, "/usr/bin/sudo", 1000) is None
    assert choose_sudo(True, "/usr/bin/sudo", 0) is None  # root needs no sudo
    assert choose_sudo(True, None, 1000) is None  # no sudo installed
    plugin = Plugin("apt", Path("/x/apt"), sudo="/usr/bin/sudo")
    assert plugin.argv(["list"]) == ["/usr/bin/sudo", "-n", "/x/apt", "list"]
    assert Plugin("apt", Path("/x/apt")).argv(["list"]) == ["/x/apt", "list"]


def test_state_directory_falls_back_to_the_config_dir(tmp_path: Path) -> None:
    configured = tmp_path / "data" / "agent"
    assert state_directory(configured, tmp_path / "etc") == tmp_path / "etc" / ".agent"
    configured.mkdir(parents=True)
    assert state_directory(configured, tmp_path / "etc") == configured


def test_service_timestamp_format() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert format_service_time(moment, "unix") == 1767323045.678
    assert format_service_time(moment, "rfc-3339") == "2026-01-02T03:04:05.678Z"


def test_software_options_from_settings_and_a_bad_filter() -> None:
    data = {
        "software": {"plugin": {"default": "apt", "max_packages": 5, "exclude": "^lib"}},
        "tmp": {"path": "/t"},
    }
    settings = build_settings(TEDGE, file_data=data, file_name="tedge.toml", env={}, config_dir="/etc/tedge")
    assert software_options(settings) == SoftwareOptions("apt", 5, "", "^lib", Path("/t"))
    bad = {"software": {"plugin": {"include": "(unclosed"}}}
    settings = build_settings(TEDGE, file_data=bad, file_name="tedge.toml", env={}, config_dir="/etc/tedge")
    with pytest.raises(ConfigError, match=r"Invalid software.plugin.include: '\(unclosed'"):
        software_options(settings)
