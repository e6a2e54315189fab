"""The variables an activation prints, per shell, sorted and escaped (go-c8y-cli.md §2.2, §2.3)."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import UsageError
from c8ylink.operator.sessions.env import (
    SESSION_VARIABLES,
    choose_shell,
    detect_shell,
    render_clear,
    render_dotenv,
    render_env,
)

VARIABLES = {"C8Y_USER": "alice", "C8Y_PASSWORD": "it's \\ $HOME", "C8Y_TOKEN": "", "C8Y_HOST": "https://h"}


@pytest.mark.parametrize(
    ("shell", "expected"),
    [
        (
            "bash",
            "export C8Y_HOST='https://h'\nexport C8Y_PASSWORD='it'\\''s \\ $HOME'\nunset C8Y_TOKEN\n"
            "export C8Y_USER='alice'\n",
        ),
        (
            "fish",
            "set -gx C8Y_HOST 'https://h'\nset -gx C8Y_PASSWORD 'it\\'s \\\\ $HOME'\nset -e C8Y_TOKEN\n"
            "set -gx C8Y_USER 'alice'\n",
        ),
        (
            "powershell",
            "$env:C8Y_HOST = 'https://h'\n$env:C8Y_PASSWORD = 'it''s \\ $HOME'\n$env:C8Y_TOKEN = $null\n"
            "$env:C8Y_USER = 'alice'\n",
        ),
    ],
)
def test_sorted_escaped_and_empty_values_unset(shell: str, expected: str) -> None:
    assert render_env(VARIABLES, shell) == expected


def test_dotenv_skips_empty_values_and_quotes_what_needs_it() -> None:
    assert render_dotenv(VARIABLES) == 'C8Y_HOST=https://h\nC8Y_PASSWORD="it\'s \\\\ $HOME"\nC8Y_USER=alice\n'


def _read_dotenv_value(text: str) -> str:
    """How docker compose / python-dotenv read one quoted value back."""
    if text.startswith("'"):
        return text[1:-1]
    if not text.startswith('"'):
        return text
    escapes = {"n": "\n", "r": "\r", '"': '"', "\\": "\\"}
    out, index, body = [], 0, text[1:-1]
    while index < len(body):
        if body[index] == "\\" and index + 1 < len(body) and body[index + 1] in escapes:
            out.append(escapes[body[index + 1]])
            index += 2
        else:
            out.append(body[index])
            index += 1
    return "".join(out)


HOSTILE = ["plain", "two words", "it's", "line1\nline2", 'q"uote', "back\\slash", "$(id)", "#hash", "cr\r"]


@pytest.mark.parametrize("password", HOSTILE)
def test_a_dotenv_password_reads_back_on_one_line(password: str) -> None:
    text = render_dotenv({"C8Y_PASSWORD": password})
    assert text.count("\n") == 1 and text.startswith("C8Y_PASSWORD=")
    assert _read_dotenv_value(text.removeprefix("C8Y_PASSWORD=").removesuffix("\n")) == password


def test_clear_unsets_every_session_variable_sorted() -> None:
    lines = render_clear("bash").splitlines()
    assert lines == [f"unset {name}" for name in sorted(SESSION_VARIABLES)]
    assert "C8Y_SETTINGS_LOGIN_TYPE" in SESSION_VARIABLES and "C8Y_MODE" in SESSION_VARIABLES


@pytest.mark.parametrize(
    ("env", "shell"),
    [
        ({"FISH_VERSION": "3"}, "fish"),
        ({"BASH_VERSION": "5"}, "bash"),
        ({"ZSH_VERSION": "5.9"}, "zsh"),
        ({"PSModulePath": "/x"}, "powershell"),
        ({}, "bash"),
    ],
)
def test_auto_shell_detection(env: dict[str, str], shell: str) -> None:
    assert detect_shell(env) == shell
    assert choose_shell("auto", env) == shell


def test_unknown_shell_is_a_usage_error() -> None:
    assert choose_shell("pwsh", {}) == "powershell"
    with pytest.raises(UsageError, match="use auto, bash, zsh, fish or powershell"):
        choose_shell("tcsh", {})
