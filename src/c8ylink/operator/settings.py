"""go-c8y-cli settings (``settings.*``), declared once as a ``core.settings`` schema, and their layers.

Every key the operator reads is a ``Key`` below: its type (``core.settings`` value types; durations in
go-c8y-cli's grammar, ``core.settings.durations.GO_DURATION``), its default and a doc line. One rule names
the environment variables (``Schema.env_name``): ``C8Y_SETTINGS_`` + the key upper-cased, dots -> ``_``
(``session.tokenValidFor`` -> ``C8Y_SETTINGS_SESSION_TOKENVALIDFOR``); ``ENV_ALIASES`` lists the few
documented short names that mean a key as well (``C8Y_MODE``, ``CI`` ...).

Precedence (go-c8y-cli.md §1.3): flags > ``C8Y_SETTINGS_<KEY>`` environment variables > the session
file's ``settings`` > the global settings file (``settings.json`` in ``.`` or the CLI home) > defaults.
The layers are JSON read case-insensitively, nested or dotted, and a bad value is an error only for the
command that reads that key: that is why ``SettingsLayers`` resolves them itself rather than with
``core.settings.resolve`` (built for one TOML file checked as a whole; see docs/development.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from c8ylink.core.errors import ConfigError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.core.settings.durations import GO_DURATION, DurationType
from c8ylink.core.settings.errors import ValueParseError
from c8ylink.core.settings.schema import Key, Literal, Schema
from c8ylink.core.settings.types import ParseContext, StrType, ValueType
from c8ylink.operator.sessions.model import get_setting, parse_bool

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple  # start-up: no dataclasses, no typing

_CTX = ParseContext()
USER_ERROR = int(C8yExit.USER)


class SwitchType(ValueType):
    """A go-c8y-cli boolean: ``true``/``false`` in any case, ``1``/``0``, ``yes``/``no``, ``on``/``off``."""

    __slots__ = ()
    kind = "bool"

    def parse(self, text: str, ctx: ParseContext) -> bool:
        value = parse_bool(text, None)  # type: ignore[arg-type]
        if value is None:
            raise ValueParseError(f"expected true or false, not {text!r}")
        return bool(value)

    def from_toml(self, raw: object, ctx: ParseContext) -> bool:
        return raw if isinstance(raw, bool) else self.parse(str(raw), ctx)

    def to_text(self, value: Any) -> str:
        return "true" if value else "false"


class IntegerType(ValueType):
    """A whole number, as text (``100``) or a JSON number."""

    __slots__ = ()
    kind = "integer"

    def parse(self, text: str, ctx: ParseContext) -> int:
        try:
            return int(text)
        except ValueError:
            raise ValueParseError("expected an integer") from None

    def from_toml(self, raw: object, ctx: ParseContext) -> int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return self.parse(str(raw), ctx)


_TEXT, _SWITCH, _INT, _DURATION = StrType(), SwitchType(), IntegerType(), DurationType(GO_DURATION)


def _key(name: str, kind: ValueType, default: str, doc: str) -> Key:
    return Key(name, kind, doc, default=Literal(default))


KEYS: tuple[Key, ...] = (
    _key("session.mode", _TEXT, "", "Session mode: prod, qual, dev or ci"),
    _key("session.confirmation", _TEXT, "PUT POST DELETE", "Methods that ask for confirmation"),
    _key("session.tokenValidFor", _DURATION, "8h", "A stored token is reused when valid this long"),
    _key("session.tokenRenewBefore", _DURATION, "5m", "Renew a token this long before it expires"),
    _key("session.alwaysIncludePassword", _SWITCH, "false", "Export the password next to a token"),
    _key("session.hide", _SWITCH, "false", "Hide sensitive information in the session banner"),
    _key("session.defaultUsername", _TEXT, "", "Username proposed by sessions create"),
    _key("encryption.enabled", _SWITCH, "true", "Encrypt passwords and tokens in session files"),
    _key("encryption.cachePassphrase", _SWITCH, "false", "Export the passphrase at activation"),
    _key("storage.storePassword", _SWITCH, "true", "Keep the password in the session file"),
    _key("storage.storeToken", _SWITCH, "true", "Keep the token in the session file"),
    _key("login.type", _TEXT, "", "Preferred login type"),
    _key("sso.discoveryUrl", _TEXT, "", "OpenID Connect discovery URL"),
    _key("sso.scopes", _TEXT, "", "OAuth2 scopes (space or comma separated)"),
    _key("sso.audience", _TEXT, "", "OAuth2 audience"),
    _key("sso.browserCallbackUrl", _TEXT, "http://localhost:5001/callback", "Browser login callback"),
    _key("activityLog.enabled", _SWITCH, "true", "Log requests to the activity log"),
    _key("activityLog.path", _TEXT, "", "Folder of the activity log (default: <session home>/activitylog)"),
    _key("activityLog.methodFilter", _TEXT, "GET PUT POST DELETE", "Methods whose requests are logged"),
    _key("defaults.insecure", _SWITCH, "false", "Default of --insecure"),
    _key("defaults.cache", _SWITCH, "false", "Default of --cache"),
    _key("defaults.noCache", _SWITCH, "false", "Default of --noCache"),
    _key("defaults.cacheTTL", _DURATION, "60s", "Default of --cacheTTL"),
    _key("defaults.cacheBodyPaths", _TEXT, "", "Default of --cacheBodyPaths"),
    _key("cache.path", _TEXT, "", "Folder of the response cache (default: <session home>/.cache)"),
    _key("cache.methods", _TEXT, "GET PUT POST DELETE", "Methods whose answers are cached (with --cache)"),
    _key("cache.keyhost", _SWITCH, "true", "The host is part of the cache key"),
    _key("cache.keyauth", _SWITCH, "true", "The Authorization header is part of the cache key (hashed)"),
    _key("defaults.dry", _SWITCH, "false", "Default of --dry"),
    _key("template.path", _TEXT, "", "Folder of the --template files (names without .jsonnet too)"),
    _key("extensions.datadir", _TEXT, "", "Folder holding extensions/ (default: the session home)"),
    _key("defaults.dryFormat", _TEXT, "markdown", "Default of --dryFormat"),
    _key("defaults.pageSize", _INT, "5", "Default of --pageSize"),
    _key("defaults.maxWorkers", _INT, "50", "Largest --workers allowed"),
    _key("defaults.retries", _INT, "0", "Default of --retries"),
    _key("defaults.retryWaitMin", _DURATION, "5s", "Shortest wait before a retry"),
    _key("defaults.retryWaitMax", _DURATION, "50s", "Longest wait before a retry"),
    _key("includeAll.pageSize", _INT, "2000", "Page size of --includeAll"),
    _key("includeAll.delayMS", _INT, "50", "Milliseconds between pages of --includeAll"),
    _key("ci", _SWITCH, "false", "CI mode: every command allowed, no confirmation"),
    # read, not listed by `c8y settings list`
    _key("defaults.session", _TEXT, "", "Default of --session"),
    _key("login.certificateUrl", _TEXT, "", "Token endpoint of certificate login"),
    # [old] session files: read from the file only, when session.mode / session.confirmation are not set
    _key("mode.enableCreate", _SWITCH, "false", "[old] create commands allowed"),
    _key("mode.enableUpdate", _SWITCH, "false", "[old] update commands allowed"),
    _key("mode.enableDelete", _SWITCH, "false", "[old] delete commands allowed"),
    _key("mode.confirmation", _TEXT, "PUT POST DELETE", "[old] methods that ask for confirmation"),
)
LEGACY_MODE_SWITCHES = ("mode.enableCreate", "mode.enableUpdate", "mode.enableDelete")
LEGACY_CONFIRMATION = "mode.confirmation"
UNLISTED = frozenset({"defaults.session", "login.certificateUrl", *LEGACY_MODE_SWITCHES, LEGACY_CONFIRMATION})
SCHEMA = Schema(KEYS, env_prefix="C8Y_SETTINGS_", unknown_key="unknown setting {key!r}")
# documented short names of a key's variable, each outranking C8Y_SETTINGS_<KEY> (go-c8y-cli.md §1.7)
ENV_ALIASES: dict[str, tuple[str, ...]] = {
    "session.mode": ("C8Y_MODE",),
    "ci": ("CI", "BUILD_ID", "BUILD_NUMBER", "RUN_ID", "CI_APP_ID", "CI_BUILD_ID", "CI_BUILD_NUMBER",
           "CI_NAME", "CONTINUOUS_INTEGRATION"),
}  # fmt: skip
CLI_HOME_CANDIDATES = ("~/.go-c8y-cli", "/usr/local/etc/go-c8y-cli", "/etc/go-c8y-cli")


def env_name(key: str) -> str:
    """``session.tokenValidFor`` -> ``C8Y_SETTINGS_SESSION_TOKENVALIDFOR`` (the one naming rule)."""
    return SCHEMA.env_name(SCHEMA.ref(key))


def default_value(key: str) -> Any:
    """A key's default as its JSON value: ``True``, ``5``, ``"8h"`` (what ``settings list`` shows)."""
    found = SCHEMA.key(key)
    assert isinstance(found.default, Literal)
    value = found.type.parse(found.default.text, _CTX)
    return value if isinstance(value, bool | int) else found.default.text


