from __future__ import annotations

import pytest

from c8ylink.core.errors import ConfigError
from c8ylink.core.log_selection import select_lines, tail_matching
from c8ylink.core.plugin_files import (
    ConfigFileEntry,
    LogFileEntry,
    parse_config_plugin,
    parse_log_plugin,
    unique_types,
)

CONFIG = """
[[files]]
path = "/etc/mosquitto/mosquitto.conf"
type = "mosquitto"
user = "mosquitto"
group = "root"
mode = 0o644

[[files]]
path = "/etc/tedge/tedge.toml"

[[files]]
path = "/etc/other"
type = "mosquitto"

[[files]]
path = "/etc/app"
type = "app"
mode = "600"
"""


def test_config_plugin_entries() -> None:
    entries = parse_config_plugin(CONFIG, source="/etc/tedge/plugins/tedge-configuration-plugin.toml")
    assert entries == [
        ConfigFileEntry("tedge-configuration-plugin", "/etc/tedge/plugins/tedge-configuration-plugin.toml"),
        ConfigFileEntry("mosquitto", "/etc/mosquitto/mosquitto.conf", "mosquitto", "root", 0o644),
        ConfigFileEntry("/etc/tedge/tedge.toml", "/etc/tedge/tedge.toml"),
        ConfigFileEntry("app", "/etc/app", mode=0o600),
    ]
    assert unique_types(entries)[1:] == ["mosquitto", "/etc/tedge/tedge.toml", "app"]


def test_an_empty_file_declares_only_itself() -> None:
    assert [entry.type for entry in parse_config_plugin("", source="p")] == ["tedge-configuration-plugin"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("files = [", "p is not valid TOML"),
        ("files = 3", "'files' must be an array of tables"),
        ("files = [{ type = 'a' }]", r"p: files\[0\] has no 'path'"),
        ("files = [{ path = 1 }]", "'path' must be a string"),
        ("files = [{ path = '/a', mode = 'rw' }]", "'mode' 'rw' is not an octal number"),
        ("files = [{ path = '/a', mode = 99999 }]", "'mode' must be a file mode"),
    ],
)
def test_config_plugin_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config_plugin(text, source="p")


def test_log_plugin_entries() -> None:
    text = 'files = [{ type = "agent", path = "/var/log/tedge/agent/*" }, { type = "agent", path = "/x" }]'
    entries = parse_log_plugin(text, source="p")
    assert entries == [LogFileEntry("agent", "/var/log/tedge/agent/*"), LogFileEntry("agent", "/x")]
    assert unique_types(entries) == ["agent"]
    with pytest.raises(ConfigError, match="has no 'type'"):
        parse_log_plugin('files = [{ path = "/x" }]', source="p")


def test_tail_matching_and_selection() -> None:
    assert tail_matching(["a1", "b", "a2", "a3"], search_text="a", limit=2) == ["a2", "a3"]
    assert tail_matching(["a", "b"], search_text="", limit=5) == ["a", "b"]
    newest, older = ["n1", "n2"], ["o1", "o2", "o3"]
    assert select_lines([newest, older], search_text="", limit=3) == ["o3", "n1", "n2"]
    assert select_lines([newest, older], search_text="", limit=1) == ["n2"]
    assert select_lines([newest, older], search_text="o", limit=10) == ["o1", "o2", "o3"]
