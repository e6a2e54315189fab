"""The systemd units `tedge init` installs (pure rendering)."""

from __future__ import annotations

import configparser

from c8ylink.device.install.units import UNIT_NAMES, UnitSpec, render_units
from c8ylink.device.services.manager import AGENT, mapper_service

SPEC = UnitSpec(tedge_mapper="/opt/c8ylink/bin/tedge-mapper", tedge_agent="/opt/c8ylink/bin/tedge-agent")


def parse(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def test_unit_names_are_the_services_tedge_connect_enables() -> None:
    units = render_units(SPEC)
    assert tuple(units) == UNIT_NAMES
    assert f"{mapper_service(None)}.service" in units
    assert f"{AGENT}.service" in units
    # systemctl enable tedge-mapper-c8y@<profile> instantiates the template unit
    assert mapper_service("second").split("@")[0] + "@.service" in units


def test_exec_start_points_at_the_installs_executables() -> None:
    units = {name: parse(text) for name, text in render_units(SPEC).items()}
    assert units["tedge-mapper-c8y.service"]["Service"]["ExecStart"] == "/opt/c8ylink/bin/tedge-mapper c8y"
    assert units["tedge-mapper-c8y@.service"]["Service"]["ExecStart"] == (
        "/opt/c8ylink/bin/tedge-mapper c8y --profile %i"
    )
    assert units["tedge-agent.service"]["Service"]["ExecStart"] == "/opt/c8ylink/bin/tedge-agent"


def test_restart_and_ordering_as_upstream() -> None:
    for text in render_units(UnitSpec("/usr/bin/tedge-mapper", "/usr/bin/tedge-agent", user="edge")).values():
        unit = parse(text)
        assert "mosquitto.service" in unit["Unit"]["After"].split()
        assert unit["Unit"]["Wants"] == "mosquitto.service"
        assert unit["Service"]["User"] == "edge"
        assert unit["Service"]["Restart"] == "on-failure"
        assert unit["Service"]["RestartPreventExitStatus"] == "255"
        assert unit["Service"]["RestartSec"] == "5"
        assert unit["Install"]["WantedBy"] == "multi-user.target"
