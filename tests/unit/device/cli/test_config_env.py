"""TEDGE_<KEY> overrides when reading: empty = default, TOML literals, case-insensitive, warnings, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Tedge = Callable[..., Result]


def test_env_overrides_the_file(tedge: Tedge) -> None:
    tedge("config", "set", "mqtt.bind.port", "1884")
    assert tedge("config", "get", "mqtt.bind.port", env={"TEDGE_MQTT_BIND_PORT": "1885"}).stdout == "1885\n"


def test_empty_env_value_means_the_default(tedge: Tedge) -> None:
    tedge("config", "set", "mqtt.bind.port", "1884")
    assert tedge("config", "get", "mqtt.bind.port", env={"TEDGE_MQTT_BIND_PORT": ""}).stdout == "1883\n"


def test_env_key_is_case_insensitive(tedge: Tedge) -> None:
    assert (
        tedge("config", "get", "c8y.url", env={"TEDGE_c8y_Url": "t.example.com"}).stdout == "t.example.com\n"
    )


def test_env_toml_literals(tedge: Tedge) -> None:
    env = {"TEDGE_C8Y_SMARTREST_TEMPLATES": '["b", "a"]', "TEDGE_C8Y_URL": '"quoted.example.com"'}
    assert tedge("config", "get", "c8y.smartrest.templates", env=env).stdout == '["b", "a"]\n'
    assert tedge("config", "get", "c8y.url", env=env).stdout == "quoted.example.com\n"


def test_unknown_env_key_is_a_warning(tedge: Tedge) -> None:
    result = tedge("config", "get", "mqtt.bind.port", env={"TEDGE_NOT_A_KEY": "1", "TEDGE_CLOUD_PROFILE": ""})
    assert result.exit_code == 0
    assert (
        result.stderr
        == 'warning: Unknown configuration field "not_a_key" from environment variable TEDGE_NOT_A_KEY\n'
    )


def test_unparseable_env_value_is_an_error_naming_the_variable(tedge: Tedge) -> None:
    result = tedge("config", "get", "c8y.url", env={"TEDGE_MQTT_BIND_PORT": "abc"})
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: failed to get the configuration value for key: 'c8y.url'\n\nCaused by:\n"
        '    0: Failed to set value for mqtt.bind.port to "abc" from environment variable '
        "TEDGE_MQTT_BIND_PORT\n"
        "    1: invalid digit found in string\n"
    )


def test_env_config_dir(tedge: Tedge, tmp_path: Path) -> None:
    other = tmp_path / "env-dir"
    other.mkdir()
    (other / "tedge.toml").write_text('[c8y]\nurl = "env-dir.example.com"\n')
    assert (
        tedge("config", "get", "c8y.url", env={"TEDGE_CONFIG_DIR": str(other)}).stdout
        == "env-dir.example.com\n"
    )
