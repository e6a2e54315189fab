"""go-c8y-cli settings (``settings.*``): layered values and the few keys sessions need.

Precedence (go-c8y-cli.md §1.3): flags > ``C8Y_SETTINGS_<KEY>`` environment variables > the session
file's ``settings`` > the global settings file (``settings.json`` in ``.`` or the CLI home) > defaults.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from c8ylink.operator.sessions.model import get_setting, parse_bool

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple  # start-up: no dataclasses, no typing

# key -> default (declared once; `c8y settings list` prints them)
DEFAULTS: dict[str, Any] = {
    "session.mode": "",
    "session.confirmation": "PUT POST DELETE",
    "session.tokenValidFor": "8h",
    "session.tokenRenewBefore": "5m",
    "session.alwaysIncludePassword": False,
    "session.hide": False,
    "session.defaultUsername": "",
    "encryption.enabled": True,
    "encryption.cachePassphrase": False,
    "storage.storePassword": True,
    "storage.storeToken": True,
    "login.type": "",
    "sso.discoveryUrl": "",
    "sso.scopes": "",
    "sso.audience": "",
    "sso.browserCallbackUrl": "http://localhost:5001/callback",
    "activityLog.enabled": True,
    "defaults.insecure": False,
    "defaults.dry": False,
    "defaults.dryFormat": "markdown",
    "defaults.pageSize": 5,
    "defaults.maxWorkers": 50,
    "defaults.retries": 0,
    "defaults.retryWaitMin": "5s",
    "defaults.retryWaitMax": "50s",
    "includeAll.pageSize": 2000,
    "includeAll.delayMS": 50,
    "ci": False,
}
CLI_HOME_CANDIDATES = ("~/.go-c8y-cli", "/usr/local/etc/go-c8y-cli", "/etc/go-c8y-cli")


def env_name(key: str) -> str:
    """``session.tokenValidFor`` -> ``C8Y_SETTINGS_SESSION_TOKENVALIDFOR``."""
    return "C8Y_SETTINGS_" + key.replace(".", "_").upper()


class SettingsLayers(NamedTuple):
    env: Mapping[str, str]
    session: Mapping[str, Any] = {}  # the layers are read, never changed
    global_file: Mapping[str, Any] = {}
    flags: Mapping[str, Any] = {}

    def value(self, key: str, default: Any = None) -> Any:
        if key in self.flags and self.flags[key] is not None:
            return self.flags[key]
        wanted = env_name(key)
        for name, value in self.env.items():
            if name.upper() == wanted:
                return value
        for layer in (self.session, self.global_file):
            found = get_setting(layer, key)
            if found is not None:
                return found
        return DEFAULTS.get(key, default) if default is None else default

    def flag(self, key: str) -> bool:
        return parse_bool(self.value(key), bool(DEFAULTS.get(key, False)))

    def text(self, key: str) -> str:
        value = self.value(key)
        return "" if value is None else str(value)

    def integer(self, key: str) -> int:
        """An integer setting; a value that is not one is a ``ConfigError`` naming the key."""
        from c8ylink.core.errors import ConfigError

        value = self.value(key)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"invalid setting {key}={value!r}: expected an integer") from None


def cli_home(env: Mapping[str, str], user_home: Path) -> Path | None:
    configured = env.get("C8Y_HOME", "").strip()
    if configured:
        return Path(configured.replace("~", str(user_home), 1))
    for candidate in CLI_HOME_CANDIDATES:
        path = Path(candidate.replace("~", str(user_home), 1))
        if path.is_dir():
            return path
    return None


def load_global_settings(env: Mapping[str, str], user_home: Path, cwd: Path) -> dict[str, Any]:
    """The ``settings`` object of ``settings.json`` in ``cwd`` or the CLI home ({} when none/unreadable)."""
    home = cli_home(env, user_home)
    for folder in (cwd, home):
        if folder is None:
            continue
        path = folder / "settings.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(document, dict):
            settings = get_setting(document, "settings", {})
            return dict(settings) if isinstance(settings, Mapping) else {}
    return {}


def parse_duration(text: str | int | float, *, what: str = "duration") -> float:
    """``8h``, ``5m``, ``30s``, ``1h30m``, plain numbers = seconds."""
    from c8ylink.core.errors import ConfigError

    if isinstance(text, int | float):
        return float(text)
    value = str(text).strip().lower()
    if not value:
        return 0.0
    try:
        return float(value)
    except ValueError:
        pass
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
    total, number = 0.0, ""
    index = 0
    while index < len(value):
        char = value[index]
        if char.isdigit() or char == ".":
            number += char
            index += 1
            continue
        unit = "ms" if value.startswith("ms", index) else char
        if unit not in units or not number:
            raise ConfigError(f"invalid {what} {text!r}: use e.g. 8h, 5m or 30s")
        total += float(number) * units[unit]
        number = ""
        index += len(unit)
    if number:
        raise ConfigError(f"invalid {what} {text!r}: a number needs a unit (h, m, s)")
    return total
