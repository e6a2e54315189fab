"""`tedge config unset|add|remove`."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Tedge = Callable[..., Result]


def test_unset_reverts_to_the_default(tedge: Tedge, config_dir: Path) -> None:
    tedge("config", "set", "mqtt.bind.port", "1884")
    result = tedge("config", "unset", "mqtt.bind.port")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert tedge("config", "get", "mqtt.bind.port").stdout == "1883\n"
    assert "mqtt" not in tomllib.loads((config_dir / "tedge.toml").read_text())


def test_unset_of_a_key_that_is_not_set_is_silent(tedge: Tedge) -> None:
    assert tedge("config", "unset", "c8y.url").exit_code == 0


def test_unset_unknown_key(tedge: Tedge) -> None:
    assert tedge("config", "unset", "nope").exit_code == 2


def test_add_to_an_empty_list(tedge: Tedge) -> None:
    assert tedge("config", "add", "c8y.smartrest.templates", "tmplB").exit_code == 0
    assert tedge("config", "add", "c8y.smartrest.templates", "tmplA,tmplB").exit_code == 0
    assert tedge("config", "get", "c8y.smartrest.templates").stdout == '["tmplA", "tmplB"]\n'


def test_add_to_a_list_with_a_default_keeps_the_default_items(tedge: Tedge) -> None:
    tedge("config", "add", "c8y.topics", "my/topic")
    shown = tedge("config", "get", "c8y.topics").stdout
    assert '"my/topic"' in shown and '"te/+/+/+/+/m/+"' in shown


def test_add_to_a_scalar_sets_it(tedge: Tedge) -> None:
    tedge("config", "add", "c8y.url", "a.example.com")
    assert tedge("config", "get", "c8y.url").stdout == "a.example.com\n"


def test_remove_from_a_list(tedge: Tedge) -> None:
    tedge("config", "set", "c8y.smartrest.templates", "a,b,c")
    assert tedge("config", "remove", "c8y.smartrest.templates", "b,c").exit_code == 0
    assert tedge("config", "get", "c8y.smartrest.templates").stdout == '["a"]\n'


def test_remove_scalar_only_when_equal(tedge: Tedge) -> None:
    tedge("config", "set", "c8y.url", "a.example.com")
    tedge("config", "remove", "c8y.url", "b.example.com")
    assert tedge("config", "get", "c8y.url").stdout == "a.example.com\n"
    tedge("config", "remove", "c8y.url", "a.example.com")
    assert tedge("config", "get", "c8y.url").exit_code == 1


def test_add_with_a_bad_value(tedge: Tedge) -> None:
    result = tedge("config", "add", "mqtt.bind.port", "x")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: failed to add the configuration key: 'mqtt.bind.port' with value: x.\n"
    )
