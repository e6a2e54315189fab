"""Cloud profiles: --profile, TEDGE_CLOUD_PROFILE, c8y.profiles.<name>.* keys and name rules."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Tedge = Callable[..., Result]


def test_profile_option_writes_the_profile_table(tedge: Tedge, config_dir: Path) -> None:
    assert tedge("config", "set", "c8y.url", "second.example.com", "--profile", "SECOND").exit_code == 0
    assert (
        tedge("config", "set", "c8y.bridge.topic_prefix", "c8y-second", "--profile", "second").exit_code == 0
    )
    data = tomllib.loads((config_dir / "tedge.toml").read_text())
    assert data["c8y"]["profiles"]["second"] == {
        "url": "second.example.com",
        "bridge": {"topic_prefix": "c8y-second"},
    }
    assert tedge("config", "get", "c8y.profiles.second.url").stdout == "second.example.com\n"
    assert tedge("config", "get", "c8y.url", "--profile", "second").stdout == "second.example.com\n"


def test_cloud_profile_env_selects_the_profile(tedge: Tedge) -> None:
    tedge("config", "set", "c8y.url", "second.example.com", "--profile", "second")
    env = {"TEDGE_CLOUD_PROFILE": "second"}
    assert tedge("config", "get", "c8y.mqtt", env=env).stdout == "second.example.com:8883\n"
    assert tedge("config", "get", "mqtt.bind.port", env=env).stdout == "1883\n"


def test_profile_derived_defaults(tedge: Tedge, config_dir: Path) -> None:
    tedge("config", "set", "device.cert_path", "/certs/device.pem")
    tedge("config", "set", "c8y.url", "second.example.com", "--profile", "second")
    assert (
        tedge("config", "get", "c8y.device.cert_path", "--profile", "second").stdout == "/certs/device.pem\n"
    )
    assert tedge("config", "get", "c8y.proxy.bind.port", "--profile", "second").stdout == "8001\n"


def test_unknown_profile_when_reading(tedge: Tedge) -> None:
    result = tedge("config", "get", "c8y.url", "--profile", "nope")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: failed to get the configuration value for key: 'c8y.profiles.nope.url'\n\nCaused by:\n"
        "    Unknown profile `nope` for the multi-profile property c8y\n"
    )


@pytest.mark.parametrize("name", ["bad name", "bad!", "a.b"])
def test_profile_names_with_invalid_characters(tedge: Tedge, name: str) -> None:
    result = tedge("config", "set", "c8y.url", "x.example.com", "--profile", name)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: invalid value '{name}' for '--profile <PROFILE>': "
        "Profile names can only contain letters, numbers, `-` or `_`\n\nFor more information, try '--help'.\n"
    )


def test_invalid_profile_name_in_the_key(tedge: Tedge) -> None:
    result = tedge("config", "set", "c8y.profiles.bad!.url", "x.example.com")
    assert result.exit_code == 2
    assert "Invalid profile name `bad!` for the multi-profile property c8y" in result.stderr


def test_invalid_cloud_profile_env(tedge: Tedge) -> None:
    result = tedge("config", "get", "c8y.url", env={"TEDGE_CLOUD_PROFILE": "bad name"})
    assert result.exit_code == 1
    assert 'Parsing profile from environment variable TEDGE_CLOUD_PROFILE="bad name"' in result.stderr


def test_profiled_key_together_with_profile_option(tedge: Tedge) -> None:
    result = tedge("config", "set", "c8y.profiles.first.url", "x.example.com", "--profile", "second")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Multiple profiles selected: the key 'c8y.profiles.first.url' names profile 'first' "
        "and --profile "
        "names 'second'. Use one or the other.\n"
    )


def test_profile_option_on_a_key_without_profiles(tedge: Tedge) -> None:
    result = tedge("config", "get", "device.type", "--profile", "second")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: You've supplied a profile, but device.type is not a profiled configuration\n"
    )


def test_cloud_profile_env_is_ignored_for_keys_without_profiles(tedge: Tedge) -> None:
    assert (
        tedge("config", "get", "device.type", env={"TEDGE_CLOUD_PROFILE": "second"}).stdout
        == "thin-edge.io\n"
    )


def test_unset_of_the_last_profile_key_removes_the_profile(tedge: Tedge, config_dir: Path) -> None:
    tedge("config", "set", "c8y.url", "second.example.com", "--profile", "second")
    tedge("config", "unset", "c8y.url", "--profile", "second")
    assert "c8y" not in tomllib.loads((config_dir / "tedge.toml").read_text())
