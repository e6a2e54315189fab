"""The shell code an activation prints (go-c8y-cli.md §2.1-§2.3), escaped for each shell.

Variables are emitted sorted by name; an empty value becomes an unset, so what the previous session
left behind disappears. Unlike upstream every value is quoted for its shell (a password with ``'``
survives ``eval``): bash/zsh ``'`` -> ``'\\''``; fish ``\\`` -> ``\\\\`` and ``'`` -> ``\\'``;
PowerShell ``'`` -> ``''``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from c8ylink.core.errors import UsageError

SHELLS = ("bash", "zsh", "fish", "powershell")
SESSION_VARIABLES = (
    "C8Y_BASEURL",
    "C8Y_DOMAIN",
    "C8Y_HEADER",
    "C8Y_HEADER_AUTHORIZATION",
    "C8Y_HOST",
    "C8Y_MODE",
    "C8Y_PASSWORD",
    "C8Y_SESSION",
    "C8Y_SETTINGS_LOGIN_TYPE",
    "C8Y_TENANT",
    "C8Y_TOKEN",
    "C8Y_URL",
    "C8Y_USER",
    "C8Y_USERNAME",
    "C8Y_VERSION",
)
PASSPHRASE_VARIABLES = ("C8Y_PASSPHRASE", "C8Y_PASSPHRASE_TEXT")


def detect_shell(env: Mapping[str, str]) -> str:
    """``--shell auto``: fish, bash, zsh or PowerShell from the variables they set; bash otherwise."""
    if env.get("FISH_VERSION"):
        return "fish"
    if env.get("BASH_VERSION"):
        return "bash"
    if env.get("ZSH_VERSION"):
        return "zsh"
    if env.get("PSModulePath"):
        return "powershell"
    return "bash"


def choose_shell(name: str, env: Mapping[str, str]) -> str:
    chosen = name.strip().lower()
    if chosen in ("", "auto"):
        return detect_shell(env)
    if chosen in ("sh", "bash", "zsh"):
        return "bash" if chosen == "sh" else chosen
    if chosen in ("fish", "powershell", "pwsh"):
        return "powershell" if chosen == "pwsh" else chosen
    raise UsageError(f"invalid --shell {name!r}: use auto, bash, zsh, fish or powershell")


def quote(value: str, shell: str) -> str:
    if shell == "fish":
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if shell == "powershell":
        return "'" + value.replace("'", "''") + "'"
    return "'" + value.replace("'", "'\\''") + "'"


def _set(name: str, value: str, shell: str) -> str:
    if shell == "fish":
        return f"set -gx {name} {quote(value, shell)}"
    if shell == "powershell":
        return f"$env:{name} = {quote(value, shell)}"
    return f"export {name}={quote(value, shell)}"


def _unset(name: str, shell: str) -> str:
    if shell == "fish":
        return f"set -e {name}"
    if shell == "powershell":
        return f"$env:{name} = $null"
    return f"unset {name}"


def render_env(variables: Mapping[str, str], shell: str) -> str:
    """One line per variable, sorted: set when non-empty, unset when empty."""
    lines = [
        _set(name, value, shell) if value else _unset(name, shell)
        for name, value in sorted(variables.items())
    ]
    return "\n".join(lines) + "\n" if lines else ""


def render_dotenv(variables: Mapping[str, str]) -> str:
    """``NAME=value`` for non-empty values, sorted; a value that a dotenv reader would not read back as
    it is (blanks, quotes, ``#``, ``$``, ``\\``, line breaks) is quoted (``quote_dotenv``)."""
    return "".join(f"{name}={quote_dotenv(value)}\n" for name, value in sorted(variables.items()) if value)


_DOTENV_PLAIN = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.,:/+=@%^*!?~[]{}()<>|&;"
)


def quote_dotenv(value: str) -> str:
    """A dotenv value that reads back as ``value`` (docker compose, python-dotenv): plain when it is
    only safe characters, else single-quoted (literal) when it holds no ``'`` nor line break, else
    double-quoted with ``\\``, ``\"``, ``\n`` and ``\r`` escaped (upstream wrote values as they are,
    so a password with a line break broke the file)."""
    if all(char in _DOTENV_PLAIN for char in value):
        return value
    if "'" not in value and "\n" not in value and "\r" not in value:
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def render_clear(shell: str) -> str:
    """``c8y sessions clear``: unset every session variable."""
    return render_env(dict.fromkeys(SESSION_VARIABLES, ""), shell)


def render_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"
