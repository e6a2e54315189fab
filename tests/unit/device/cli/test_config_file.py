"""tedge.toml on disk: comments and order kept, corrupt files reported and never overwritten, unknown
keys warned about, old key names migrated on the next write."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Tedge = Callable[..., Result]

COMMENTED = """\
# Managed by hand, please keep this comment
[device]
type = "gateway" # our gateways

[c8y]
# the production tenant
url = "prod.example.com"

[mqtt.bind]
port = 1883
"""


def write(config_dir: Path, text: str) -> Path:
    config_dir.mkdir(exist_ok=True)
    path = config_dir / "tedge.toml"
    path.write_text(text)
    return path


def test_set_keeps_comments_and_order(tedge: Tedge, config_dir: Path) -> None:
    path = write(config_dir, COMMENTED)
    assert tedge("config", "set", "c8y.root_cert_path", "/etc/tedge/ca.pem").exit_code == 0
    assert tedge("config", "set", "c8y.bridge.topic_prefix", "c8y-prod", "--profile", "prod").exit_code == 0
    assert path.read_text() == (
        "# Managed by hand, please keep this comment\n"
        "[device]\n"
        'type = "gateway" # our gateways\n'
        "\n"
        "[c8y]\n"
        "# the production tenant\n"
        'url = "prod.example.com"\n'
        'root_cert_path = "/etc/tedge/ca.pem"\n'
        "\n"
        "[c8y.profiles.prod.bridge]\n"
        'topic_prefix = "c8y-prod"\n'
        "\n"
        "[mqtt.bind]\n"
        "port = 1883\n"
        "\n"
        "[config]\n"
        'version = "2"\n'
    )


def test_unset_keeps_the_rest(tedge: Tedge, config_dir: Path) -> None:
    path = write(config_dir, COMMENTED)
    tedge("config", "unset", "mqtt.bind.port")
    text = path.read_text()
    assert "# the production tenant" in text and "mqtt" not in text


@pytest.mark.parametrize(
    "command",
    [("config", "get", "c8y.url"), ("config", "list"), ("config", "set", "c8y.url", "new.example.com"),
     ("config", "unset", "c8y.url"), ("connect", "c8y")],
    ids=["get", "list", "set", "unset", "connect"],
)  # fmt: skip
def test_corrupt_file_gives_one_error_naming_file_and_line(
    tedge: Tedge, config_dir: Path, command: tuple[str, ...]
) -> None:
    broken = '[c8y]\nurl = "prod.example.com"\nroot_cert_path = /etc/ssl\n'
    path = write(config_dir, broken)
    result = tedge(*command)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"Failed to parse {path}: TOML parse error at line 3, column 1" in result.stderr or (
        f"Failed to parse {path}: TOML parse error at line 3" in result.stderr
    )
    assert result.stderr.count("Error:") == 1
    assert path.read_text() == broken


def test_unknown_keys_in_the_file_are_warnings(tedge: Tedge, config_dir: Path) -> None:
    path = write(config_dir, '[c8y]\nurl = "a.example.com"\nsurl = "typo"\n')
    result = tedge("config", "get", "c8y.url")
    assert result.stdout == "a.example.com\n"
    assert result.stderr == f'warning: Unknown configuration field "c8y.surl" from toml file {path}\n'


def test_invalid_value_in_the_file(tedge: Tedge, config_dir: Path) -> None:
    path = write(config_dir, '[mqtt.bind]\nport = "high"\n')
    result = tedge("config", "get", "mqtt.bind.port")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: failed to get the configuration value for key: 'mqtt.bind.port'\n\nCaused by:\n"
        f"    0: Invalid value for 'mqtt.bind.port' in {path}\n    1: invalid digit found in string\n"
    )
    assert tedge("config", "set", "mqtt.bind.port", "1884").exit_code == 0
    assert tedge("config", "get", "mqtt.bind.port").stdout == "1884\n"


def test_old_key_names_are_read_and_migrated_on_the_next_write(tedge: Tedge, config_dir: Path) -> None:
    path = write(config_dir, '[mqtt]\nport = 1885\n\n[c8y]\nsmartrest_templates = ["t1"]\n')
    assert tedge("config", "get", "mqtt.bind.port").stdout == "1885\n"
    assert tedge("config", "get", "c8y.smartrest.templates").stdout == '["t1"]\n'
    assert tedge("config", "set", "device.type", "gw").exit_code == 0
    text = path.read_text()
    assert "port = 1885" in text and "[mqtt.bind]" in text and "smartrest_templates" not in text
    assert tedge("config", "get", "mqtt.bind.port").stdout == "1885\n"


def test_dotted_keys_and_inline_tables_are_understood(tedge: Tedge, config_dir: Path) -> None:
    write(config_dir, 'c8y.url = "dotted.example.com"\nmqtt = { bind = { port = 1999 } }\n')
    assert tedge("config", "get", "c8y.url").stdout == "dotted.example.com\n"
    assert tedge("config", "get", "mqtt.client.port").stdout == "1999\n"
    assert tedge("config", "set", "c8y.root_cert_path", "/ca.pem").exit_code == 0
    assert tedge("config", "get", "c8y.root_cert_path").stdout == "/ca.pem\n"


def test_set_creates_a_missing_config_dir(tedge: Tedge, tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert tedge("--config-dir", str(target), "config", "set", "c8y.url", "x.example.com").exit_code == 0
    assert (target / "tedge.toml").exists()


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads any directory; tests/e2e covers this as another user"
)
def test_unreadable_config_dir(tedge: Tedge, config_dir: Path) -> None:
    write(config_dir, '[c8y]\nurl = "a.example.com"\n')
    config_dir.chmod(0)
    try:
        result = tedge("config", "get", "c8y.url")
    finally:
        config_dir.chmod(0o755)
    assert result.exit_code == 1
    assert f"Could not access {config_dir}: Permission denied (os error 13)" in result.stderr
