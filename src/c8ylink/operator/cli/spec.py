"""The `c8y` root command declared as data, shared by the click group (``root.py``) and the click-free
``--help`` of ``main.py``; ``tests/unit/operator/cli/test_quick.py`` holds both pages equal."""

from __future__ import annotations

PROG = "c8y"
USAGE_ARGS = "[OPTIONS] COMMAND [ARGS]..."
DOC = "Cumulocity command line tool: sessions, settings and REST commands"

# name -> ("module:attribute" imported only when the command runs, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "cli": ("c8ylink.operator.cli.profile:cli_cmd", "Shell helpers (set-session) and the CLI profile"),
    "sessions": ("c8ylink.operator.cli.sessions:sessions_cmd", "Cumulocity sessions"),
    "settings": ("c8ylink.operator.cli.settings:settings_cmd", "Settings of the CLI and the active session"),
}
ALIASES = {"session": "sessions"}  # `eval "$(c8y session login)"` as the user docs write it

OPTION_ROWS: tuple[tuple[str, str], ...] = (
    ("--version", "Show the version and exit."),
    ("-h, --help", "Show this message and exit."),
)

# global flags every leaf command accepts; given before the command they are moved behind it
GLOBAL_OPTIONS_WITH_VALUE = ("--session", "--sessionMode", "--output", "-o", "--select")
GLOBAL_FLAGS = ("--insecure", "-k", "--force", "-f", "--noColor", "-M", "--verbose", "-v", "--debug", "--dry")
