"""The `c8y` root command declared as data, shared by the click group (``root.py``) and the click-free
``--help`` and fast path of ``main.py``; ``tests/unit/operator/cli/test_quick.py`` holds both pages equal.
The REST groups come from ``operator.api.index`` (no spec module is imported to list them)."""

from __future__ import annotations

from c8ylink.operator.api.index import GROUPS
from c8ylink.operator.flags import FLAGS, SWITCH, normalize_switches

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

PROG = "c8y"
USAGE_ARGS = "[OPTIONS] COMMAND [ARGS]..."
DOC = "Cumulocity command line tool: sessions, settings and REST commands"

# name -> ("module:attribute" imported only when the command runs, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "activitylog": (
        "c8ylink.operator.cli.activitylog:activitylog_cmd",
        "The activity log: the commands and requests c8y made",
    ),
    "alias": ("c8ylink.operator.cli.alias:alias_cmd", "Command shortcuts: list, set and delete aliases"),
    "api": ("c8ylink.operator.cli.api:api_cmd", "Send any REST request (method, path, body)"),
    "assert": ("c8ylink.operator.cli.assertion:assert_cmd", "Assertions on the output of other commands"),
    "cache": ("c8ylink.operator.cli.cache:cache_cmd", "The response cache of --cache: delete or renew it"),
    "cli": ("c8ylink.operator.cli.profile:cli_cmd", "Shell helpers (set-session) and the CLI profile"),
    "completion": (
        "c8ylink.operator.cli.completion:completion_cmd",
        "Completion script for bash, zsh, fish, powershell",
    ),
    "extensions": (
        "c8ylink.operator.cli.extensions:extensions_cmd",
        "Manage c8y extensions: list, install, update, delete, create",
    ),
    "realtime": (
        "c8ylink.operator.cli.realtime:realtime_cmd",
        "Realtime notifications: subscribe to measurements, events, alarms, ...",
    ),
    "sessions": ("c8ylink.operator.cli.sessions:sessions_cmd", "Cumulocity sessions"),
    "settings": ("c8ylink.operator.cli.settings:settings_cmd", "Settings of the CLI and the active session"),
    "template": ("c8ylink.operator.cli.template:template_cmd", "jsonnet templates: execute one"),
    "util": ("c8ylink.operator.cli.util:util_cmd", "Pipeline helpers: show JSON, repeat lines, CSV to JSON"),
    "version": ("c8ylink.operator.cli.util:version_cmd", "Show the version of c8y"),
}
REST_GROUPS: dict[str, str] = dict(GROUPS)  # name -> one-line help (built by operator.cli.rest)
# `eval "$(c8y session login)"` as the user docs write it; `c8y extension ...` as upstream accepts it
ALIASES = {"session": "sessions", "extension": "extensions"}

OPTION_ROWS: tuple[tuple[str, str], ...] = (
    ("--version", "Show the version and exit."),
    ("-h, --help", "Show this message and exit."),
)

# global flags every leaf command accepts; given before the command they are moved behind it
GLOBAL_OPTIONS_WITH_VALUE = tuple(name for spec in FLAGS if spec.kind != SWITCH for name in spec.names)
GLOBAL_FLAGS = tuple(name for spec in FLAGS if spec.kind == SWITCH for name in spec.names)


def is_command(name: str) -> bool:
    """Whether ``name`` is a root command (or its other name): anything else may be an alias."""
    return name in SUBCOMMANDS or name in REST_GROUPS or name in ALIASES or name.startswith("__")


def extension_rows(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(name, help) of the installed extensions: one directory listing of
    ``<C8Y_SETTINGS_EXTENSIONS_DATADIR or the session home>/extensions`` (no file is read)."""
    import os

    from c8ylink.operator.extensions.location import extensions_dir
    from c8ylink.operator.sessions.listing import home_of

    home = home_of(env, env.get("HOME") or os.path.expanduser("~"))
    try:
        entries = sorted(os.listdir(extensions_dir(env.get("C8Y_SETTINGS_EXTENSIONS_DATADIR", ""), home)))
    except OSError:
        return []
    prefix = "c8y-"
    return [
        (entry[len(prefix) :] if entry.startswith(prefix) else entry, f"Extension {entry}")
        for entry in entries
        if prefix in entry and not entry.startswith(".")
    ]


def all_commands() -> list[tuple[str, str]]:
    """(name, help) of every root command, sorted (what ``c8y --help`` lists)."""
    rows = {name: text for name, (_, text) in SUBCOMMANDS.items()}
    rows.update(REST_GROUPS)
    return sorted(rows.items())


def hoist_global_options(args: list[str]) -> list[str]:
    """Global flags given before the command (``c8y --session x sessions get``) move behind it; a global
    switch given a value (``--dry=false``) is read here (``operator.flags.normalize_switches``)."""
    items = normalize_switches(list(args))
    moved: list[str] = []
    while items and items[0].startswith("-") and items[0] not in ("-h", "--help", "--version", "--"):
        name = items[0].split("=", 1)[0]
        if name in GLOBAL_OPTIONS_WITH_VALUE:
            take = 1 if "=" in items[0] else 2
        elif name in GLOBAL_FLAGS:
            take = 1
        else:
            break
        moved += items[:take]
        items = items[take:]
    if not moved:
        return items
    separator = items.index("--") if "--" in items else len(items)
    return items[:separator] + moved + items[separator:]
