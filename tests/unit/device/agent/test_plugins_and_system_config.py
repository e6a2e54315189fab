"""sm-plugin list output, system.toml [system] and the software type a module goes to."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.errors import ConfigError
from c8ylink.device.agent.plugins import Plugin, PluginError, SoftwareModule, parse_module_list
from c8ylink.device.agent.software import select_plugin
from c8ylink.device.agent.system_config import SystemCommands, parse_system_commands

names = st.text(st.characters(codec="utf-8", exclude_characters="\t\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                min_size=1, max_size=12).map(str.strip).filter(bool)  # fmt: skip
versions = st.text(st.characters(codec="ascii", categories=("L", "N", "P")), max_size=8)


@given(modules=st.lists(st.tuples(names, versions), max_size=20))
def test_list_output_round_trip(modules: list[tuple[str, str]]) -> None:
    text = "".join(f"{name}\t{version}\n" if version else f"{name}\n" for name, version in modules)
    assert parse_module_list(text.encode()) == [SoftwareModule(name, version) for name, version in modules]


def test_list_output_tolerates_blank_lines_and_extra_columns() -> None:
    output = b"nginx\t1.24\textra\n\n  \nvim\n"
    assert parse_module_list(output) == [SoftwareModule("nginx", "1.24"), SoftwareModule("vim", "")]


def test_system_commands_defaults_and_values() -> None:
    assert parse_system_commands("", "system.toml") == SystemCommands(("init", "6"), 120.0)
    text = '[init]\nname = "systemd"\n[system]\nreboot = ["/sbin/shutdown", "-r", "now"]\n'
    text += "reboot_timeout_seconds = 30\n"
    assert parse_system_commands(text, "system.toml") == SystemCommands(("/sbin/shutdown", "-r", "now"), 30.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[system\n", "Toml syntax error in the system config file '/etc/tedge/system.toml'"),
        ('[system]\nreboot = "init 6"\n', "reboot must be a non-empty array of strings"),
        ("[system]\nreboot = []\n", "reboot must be a non-empty array of strings"),
        ('[system]\nreboot = ["init"]\nreboot_timeout_seconds = -1\n', "must be a positive number"),
        ('[system]\nreboot = ["init"]\nrestart = ["x"]\n', "unknown field `restart`"),
    ],
    ids=["syntax", "string command", "empty command", "negative timeout", "unknown field"],
)
def test_system_config_errors_name_the_file(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"system\.toml") as caught:
        parse_system_commands(text, "/etc/tedge/system.toml")
    assert message in str(caught.value)


def test_software_type_selects_the_plugin() -> None:
    apt = Plugin("apt", Path("/x/apt"))
    docker = Plugin("docker", Path("/x/docker"))
    assert select_plugin({"apt": apt, "docker": docker}, "docker") is docker
    assert select_plugin({"apt": apt}, "default") is apt  # the only plugin is the default
    with pytest.raises(
        PluginError, match=r"No sm-plugin for software type 'default' \(plugins: apt, docker\)"
    ):
        select_plugin({"apt": apt, "docker": docker}, "")
