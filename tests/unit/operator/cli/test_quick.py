"""The click-free answers of the `c8y` script (``operator.cli.main``) say exactly what the click CLI says:
``c8y --help`` and a piped ``c8y sessions list``; everything else goes to click."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from c8ylink.operator.cli import root
from c8ylink.operator.cli.main import quick_answer, render_root_help


@pytest.mark.parametrize("width", [50, 60, 78, 100, 200])
def test_help_is_the_page_click_renders(width: int) -> None:
    context = click.Context(root.c8y, info_name="c8y", terminal_width=width, **root.c8y.context_settings)
    assert render_root_help(width) == root.c8y.get_help(context) + "\n"


def _home(tmp_path: Path) -> Path:
    sessions = tmp_path / ".cumulocity"
    (sessions / "eu").mkdir(parents=True)
    (sessions / "dev.json").write_text(
        json.dumps({"host": "dev.example.com", "username": "a", "password": "x"})
    )
    (sessions / "eu" / "prod.json").write_text(
        json.dumps({"HOST": "https://eu.example.com", "Tenant": "t7", "settings": {"session.mode": "prod"}})
    )
    (sessions / "broken.json").write_text("{")
    (sessions / ".key").write_text("{encrypted}00")
    return sessions


@pytest.mark.parametrize("args", [[], ["eu"], ["--sessionFilter", "dev"], ["--sessionFilter=nothing"]])
def test_piped_sessions_list_is_what_click_prints(tmp_path: Path, args: list[str]) -> None:
    _home(tmp_path)
    env = {"HOME": str(tmp_path)}
    quick = quick_answer(["sessions", "list", *args], env, stdout_tty=False)
    clicked = CliRunner().invoke(root.c8y, ["sessions", "list", *args], env=env, catch_exceptions=False)
    assert clicked.exit_code == 0
    assert quick == clicked.stdout


def test_piped_list_has_no_secrets_and_reads_keys_case_insensitively(tmp_path: Path) -> None:
    _home(tmp_path)
    lines = quick_answer(["sessions", "list"], {"HOME": str(tmp_path)}, stdout_tty=False)
    assert lines is not None
    entries = [json.loads(line) for line in lines.splitlines()]
    assert [e["name"] for e in entries] == ["dev", "prod"]
    assert entries[0]["host"] == "https://dev.example.com" and "password" not in entries[0]
    assert (entries[1]["tenant"], entries[1]["mode"]) == ("t7", "prod")


@pytest.mark.parametrize(
    "argv",
    [
        ["sessions", "list", "--debug"],
        ["sessions", "get"],
        ["--version"],
        ["sessions", "list", "--sessionFilter"],
    ],
)
def test_everything_else_goes_to_click(tmp_path: Path, argv: list[str]) -> None:
    assert quick_answer(argv, {"HOME": str(tmp_path)}, stdout_tty=False) is None


def test_on_a_terminal_the_picker_runs_instead(tmp_path: Path) -> None:
    _home(tmp_path)
    assert quick_answer(["sessions", "list"], {"HOME": str(tmp_path)}, stdout_tty=True) is None
