"""`tedge connect c8y`: for now only the configuration check, with the error text of the user docs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Tedge = Callable[..., Result]

MISSING_URL = (
    "Error: failed to execute `tedge connect`.\n"
    "\n"
    "Caused by:\n"
    "    Required configuration item is not provided 'c8y.url', "
    "run 'tedge config set c8y.url <value>' to add "
    "it to config.\n"
)


def test_missing_url_exactly_as_the_user_doc_shows(tedge: Tedge) -> None:
    result = tedge("connect", "c8y")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", MISSING_URL)


def test_missing_url_for_test_and_offline(tedge: Tedge) -> None:
    assert tedge("connect", "c8y", "--test").stderr == MISSING_URL
    assert tedge("connect", "c8y", "--offline").stderr == MISSING_URL


def test_missing_device_id(tedge: Tedge) -> None:
    tedge("config", "set", "c8y.url", "t.example.com")
    result = tedge("connect", "c8y")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: failed to execute `tedge connect`.\n\nCaused by:\n"
        "    Config value device.id, cannot be read: The device id is read from the device certificate.\n"
        "    To set 'device.id' to some <id>, you can use `tedge cert create --device-id <id>`.\n"
    )


def test_complete_configuration_says_connecting_is_not_implemented(
    tedge: Tedge, config_dir: Path, make_certificate: Callable[[Path, str], Path]
) -> None:
    make_certificate(config_dir / "device-certs" / "tedge-certificate.pem", "device-42")
    tedge("config", "set", "c8y.url", "t.example.com")
    result = tedge("connect", "c8y")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "connect to Cumulocity cloud.:\n"
        "\tdevice id: device-42\n"
        "\tcloud profile: <none>\n"
        "\tcloud host: t.example.com:8883\n"
        "\tauth type: Certificate\n"
        f"\tcertificate file: {config_dir}/device-certs/tedge-certificate.pem\n"
        "\tbridge: mosquitto\n"
        "Error: failed to connect to Cumulocity cloud.\n\nCaused by:\n"
        "    connecting is not implemented yet in c8ylink"
    )


def test_connect_with_profile(tedge: Tedge) -> None:
    tedge("config", "set", "device.id", "dev-1")
    tedge("config", "set", "c8y.url", "main.example.com")
    result = tedge("connect", "c8y", "--profile", "second")
    assert "Unknown profile `second` for the multi-profile property c8y" in result.stderr
    tedge("config", "set", "c8y.url", "second.example.com", "--profile", "second")
    tedge("config", "set", "c8y.bridge.topic_prefix", "c8y-second", "--profile", "second")
    tedge("config", "set", "c8y.proxy.bind.port", "8002", "--profile", "second")
    result = tedge("connect", "c8y", "--test", env={"TEDGE_CLOUD_PROFILE": "second"})
    assert "Testing connection to Cumulocity\n\tdevice id: dev-1\n\tcloud profile: second\n" in result.stderr
    assert "cloud host: second.example.com:8883" in result.stderr


def test_connect_refuses_profiles_that_collide(tedge: Tedge) -> None:
    tedge("config", "set", "device.id", "dev-1")
    tedge("config", "set", "c8y.url", "main.example.com")
    tedge("config", "set", "c8y.url", "second.example.com", "--profile", "second")
    result = tedge("connect", "c8y", "--profile", "second")
    assert "c8y.profiles.second.bridge.topic_prefix, c8y.bridge.topic_prefix should be set to different" in (
        result.stderr
    )


def test_basic_auth_shows_the_credentials_path(tedge: Tedge, config_dir: Path) -> None:
    tedge("config", "set", "device.id", "dev-1")
    tedge("config", "set", "c8y.url", "main.example.com")
    tedge("config", "set", "c8y.auth_method", "basic")
    result = tedge("connect", "c8y")
    assert f"\tauth type: Basic\n\tcredentials path: {config_dir}/credentials.toml\n" in result.stderr
