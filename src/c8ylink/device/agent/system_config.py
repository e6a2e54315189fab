"""``[system]`` of ``<config-dir>/system.toml`` (tedge.md §5): how the agent reboots the device.

    [system]
    reboot = ["init", "6"]          # argv, run without a shell
    reboot_timeout_seconds = 120    # the device must have gone down by then

A missing file or table means the defaults. Errors name the file: a TOML syntax error, an unknown
field, or a value of the wrong type (``ConfigError``). Other tables (``[init]``, ``[log]``) belong to
other readers and are not checked here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from c8ylink.core.errors import ConfigError
from c8ylink.infra.files import read_text

SYSTEM_CONFIG_FILE = "system.toml"
DEFAULT_REBOOT = ("init", "6")
DEFAULT_REBOOT_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class SystemCommands:
    reboot: tuple[str, ...] = DEFAULT_REBOOT
    reboot_timeout: float = DEFAULT_REBOOT_TIMEOUT


def parse_system_commands(text: str, path: str) -> SystemCommands:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Toml syntax error in the system config file '{path}': {exc}") from None
    table = data.get("system")
    if table is None:
        return SystemCommands()
    if not isinstance(table, dict):
        raise _invalid(path, "[system] must be a table")
    unknown = sorted(set(table) - {"reboot", "reboot_timeout_seconds"})
    if unknown:
        raise _invalid(
            path, f"unknown field `{unknown[0]}` in [system], expected `reboot` or `reboot_timeout_seconds`"
        )
    reboot = table.get("reboot")
    if not isinstance(reboot, list) or not _is_argv(reboot):
        raise _invalid(path, '[system] reboot must be a non-empty array of strings, e.g. ["init", "6"]')
    timeout = table.get("reboot_timeout_seconds", DEFAULT_REBOOT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise _invalid(path, "[system] reboot_timeout_seconds must be a positive number")
    return SystemCommands(tuple(reboot), float(timeout))


def load_system_commands(config_dir: Path) -> SystemCommands:
    path = config_dir / SYSTEM_CONFIG_FILE
    text = read_text(path)
    return SystemCommands() if text is None else parse_system_commands(text, str(path))


def _is_argv(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, str) and item for item in value)


def _invalid(path: str, reason: str) -> ConfigError:
    return ConfigError(f"Invalid system config file '{path}': {reason}")
