"""Session modes (go-c8y-cli.md §5): matrix, resolution order, CI detection, the gate and confirmation."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from c8ylink.core.errors import SessionError, UsageError
from c8ylink.infra.prompts import NoPrompter, PromptCancelled
from c8ylink.operator.gate import CommandIntent, GateOptions, WriteGate, parse_confirmation
from c8ylink.operator.modes import allowed_summary, allows, is_ci, legacy_mode, resolve_mode

CREATE = CommandIntent("c8y inventory create", "POST", "Create managed object", "name=hello")
DELETE = CommandIntent("c8y inventory delete", "DELETE", "Delete managed object", "12")
READ = CommandIntent("c8y devices list", "GET")


class ScriptedAnswers:
    """What a person types, in order (the real terminal is covered by the pexpect tests)."""

    interactive = True

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.shown: list[str] = []

    def text(self, label: str, *, default: str = "", required: bool = True) -> str:
        self.shown.append(label)
        return self.answers.pop(0)

    def secret(self, label: str) -> str:
        return self.text(label)

    def select(self, label: str, choices: Sequence[tuple[str, str]], *, default: str | None = None) -> str:
        return self.text(label)

    def confirm(self, label: str, *, default: bool = True) -> bool:
        return self.text(label) == "y"

    def write(self, text: str) -> None:
        self.shown.append(text)


@pytest.mark.parametrize(
    ("mode", "read", "create", "update", "delete"),
    [
        ("prod", True, False, False, False),
        ("qual", True, True, True, False),
        ("dev", True, True, True, True),
        ("ci", True, True, True, True),
    ],
)
def test_mode_matrix(mode: str, read: bool, create: bool, update: bool, delete: bool) -> None:
    assert [allows(mode, kind) for kind in ("read", "create", "update", "delete")] == [
        read,
        create,
        update,
        delete,
    ]


def test_prod_banner_text() -> None:
    assert allowed_summary("prod") == "prod (allowed commands: read)"


def test_resolution_order() -> None:
    file_settings = {"session": {"mode": "qual"}}
    env = {"C8Y_MODE": "dev", "C8Y_SETTINGS_SESSION_MODE": "prod"}
    assert resolve_mode(flag="ci", env=env, session_settings=file_settings) == "ci"
    assert resolve_mode(flag=None, env=env, session_settings=file_settings) == "dev"
    env.pop("C8Y_MODE")
    assert resolve_mode(flag=None, env=env, session_settings=file_settings) == "prod"
    assert resolve_mode(flag=None, env={}, session_settings=file_settings) == "qual"
    assert (
        resolve_mode(flag=None, env={}, session_settings={}, global_settings={"session.mode": "dev"}) == "dev"
    )
    assert resolve_mode(flag=None, env={}, session_settings={}) == "prod"
    assert resolve_mode(flag="bogus", env={}, session_settings={}) == "prod"


def test_legacy_booleans() -> None:
    three = {"mode": {"enableCreate": True, "enableUpdate": True, "enableDelete": True}}
    assert legacy_mode(three) == "dev"
    assert legacy_mode({"mode": {"enableCreate": "true", "enableUpdate": "true"}}) == "qual"
    assert legacy_mode({"mode": {"enableCreate": False}}) == "prod"
    assert legacy_mode({}) is None
    assert resolve_mode(flag=None, env={}, session_settings=three) == "dev"


@pytest.mark.parametrize(
    ("env", "ci"),
    [
        ({"CI": "true"}, True),
        ({"CI": "false"}, False),
        ({"BUILD_ID": "7"}, True),
        ({"CONTINUOUS_INTEGRATION": "1"}, True),
        ({"C8Y_SETTINGS_CI": "true"}, True),
        ({"C8Y_SETTINGS_CI": "true", "CI": "false"}, False),  # CI, when set, overrides the setting
        ({"C8Y_SETTINGS_CI": "false", "CI": "true"}, True),
        ({"C8Y_SETTINGS_CI": "false", "CI": "1"}, True),
        ({"C8Y_SETTINGS_CI": "true", "CI": ""}, True),  # empty: not set
        ({}, False),
    ],
)
def test_ci_detection_forces_ci_mode(env: dict[str, str], ci: bool) -> None:
    assert is_ci(env) is ci
    assert (resolve_mode(flag="prod", env=env, session_settings={}) == "ci") is ci


def test_write_in_prod_without_terminal_is_the_upstream_error() -> None:
    gate = WriteGate(GateOptions(mode="prod"), NoPrompter())
    with pytest.raises(SessionError) as caught:
        gate.check(CREATE)
    assert caught.value.exit_code == 101
    assert str(caught.value).startswith(
        'create mode is disabled. create commands are disabled unless the mode is one of: ["dev" "qual" "ci"]'
    )
    with pytest.raises(SessionError, match=r'one of: \["dev" "ci"\]'):
        WriteGate(GateOptions(mode="qual", force=True), NoPrompter()).check(DELETE)


def test_reads_and_dry_runs_pass_any_mode() -> None:
    WriteGate(GateOptions(mode="prod"), NoPrompter()).check(READ)
    WriteGate(GateOptions(mode="prod", dry=True), NoPrompter()).check(CREATE)


def test_mode_mismatch_on_a_terminal_shows_the_banner_and_asks() -> None:
    answers = ScriptedAnswers("y", "y")
    WriteGate(GateOptions(mode="prod", banner="mode : prod (allowed commands: read)"), answers).check(CREATE)
    text = "".join(answers.shown)
    assert "Session Mode Mismatch This command (c8y inventory create) is disabled in the session" in text
    assert "mode : prod (allowed commands: read)" in text
    assert "c8y inventory create --sessionMode dev" in text
    with pytest.raises(PromptCancelled) as caught:
        WriteGate(GateOptions(mode="prod"), ScriptedAnswers("n")).check(CREATE)
    assert caught.value.exit_code == 2


def test_confirmation_yes_all_and_no() -> None:
    answers = ScriptedAnswers("", "a")
    gate = WriteGate(GateOptions(mode="dev"), answers)
    gate.check(CREATE)  # default is yes
    assert (
        answers.shown[0]
        == "Create managed object on name=hello? [y] Yes [a] Yes to All [n] No. Default is 'y'"
    )
    gate.check(CREATE)  # a = yes to all
    gate.check(CREATE)  # no question any more
    assert len(answers.shown) == 2
    with pytest.raises(PromptCancelled):
        WriteGate(GateOptions(mode="dev"), ScriptedAnswers("n")).check(DELETE)


def test_confirmation_skipped_with_force_ci_or_methods_not_listed() -> None:
    WriteGate(GateOptions(mode="dev", force=True), NoPrompter()).check(CREATE)
    WriteGate(GateOptions(mode="ci"), NoPrompter()).check(DELETE)
    WriteGate(GateOptions(mode="dev", confirmation=parse_confirmation("DELETE")), NoPrompter()).check(CREATE)


def test_confirmation_without_terminal_names_force() -> None:
    with pytest.raises(UsageError, match=r"needs confirmation: no terminal to ask on \(add --force\)"):
        WriteGate(GateOptions(mode="dev"), NoPrompter()).check(CREATE)
