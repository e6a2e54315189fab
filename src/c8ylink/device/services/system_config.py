"""``<config-dir>/system.toml``: which service manager runs the tedge services, and how (pure parsing).

The ``[init]`` table names the service manager and gives one command per action, each an argv list
in which ``{}`` stands for the service name (tedge.md §5)::

    [init]
    name = "systemd"
    is_available = ["/bin/systemctl", "--version"]
    restart = ["/bin/systemctl", "restart", "{}"]
    stop = ["/bin/systemctl", "stop", "{}"]
    start = ["/bin/systemctl", "start", "{}"]       # optional: defaults to the restart command
    enable = ["/bin/systemctl", "enable", "{}"]
    disable = ["/bin/systemctl", "disable", "{}"]
    is_active = ["/bin/systemctl", "is-active", "{}"]

No file means systemd (``SYSTEMD``). Other tables (``[system]``, ``[log]``, ...) belong to other
components and are left alone; inside ``[init]`` every key is checked, so a misspelt action is an
error instead of a command that silently never runs. ``build_command`` fills in the service name and
refuses a template without ``{}`` with upstream's error text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from c8ylink.core.errors import ConfigError, ServiceError

SYSTEM_CONFIG_FILE = "system.toml"
PLACEHOLDER = "{}"

# the actions, in the order upstream documents them; ``start`` may be left out
ACTIONS = ("is_available", "restart", "stop", "start", "enable", "disable", "is_active")
OPTIONAL_ACTIONS = ("start",)
_INIT_KEYS = ("name", *ACTIONS)


@dataclass(frozen=True, slots=True)
class InitConfig:
    """The ``[init]`` table: the service manager's name and an argv template per action."""

    name: str
    is_available: tuple[str, ...]
    restart: tuple[str, ...]
    stop: tuple[str, ...]
    start: tuple[str, ...]
    enable: tuple[str, ...]
    disable: tuple[str, ...]
    is_active: tuple[str, ...]

    def template(self, action: str) -> tuple[str, ...]:
        if action not in ACTIONS:
            raise ValueError(f"not a service action: {action}")
        value: tuple[str, ...] = getattr(self, action)
        return value


SYSTEMD = InitConfig(
    name="systemd",
    is_available=("/bin/systemctl", "--version"),
    restart=("/bin/systemctl", "restart", PLACEHOLDER),
    stop=("/bin/systemctl", "stop", PLACEHOLDER),
    start=("/bin/systemctl", "start", PLACEHOLDER),
    enable=("/bin/systemctl", "enable", PLACEHOLDER),
    disable=("/bin/systemctl", "disable", PLACEHOLDER),
    is_active=("/bin/systemctl", "is-active", PLACEHOLDER),
)


@dataclass(frozen=True, slots=True)
class SystemConfig:
    """What tedge reads from ``system.toml``; ``path`` is the file (named in error messages)."""

    path: str
    init: InitConfig = SYSTEMD


def syntax_error(path: str, reason: str) -> ConfigError:
    return ConfigError(f"Toml syntax error in the system config file '{path}': {reason}")


def parse_system_config(data: Mapping[str, Any] | None, path: str) -> SystemConfig:
    """The settings of a parsed ``system.toml`` (``None``: there is no file, so systemd)."""
    if data is None or "init" not in data:
        return SystemConfig(path)
    table = data["init"]
    if not isinstance(table, Mapping):
        raise syntax_error(path, "invalid type for `init`: expected a table")
    unknown = [key for key in table if key not in _INIT_KEYS]
    if unknown:
        expected = ", ".join(f"`{key}`" for key in _INIT_KEYS)
        raise syntax_error(path, f"unknown field `{unknown[0]}` in [init], expected one of {expected}")
    missing = [key for key in _INIT_KEYS if key not in table and key not in OPTIONAL_ACTIONS]
    if missing:
        raise syntax_error(path, f"missing field `{missing[0]}` in [init]")
    name = table["name"]
    if not isinstance(name, str) or not name:
        raise syntax_error(path, "invalid value for `name` in [init]: expected a non-empty string")
    commands = {action: _argv(table, action, path) for action in ACTIONS if action in table}
    commands.setdefault("start", commands["restart"])
    return SystemConfig(path, InitConfig(name=name, **commands))


def _argv(table: Mapping[str, Any], action: str, path: str) -> tuple[str, ...]:
    value = table[action]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise syntax_error(path, f"invalid type for `{action}` in [init]: expected an array of strings")
    if not value:
        raise ServiceError(
            f"Syntax error in the system config file for '{action}': Requires 1 or more arguments.\n"
            f"Check '{path}' file."
        )
    return tuple(value)


def build_command(config: SystemConfig, action: str, service: str | None = None) -> tuple[str, ...]:
    """The argv of ``action`` for ``service``, ``{}`` replaced (``is_available`` takes no service)."""
    template = config.init.template(action)
    if action == "is_available":
        return template
    if not any(PLACEHOLDER in item for item in template):
        raise ServiceError(
            f"Syntax error in the system config file for '{action}': A placeholder '{{}}' is missing.\n"
            f"Check '{config.path}' file."
        )
    assert service is not None, f"{action} needs a service name"
    return tuple(item.replace(PLACEHOLDER, service) for item in template)


def render_command(argv: Sequence[str]) -> str:
    """How error messages show a command: the arguments joined by spaces."""
    return " ".join(argv)
