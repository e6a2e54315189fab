"""``c8y alias set | list | delete`` as processes, and aliases expanded when they are run: a session
alias with a placeholder against the local tenant, a common alias of the global settings.json, a shell
alias, and the mistakes (a command's name, no such command, missing arguments, no such alias)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Run, read_session, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def test_a_session_alias_runs_its_command_with_the_arguments(rest: C8y, sessions: Path) -> None:
    name = unique("alias-dev-")
    assert rest("devices", "create", "--name", name, "--force").code == 0
    created = rest("alias", "set", "devByName", 'devices list --name "$1"')
    assert created.code == 0, created.stderr
    assert read_session(sessions / "ops.json")["settings"]["aliases"] == {
        "devByName": 'devices list --name "$1"'
    }
    found = rest("devByName", name, "--select", "name")
    assert found.code == 0, found.stderr
    assert [json.loads(line) for line in found.stdout.splitlines()] == [{"name": name}]
    listed = rest("alias", "list")
    assert json.loads(listed.stdout) == {
        "name": "devByName",
        "command": 'devices list --name "$1"',
        "scope": "session",
    }
    assert rest("alias", "delete", "devByName").code == 0
    assert rest("devByName", name).code == 2  # no such command any more


def test_common_and_shell_aliases(rest: C8y, home: Path) -> None:
    cli_home = home / "c8yhome"
    cli_home.mkdir()
    settings = {"settings": {"commonAliases": {"who": "currentuser get --select userName"}}}
    (cli_home / "settings.json").write_text(json.dumps(settings))
    env = {"C8Y_HOME": str(cli_home)}
    who = rest("who", env=env)
    assert who.code == 0, who.stderr
    assert json.loads(who.stdout)["userName"]
    assert rest("alias", "set", "--shell", "greet", 'echo "hello $1" | tr a-z A-Z').code == 0
    greeted = rest("greet", "world")
    assert (greeted.code, greeted.stdout) == (0, "HELLO WORLD\n")
    listed = [json.loads(line) for line in rest("alias", "list", env=env).stdout.splitlines()]
    assert [(item["name"], item["scope"]) for item in listed] == [("greet", "session"), ("who", "common")]


def test_bad_aliases_are_refused(rest: C8y) -> None:
    for args, words in (
        (["alias", "set", "devices", "alarms list"], "already a c8y command"),
        (["alias", "set", "mine", "nothing list"], "does not correspond to a c8y command"),
        (["alias", "delete", "never-set"], "no such alias never-set"),
    ):
        run = rest(*args)
        assert (run.code, run.stderr.startswith("userError: ")) == (101, True), (args, run.stderr)
        assert words in run.stderr
    assert rest("alias", "set", "pair", "devices list --name $1 --type $2").code == 0
    short = rest("pair", "only-one")
    assert short.code == 107 and "not enough arguments for alias pair" in short.stderr
