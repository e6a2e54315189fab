"""Session modes (go-c8y-cli.md §5): which kinds of command a session allows, and how the mode is chosen.

    prod   read only (the default)         qual   no delete
    dev    everything                      ci     everything, never a confirmation prompt

Resolution (§5.2): ``--sessionMode`` > ``C8Y_MODE`` > ``C8Y_SETTINGS_SESSION_MODE`` > the session file's
``settings.session.mode`` > its legacy ``settings.mode.enable*`` booleans > the global settings file >
``prod``. CI detection (``C8Y_SETTINGS_CI`` or a CI variable) forces ``ci``. Pure: the environment and
settings are parameters.
"""

from __future__ import annotations

from collections.abc import Mapping

from c8ylink.core.errors import UsageError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.operator.sessions.model import get_setting, parse_bool
from c8ylink.operator.settings import ENV_ALIASES, LEGACY_MODE_SWITCHES, env_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MODES = ("prod", "qual", "dev", "ci")
READ, CREATE, UPDATE, DELETE = "read", "create", "update", "delete"
ALLOWED: dict[str, frozenset[str]] = {
    "prod": frozenset({READ}),
    "qual": frozenset({READ, CREATE, UPDATE}),
    "dev": frozenset({READ, CREATE, UPDATE, DELETE}),
    "ci": frozenset({READ, CREATE, UPDATE, DELETE}),
}
MODE_CHOICES = (
    ("prod", "read only"),
    ("qual", "delete disabled"),
    ("dev", "no restrictions"),
    ("ci", "no restrictions"),
)
METHOD_ACTIONS = {"GET": READ, "HEAD": READ, "POST": CREATE, "PUT": UPDATE, "PATCH": UPDATE, "DELETE": DELETE}
DEFAULT_CONFIRMATION = "PUT POST DELETE"


def parse_mode(text: str | None) -> str | None:
    """A mode name (case-insensitive), or None for empty/unknown text."""
    value = (text or "").strip().lower()
    return value if value in MODES else None


def check_mode_name(text: str) -> str:
    mode = parse_mode(text)
    if mode is None:
        raise UsageError(f"invalid mode {text!r}: use one of {', '.join(MODES)}")
    return mode


def is_ci(env: Mapping[str, str]) -> bool:
    """CI mode. ``CI``, when set, decides (as upstream, it overrides ``C8Y_SETTINGS_CI``: ``CI=false``
    turns CI mode off, any other value on); else ``C8Y_SETTINGS_CI=true`` or any other CI variable."""
    ci = (env.get("CI") or "").strip()
    if ci:
        return parse_bool(ci, True)
    if parse_bool(env.get(env_name("ci")), False):
        return True
    for name in ENV_ALIASES["ci"]:
        value = env.get(name)
        if value and not (name == "CI" and value.strip().lower() == "false"):
            return True
    return False


def legacy_mode(settings: Mapping[str, Any]) -> str | None:
    """[old] ``settings.mode.enableCreate/Update/Delete``: all -> dev, create+update -> qual, none -> prod."""
    flags = [get_setting(settings, key) for key in LEGACY_MODE_SWITCHES]
    if all(flag is None for flag in flags):
        return None
    create, update, delete = (parse_bool(flag, False) for flag in flags)
    if create and update and delete:
        return "dev"
    if create and update:
        return "qual"
    return "prod"


def resolve_mode(
    *,
    flag: str | None,
    env: Mapping[str, str],
    session_settings: Mapping[str, Any],
    global_settings: Mapping[str, Any] | None = None,
) -> str:
    if is_ci(env):
        return "ci"
    candidates = (
        flag,
        *(env.get(alias) for alias in ENV_ALIASES["session.mode"]),
        env.get(env_name("session.mode")),
        get_setting(session_settings, "session.mode"),
        legacy_mode(session_settings),
        get_setting(global_settings or {}, "session.mode"),
    )
    for candidate in candidates:
        mode = parse_mode(str(candidate) if candidate is not None else None)
        if mode is not None:
            return mode
    return "prod"


def allows(mode: str, action: str) -> bool:
    return action in ALLOWED.get(mode, ALLOWED["prod"])


def allowed_summary(mode: str) -> str:
    """``prod (allowed commands: read)`` as the banner shows it."""
    order = (READ, CREATE, UPDATE, DELETE)
    allowed = [kind for kind in order if allows(mode, kind)]
    return f"{mode} (allowed commands: {', '.join(allowed)})"


def modes_allowing(action: str) -> list[str]:
    return [mode for mode in ("dev", "qual", "ci") if allows(mode, action)]


def disabled_message(action: str) -> str:
    """go-c8y-cli's text: ``create mode is disabled. create commands are disabled unless ...``."""
    allowed = " ".join(f'"{mode}"' for mode in modes_allowing(action))
    return (
        f"{action} mode is disabled. {action} commands are disabled unless the mode is one of: [{allowed}] "
        f"(use --sessionMode dev for this command, or set-session --mode dev)"
    )


DISABLED_EXIT = int(C8yExit.USER)
