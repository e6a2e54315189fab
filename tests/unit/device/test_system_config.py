"""system.toml: the [init] table, its defaults, the {} placeholder and upstream's error texts (§5)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from c8ylink.core.errors import C8yLinkError, ConfigError, ServiceError
from c8ylink.device.services.manager import load_system_config, mapper_service
from c8ylink.device.services.system_config import SYSTEMD, build_command, parse_system_config, render_command

PATH = "/etc/tedge/system.toml"
OPENRC = """
[init]
name = "OpenRC"
is_available = ["/sbin/rc-service", "-l"]
restart = ["/sbin/rc-service", "{}", "restart"]
stop = ["/sbin/rc-service", "{}", "stop"]
start = ["/sbin/rc-service", "{}", "start"]
enable = ["/sbin/rc-update", "add", "{}"]
disable = ["/sbin/rc-update", "delete", "{}"]
is_active = ["/sbin/rc-service", "{}", "status"]

[system]
reboot = ["/sbin/reboot"]
"""


def parse(text: str) -> object:
    return parse_system_config(tomllib.loads(text), PATH)


def test_no_file_means_systemd() -> None:
    config = parse_system_config(None, PATH)
    assert config.init == SYSTEMD
    assert build_command(config, "stop", "mosquitto") == ("/bin/systemctl", "stop", "mosquitto")
    assert build_command(config, "is_available") == ("/bin/systemctl", "--version")


def test_a_file_without_init_table_means_systemd() -> None:
    assert parse_system_config({"system": {"reboot": ["init", "6"]}}, PATH).init == SYSTEMD


def test_openrc_commands_with_the_service_name_in_place() -> None:
    config = parse_system_config(tomllib.loads(OPENRC), PATH)
    assert config.init.name == "OpenRC"
    assert build_command(config, "restart", "mosquitto") == ("/sbin/rc-service", "mosquitto", "restart")
    assert build_command(config, "enable", "tedge-agent") == ("/sbin/rc-update", "add", "tedge-agent")
    assert build_command(config, "is_available") == ("/sbin/rc-service", "-l")


def test_start_defaults_to_restart() -> None:
    text = OPENRC.replace('start = ["/sbin/rc-service", "{}", "start"]\n', "")
    config = parse_system_config(tomllib.loads(text), PATH)
    assert build_command(config, "start", "x") == ("/sbin/rc-service", "x", "restart")


def test_the_placeholder_may_be_part_of_an_argument() -> None:
    text = OPENRC.replace(
        'stop = ["/sbin/rc-service", "{}", "stop"]', 'stop = ["/bin/sh", "-c", "stop {}.service"]'
    )
    config = parse_system_config(tomllib.loads(text), PATH)
    assert build_command(config, "stop", "mosquitto") == ("/bin/sh", "-c", "stop mosquitto.service")


def test_missing_placeholder_is_upstreams_error() -> None:
    text = OPENRC.replace('stop = ["/sbin/rc-service", "{}", "stop"]', 'stop = ["/sbin/rc-service", "stop"]')
    config = parse_system_config(tomllib.loads(text), PATH)
    with pytest.raises(ServiceError) as caught:
        build_command(config, "stop", "mosquitto")
    assert str(caught.value) == (
        "Syntax error in the system config file for 'stop': A placeholder '{}' is missing.\n"
        "Check '/etc/tedge/system.toml' file."
    )


def test_is_available_needs_no_placeholder() -> None:
    config = parse_system_config(tomllib.loads(OPENRC), PATH)
    assert "{}" not in build_command(config, "is_available")


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (('stop = ["/sbin/rc-service", "{}", "stop"]\n', ""), "missing field `stop` in [init]"),
        (('name = "OpenRC"', 'name = "OpenRC"\nreload = ["x", "{}"]'),
         "unknown field `reload` in [init], expected one of `name`, `is_available`, `restart`, `stop`, "
         "`start`, `enable`, `disable`, `is_active`"),
        (('enable = ["/sbin/rc-update", "add", "{}"]', 'enable = "/sbin/rc-update add {}"'),
         "invalid type for `enable` in [init]: expected an array of strings"),
        (('name = "OpenRC"', "name = 3"), "invalid value for `name` in [init]: expected a non-empty string"),
    ],
    ids=["missing action", "unknown action", "command as a string", "name not a string"],
)  # fmt: skip
def test_bad_init_tables_name_the_file(edit: tuple[str, str], reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(OPENRC.replace(*edit))
    assert str(caught.value) == f"Toml syntax error in the system config file '{PATH}': {reason}"


def test_an_empty_command_is_refused() -> None:
    with pytest.raises(
        C8yLinkError, match="Syntax error in the system config file for 'stop': Requires 1 or"
    ):
        parse(OPENRC.replace('stop = ["/sbin/rc-service", "{}", "stop"]', "stop = []"))


def test_a_file_that_is_not_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    (tmp_path / "system.toml").write_text("[init]\nname = systemd\n")
    with pytest.raises(ConfigError) as caught:
        load_system_config(str(tmp_path))
    assert str(caught.value).startswith(
        f"Toml syntax error in the system config file '{tmp_path}/system.toml': TOML parse error at line 2"
    )


def test_the_file_is_read_from_the_config_dir(tmp_path: Path) -> None:
    (tmp_path / "system.toml").write_text(OPENRC)
    assert load_system_config(str(tmp_path)).init.name == "OpenRC"
    assert load_system_config(str(tmp_path / "none")).init == SYSTEMD


def test_commands_are_shown_joined_by_spaces() -> None:
    assert render_command(("/bin/systemctl", "stop", "mosquitto")) == "/bin/systemctl stop mosquitto"


def test_mapper_service_of_a_profile_is_a_template_instance() -> None:
    assert mapper_service(None) == "tedge-mapper-c8y"
    assert mapper_service("second") == "tedge-mapper-c8y@second"
