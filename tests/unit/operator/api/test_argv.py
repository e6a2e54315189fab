"""The click-free reading of a REST command line (``operator.api.argv``) collects exactly what the click
command built from the same spec collects, for every example and for the global flags; anything it
does not read plainly is left to click (which then explains the mistake)."""

from __future__ import annotations

import shlex
from typing import Any

import click
import pytest
from click.testing import CliRunner

from c8ylink.operator.api.argv import parse_invocation
from c8ylink.operator.api.index import GROUPS, load_group
from c8ylink.operator.cli import rest, root
from c8ylink.operator.cli.spec import hoist_global_options
from c8ylink.operator.flags import GlobalFlags

EXAMPLES = [
    shlex.split(example.command)[1:]
    for name in sorted(GROUPS)
    for command in load_group(name).commands
    for example in command.examples
]
EXTRA = [
    ["devices", "list", "--pageSize=20", "--select", "id,name", "--select", "type", "-o", "CSV"],
    [
        "devices",
        "list",
        "--creationTimeDateFrom",
        "-7d",
        "--includeAll",
        "--workers",
        "3",
        "--delay",
        "200ms",
    ],
    ["--session", "other", "devices", "get", "--id", "1", "--dry", "--dryFormat", "json"],
    ["devices", "update", "--id", "1", "--id=2", "--data", "a=1", "-f", "--abortOnErrors", "0"],
    ["alarms", "list", "--status", "ACTIVE", "--status", "CLEARED", "-p", "7", "--withTotalPages"],
    ["inventory", "create", "--name=", "--header", "X-A: 1", "--header", "X-B: 2", "--noAccept"],
    ["devicemanagement", "certificates", "list", "--tenant", "t1", "--timeout", "5s", "--retries", "2"],
    ["deviceregistration", "register-ca", "--id", "a", "--id", "b", "--one-time-password", "x" * 10],
]
NOT_PLAIN = [
    ["devices", "list", "--help"],
    ["devices", "lst"],
    ["devices", "list", "--nmae", "x"],
    ["devices", "list", "--name"],
    ["devices", "list", "extra"],
    ["devices", "list", "--workers", "0"],
    ["devices", "list", "--workers", "-3"],
    ["devices", "list", "--workers", "many"],
    ["devices", "list", "--output", "xml"],
    ["devices", "list", "--delay", "soon"],
    ["devices", "list", "--agents=true"],
    ["devices", "list", "-ojson"],
    ["devices", "list", "--", "x"],
]


def click_reading(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, dict[str, Any], GlobalFlags]:
    seen: list[tuple[str, dict[str, Any], GlobalFlags]] = []

    def capture(group: str, spec: Any, raw: dict[str, Any]) -> None:
        flags = click.get_current_context().find_root().meta.get("c8y.flags", GlobalFlags())
        seen.append((spec.name, raw, flags))

    monkeypatch.setattr(rest, "run_invocation", capture)
    result = CliRunner().invoke(root.c8y, hoist_global_options(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return seen[0]


def quick_reading(args: list[str]) -> tuple[str, dict[str, Any], GlobalFlags] | None:
    hoisted = hoist_global_options(args)
    parsed = parse_invocation(load_group(hoisted[0]), hoisted[1:])
    if parsed is None:
        return None
    command, raw, flags = parsed
    return command.name, raw, flags


def _given(raw: dict[str, Any]) -> dict[str, Any]:
    """click reports every option (None, False, ()); the quick reading only what was given."""
    return {name: value for name, value in raw.items() if value not in (None, False, ())}


@pytest.mark.parametrize("args", EXAMPLES + EXTRA, ids=" ".join)
def test_quick_reading_is_what_click_reads(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    quick = quick_reading(args)
    assert quick is not None, "a plain command line must not need click"
    name, raw, flags = click_reading(args, monkeypatch)
    assert quick[0] == name
    assert _given(quick[1]) == _given(raw)
    assert quick[2] == flags


def _upstream_lines() -> list[list[str]]:
    """The stages of go-c8y-cli's examples that run a REST command (``--flag=value`` forms included)."""
    found = []
    for name in sorted(GROUPS):
        for command in load_group(name).commands:
            for example in command.upstream_examples:
                for stage in example.split("|"):
                    try:
                        words = shlex.split(stage)
                    except ValueError:
                        continue
                    if words[:2] == ["c8y", name] and "--template" not in words:
                        found.append(words[1:])
    return found


UPSTREAM = _upstream_lines()


@pytest.mark.parametrize("args", UPSTREAM, ids=[" ".join(args)[:100] for args in UPSTREAM])
def test_upstream_command_lines_read_the_same_both_ways(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the quick reading takes, it reads as click does (the rest it leaves to click)."""
    quick = quick_reading(args)
    if quick is None:
        return
    name, raw, flags = click_reading(args, monkeypatch)
    assert (quick[0], _given(quick[1]), quick[2]) == (name, _given(raw), flags)


@pytest.mark.parametrize("args", NOT_PLAIN, ids=" ".join)
def test_anything_else_is_left_to_click(args: list[str]) -> None:
    assert quick_reading(args) is None


def test_global_flag_values_are_typed() -> None:
    quick = quick_reading(EXTRA[1])
    assert quick is not None
    flags = quick[2]
    assert (flags.include_all, flags.workers, flags.delay) == (True, 3, 0.2)
    assert quick[1]["creationTimeDateFrom"] == "-7d"
