"""``tedge-configuration-plugin.toml`` and ``tedge-log-plugin.toml`` (thin-edge.io 1.x), parsed.

    files = [
      { path = "/etc/mosquitto/mosquitto.conf", type = "mosquitto", user = "mosquitto", mode = 0o644 },
      { path = "/etc/tedge/tedge.toml" },                  # type defaults to the path
    ]
    # log plugin: files = [{ type = "software-management", path = "/var/log/tedge/agent/software-*" }]

``parse_config_plugin`` also lists the plugin file itself (type ``tedge-configuration-plugin``), as
thin-edge does. ``mode`` is an integer (``0o644``) or an octal string (``"644"``). A bad file raises
``ConfigError`` naming the file and the entry; a type declared twice keeps the first entry.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from c8ylink.core.errors import ConfigError

CONFIG_PLUGIN_TYPE = "tedge-configuration-plugin"


@dataclass(frozen=True, slots=True)
class ConfigFileEntry:
    type: str
    path: str
    user: str | None = None
    group: str | None = None
    mode: int | None = None


@dataclass(frozen=True, slots=True)
class LogFileEntry:
    type: str
    path: str  # a glob


def parse_config_plugin(text: str, *, source: str) -> list[ConfigFileEntry]:
    entries = [ConfigFileEntry(CONFIG_PLUGIN_TYPE, source)]
    for index, item in enumerate(_files(text, source)):
        where = f"{source}: files[{index}]"
        path = _string(item, "path", where, required=True)
        assert path is not None
        entry = ConfigFileEntry(
            type=_string(item, "type", where) or path,
            path=path,
            user=_string(item, "user", where),
            group=_string(item, "group", where),
            mode=_mode(item.get("mode"), where),
        )
        if all(known.type != entry.type for known in entries):
            entries.append(entry)
    return entries


def parse_log_plugin(text: str, *, source: str) -> list[LogFileEntry]:
    entries: list[LogFileEntry] = []
    for index, item in enumerate(_files(text, source)):
        where = f"{source}: files[{index}]"
        path = _string(item, "path", where, required=True)
        kind = _string(item, "type", where, required=True)
        assert path is not None and kind is not None
        entries.append(LogFileEntry(kind, path))
    return entries


def unique_types(entries: list[ConfigFileEntry] | list[LogFileEntry]) -> list[str]:
    found: list[str] = []
    for entry in entries:
        if entry.type not in found:
            found.append(entry.type)
    return found


def _files(text: str, source: str) -> list[dict[str, Any]]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML: {exc}") from exc
    files = document.get("files", [])
    if not isinstance(files, list) or not all(isinstance(item, dict) for item in files):
        raise ConfigError(f"{source}: 'files' must be an array of tables")
    return files


def _string(item: dict[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        if required:
            raise ConfigError(f"{where} has no '{key}'")
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: '{key}' must be a string")
    return value


def _mode(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = int(value, 8)
        except ValueError:
            raise ConfigError(f"{where}: 'mode' {value!r} is not an octal number") from None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0o7777:
        raise ConfigError(f"{where}: 'mode' must be a file mode such as 0o644")
    return value
