"""The supervisord setup: the shipped files are what the renderer writes, and system.toml drives
supervisorctl with the service names in place."""

from __future__ import annotations

import configparser
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from c8ylink.device.services.manager import mapper_service
from c8ylink.device.services.supervisord import SHIPPED, SupervisordSpec, render_supervisord_setup
from c8ylink.device.services.system_config import build_command, parse_system_config

PACKAGING = Path(__file__).resolve().parents[3] / "packaging" / "supervisord"


@pytest.mark.parametrize("name", ["supervisord.conf", "mosquitto.conf", "system.toml"])
def test_the_shipped_files_are_the_rendered_ones(name: str) -> None:
    assert (PACKAGING / name).read_text() == render_supervisord_setup(SHIPPED)[name]


def programs(spec: SupervisordSpec) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(render_supervisord_setup(spec)["supervisord.conf"])
    return {
        name.removeprefix("program:"): dict(parser[name]) for name in parser if name.startswith("program:")
    }


def test_one_program_per_service_and_profile() -> None:
    found = programs(replace(SHIPPED, profiles=("second",)))
    assert list(found) == ["mosquitto", "tedge-mapper-c8y", "tedge-mapper-c8y@second", "tedge-agent"]
    assert found["mosquitto"]["command"] == "/usr/sbin/mosquitto -c /var/lib/tedge/supervisord/mosquitto.conf"
    assert found["mosquitto"]["autostart"] == "true"
    assert found["tedge-mapper-c8y@second"]["command"] == "/usr/local/bin/tedge-mapper c8y --profile second"
    assert {found[name]["autostart"] for name in found if name != "mosquitto"} == {"false"}
    assert {program["startsecs"] for program in found.values()} == {"0"}  # `start` returns at once


def test_programs_that_are_not_installed_are_left_out() -> None:
    assert list(programs(replace(SHIPPED, mosquitto=None, tedge_agent=None))) == ["tedge-mapper-c8y"]


def test_supervisord_keeps_its_files_in_the_work_dir_and_passes_the_config_dir() -> None:
    spec = replace(SHIPPED, work_dir="/srv/demo/services", config_dir="/srv/demo/etc-tedge")
    files = render_supervisord_setup(spec)
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(files["supervisord.conf"])
    assert parser["unix_http_server"]["file"] == "/srv/demo/services/supervisor.sock"
    assert parser["supervisorctl"]["serverurl"] == "unix:///srv/demo/services/supervisor.sock"
    assert parser["supervisord"]["environment"] == 'TEDGE_CONFIG_DIR="/srv/demo/etc-tedge"'
    assert "include_dir /srv/demo/etc-tedge/mosquitto-conf\n" in files["mosquitto.conf"]


def test_system_toml_drives_supervisorctl() -> None:
    text = render_supervisord_setup(SHIPPED)["system.toml"]
    config = parse_system_config(tomllib.loads(text), "/etc/tedge/system.toml")
    ctl = ("/usr/local/bin/supervisorctl", "-c", "/var/lib/tedge/supervisord/supervisord.conf")
    assert config.init.name == "supervisord"
    assert build_command(config, "is_available") == (*ctl, "version")
    assert build_command(config, "restart", "mosquitto") == (*ctl, "restart", "mosquitto")
    assert build_command(config, "start", mapper_service("x")) == (*ctl, "start", "tedge-mapper-c8y@x")
    assert build_command(config, "is_active", "tedge-agent") == (*ctl, "status", "tedge-agent")
    assert build_command(config, "enable", "tedge-agent") == ("/bin/true", "tedge-agent")
