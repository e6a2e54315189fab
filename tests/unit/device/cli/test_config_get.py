"""`tedge config get`: value on stdout, "not set" on stderr with exit 1, usage errors with exit 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Tedge = Callable[..., Result]


def test_get_prints_the_value(tedge: Tedge, config_dir: Path) -> None:
    config_dir.mkdir()
    (config_dir / "tedge.toml").write_text('[c8y]\nurl = "mytenant.cumulocity.com"\n')
    result = tedge("config", "get", "c8y.url")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "mytenant.cumulocity.com\n", "")


def test_get_prints_defaults_and_derived_defaults(tedge: Tedge, config_dir: Path) -> None:
    assert tedge("config", "get", "mqtt.bind.port").stdout == "1883\n"
    assert (
        tedge("config", "get", "device.cert_path").stdout
        == f"{config_dir}/device-certs/tedge-certificate.pem\n"
    )
    assert tedge("config", "get", "c8y.url", env={"TEDGE_C8Y_URL": "t.example.com"}).exit_code == 0
    assert (
        tedge("config", "get", "c8y.mqtt", env={"TEDGE_C8Y_URL": "t.example.com"}).stdout
        == "t.example.com:8883\n"
    )


def test_get_of_a_key_without_value(tedge: Tedge) -> None:
    result = tedge("config", "get", "c8y.url")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "The provided config key: 'c8y.url' is not set\n"


def test_get_of_a_derived_key_without_source(tedge: Tedge) -> None:
    result = tedge("config", "get", "c8y.http")
    assert result.stderr == "The provided config key: 'c8y.http' is not set\n"


def test_get_device_id_without_certificate(tedge: Tedge) -> None:
    result = tedge("config", "get", "device.id")
    assert result.exit_code == 1
    assert result.stderr == (
        "The provided config key: 'device.id' is not configured: The device id is read from the device "
        "certificate.\nTo set 'device.id' to some <id>, you can use `tedge cert create --device-id <id>`.\n"
    )


def test_device_id_comes_from_the_certificate(
    tedge: Tedge, config_dir: Path, make_certificate: Callable[[Path, str], Path]
) -> None:
    make_certificate(config_dir / "device-certs" / "tedge-certificate.pem", "my-device-7")
    assert tedge("config", "get", "device.id").stdout == "my-device-7\n"
    assert tedge("config", "get", "c8y.device.id").stdout == "my-device-7\n"


def test_get_unknown_key_is_a_usage_error(tedge: Tedge) -> None:
    result = tedge("config", "get", "c8y.nope")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: invalid value 'c8y.nope' for '<KEY>': Unknown tedge config key: 'c8y.nope'\n\n"
        "For more information, try '--help'.\n"
    )


def test_underscore_and_legacy_spellings_warn(tedge: Tedge) -> None:
    result = tedge("config", "get", "c8y_bridge_topic_prefix")
    assert result.stdout == "c8y\n"
    assert result.stderr == (
        "warning: The key 'c8y_bridge_topic_prefix' is deprecated. Use 'c8y.bridge.topic_prefix' instead.\n"
    )
    assert tedge("config", "get", "mqtt.port").stdout == "1883\n"


def test_config_dir_option_before_or_after_the_subcommand(tedge: Tedge, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "tedge.toml").write_text('c8y.url = "other.example.com"\n')
    assert tedge("--config-dir", str(other), "config", "get", "c8y.url").stdout == "other.example.com\n"
    assert tedge("config", "get", "c8y.url", "--config-dir", str(other)).stdout == "other.example.com\n"
    assert tedge("config", "get", "--config-dir", str(other), "c8y.url").stdout == "other.example.com\n"