def listed_keys() -> tuple[str, ...]:
    return tuple(key.name for key in KEYS if key.name not in UNLISTED)


class SettingsLayers(NamedTuple):
    env: Mapping[str, str]
    session: Mapping[str, Any] = {}  # the layers are read, never changed
    global_file: Mapping[str, Any] = {}
    flags: Mapping[str, Any] = {}

    def value(self, key: str, default: Any = None) -> Any:
        """The raw value of ``key`` from the first layer that has it, else ``default`` or the key's."""
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
        return default_value(key) if default is None else default

    def typed(self, key: str) -> Any:
        """The value parsed with the key's type; ``ConfigError`` naming the key when it does not parse."""
        raw = self.value(key)
        try:
            return SCHEMA.key(key).type.from_toml(raw, _CTX)
        except ValueParseError as exc:  # a user error of c8y (exit 101), naming the key
            raise ConfigError(f"invalid setting {key}={raw!r}: {exc.reason}", exit_code=USER_ERROR) from None

    def flag(self, key: str) -> bool:
        """A switch; a value that is not one counts as the key's default (as go-c8y-cli ignores it)."""
        try:
            return bool(self.typed(key))
        except ConfigError:
            return bool(default_value(key))

    def text(self, key: str) -> str:
        value = self.value(key)
        return "" if value is None else str(value)

    def integer(self, key: str) -> int:
        return int(self.typed(key))

    def seconds(self, key: str) -> float:
        """A duration in seconds (``8h``, ``1h30m``, ``1.5s``, a bare number = seconds)."""
        if str(self.value(key)).strip() == "":
            return 0.0
        return float(self.typed(key).seconds)


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
