"""`tedge config list [--all] [--doc] [FILTER]`; the --doc output is a golden file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Tedge = Callable[..., Result]
GOLDEN = Path(__file__).resolve().parents[3] / "fixtures" / "tedge-config-list-doc.txt"


def test_list_shows_keys_with_values_in_schema_order(tedge: Tedge, config_dir: Path) -> None:
    tedge("config", "set", "c8y.url", "t.example.com")
    lines = tedge("config", "list").stdout.splitlines()
    assert lines[0] == f"device.key_path={config_dir}/device-certs/tedge-private-key.pem"
    assert "c8y.url=t.example.com" in lines
    assert "c8y.mqtt=t.example.com:8883" in lines
    assert lines.index("c8y.url=t.example.com") < lines.index("mqtt.bind.port=1883")
    assert not any(line.startswith("device.id=") for line in lines)


def test_list_masks_secrets(tedge: Tedge) -> None:
    tedge("config", "set", "proxy.password", "s3cret")
    output = tedge("config", "list").stdout
    assert "proxy.password=********" in output
    assert "s3cret" not in output
    assert tedge("config", "get", "proxy.password").stdout == "s3cret\n"


def test_list_filter_is_a_substring_match(tedge: Tedge) -> None:
    assert tedge("config", "list", "bind.port").stdout == (
        "c8y.proxy.bind.port=8001\nmqtt.bind.port=1883\nhttp.bind.port=8000\n"
    )


def test_list_all_adds_the_keys_without_value(tedge: Tedge) -> None:
    output = tedge("config", "list", "--all", "c8y.url").stdout
    assert output == "\nc8y.url=\n"
    output = tedge("config", "list", "--all", "mqtt.external.bind").stdout
    assert (
        output == "\nmqtt.external.bind.port=\nmqtt.external.bind.address=\nmqtt.external.bind.interface=\n"
    )


def test_list_includes_profiles_after_the_c8y_keys(tedge: Tedge) -> None:
    tedge("config", "set", "c8y.url", "second.example.com", "--profile", "second")
    lines = tedge("config", "list", "c8y").stdout.splitlines()
    last_default = max(i for i, line in enumerate(lines) if not line.startswith("c8y.profiles."))
    assert lines[last_default + 1] == "c8y.profiles.second.url=second.example.com"


def test_list_doc_matches_the_golden_file(tedge: Tedge) -> None:
    result = tedge("config", "list", "--doc")
    assert result.exit_code == 0
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(result.stdout)
    assert result.stdout == GOLDEN.read_text(), "regenerate with UPDATE_GOLDEN=1 if the change is intended"


def test_list_doc_with_filter(tedge: Tedge) -> None:
    assert tedge("config", "list", "--doc", "c8y.url").stdout == (
        "c8y.url  The domain name of the Cumulocity tenant, without scheme, port or path.\n"
        "         Example: your-tenant.cumulocity.com\n\n"
    )


def test_list_doc_does_not_need_a_readable_file(tedge: Tedge, config_dir: Path) -> None:
    config_dir.mkdir()
    (config_dir / "tedge.toml").write_text("not [toml")
    assert tedge("config", "list", "--doc", "mqtt.topic_root").exit_code == 0
