"""`tedge connect c8y` in-process: the configuration checks with the error texts of the user docs, and the
summary block up to the first step that would run a process (the steps: tests/e2e/connect).

``TEDGE_C8Y_BRIDGE_INCLUDE_LOCAL_CLEANSESSION`` is set so that no ``mosquitto --help`` runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
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


def test_corrupt_certificate_is_named_as_cert_show_names_it(tedge: Tedge, config_dir: Path) -> None:
    cert = config_dir / "device-certs" / "tedge-certificate.pem"
    cert.parent.mkdir(parents=True)
    cert.write_text("garbage\n")
    tedge("config", "set", "c8y.url", "t.example.com")
    result = tedge("connect", "c8y")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: failed to execute `tedge connect`.\n\nCaused by:\n"
        f"    Derivation for `device.id` failed: {cert} does not hold a valid PEM certificate: "
        "no certificate found: expected PEM, base64 or DER X.509 data\n"
    )


NO_PROCESS = {"TEDGE_C8Y_BRIDGE_INCLUDE_LOCAL_CLEANSESSION": "false"}


def test_test_without_a_bridge_says_the_device_is_not_connected(
    tedge: Tedge, config_dir: Path, make_certificate: Callable[[Path, str], Path]
) -> None:
    make_certificate(config_dir / "device-certs" / "tedge-certificate.pem", "device-42")
    tedge("config", "set", "c8y.url", "t.example.com")
    result = tedge("connect", "c8y", "--test", env=NO_PROCESS)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "test connection to Cumulocity cloud.:\n"
        "\tdevice id: device-42\n"
        "\tcloud profile: <none>\n"
        "\tcloud host: t.example.com:8883\n"
        "\tauth type: Certificate\n"
        f"\tcertificate file: {config_dir}/device-certs/tedge-certificate.pem\n"
        "\tcryptoki: false\n"
        "\tbridge: mosquitto\n"
        "\tservice manager: systemd\n"
        "\tproxy: Not configured\n"
        "error: Device is not connected to Cumulocity cloud\n"
    )


def test_bad_system_toml_is_reported_before_anything_runs(tedge: Tedge, config_dir: Path) -> None:
    tedge("config", "set", "device.id", "dev-1")
    tedge("config", "set", "c8y.url", "t.example.com")
    (config_dir / "system.toml").write_text('[init]\nname = "x"\n')
    result = tedge("connect", "c8y", env=NO_PROCESS)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: failed to execute `tedge connect`.\n\nCaused by:\n"
        f"    Toml syntax error in the system config file '{config_dir}/system.toml': "
        "missing field `is_available` in [init]\n"
    )


def test_connect_with_profile(tedge: Tedge) -> None:
    tedge("config", "set", "device.id", "dev-1")
    tedge("config", "set", "c8y.url", "main.example.com")
    result = tedge("connect", "c8y", "--profile", "second")
    assert "Unknown profile `second` for the multi-profile property c8y" in result.stderr
    tedge("config", "set", "c8y.url", "second.example.com", "--profile", "second")
    tedge("config", "set", "c8y.bridge.topic_prefix", "c8y-second", "--profile", "second")
    tedge("config", "set", "c8y.proxy.bind.port", "8002", "--profile", "second")
    result = tedge("connect", "c8y", "--test", env={"TEDGE_CLOUD_PROFILE": "second", **NO_PROCESS})
    assert "test connection to Cumulocity cloud.:\n\tdevice id: dev-1\n\tcloud profile: second\n" in (
        result.stderr
    )
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
    (config_dir / "credentials.toml").write_text('[c8y]\nusername = "t1/dev"\npassword = "secret-pw"\n')
    result = tedge("connect", "c8y", "--test", env=NO_PROCESS)
    assert (
        f"\tauth type: Basic\n\tcredentials path: {config_dir}/credentials.toml\n\tbridge: mosquitto\n"
        in (result.stderr)
    )
    assert "secret-pw" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "does not exist: create it with a [c8y] table holding username and password"),
        ('[c8y]\nusername = "t1/dev"\n', "gives no password in its [c8y] table"),
        ('username = "t1/dev"\n', "has no [c8y] table with username and password"),
    ],
    ids=["missing", "no password", "no table"],
)
def test_basic_auth_without_usable_credentials(
    tedge: Tedge, config_dir: Path, content: str | None, problem: str
) -> None:
    tedge("config", "set", "device.id", "dev-1")
    tedge("config", "set", "c8y.url", "main.example.com")
    tedge("config", "set", "c8y.auth_method", "basic")
    if content is not None:
        (config_dir / "credentials.toml").write_text(content)
    result = tedge("connect", "c8y", env=NO_PROCESS)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: failed to execute `tedge connect`.\n\nCaused by:\n")
    assert f"The credentials file {config_dir}/credentials.toml {problem}" in result.stderr
