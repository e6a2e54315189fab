"""Boolean global flags take ``=true``/``=false`` as upstream's (``--dry=false``), on both readings of the
command line."""

from __future__ import annotations

import pytest

from c8ylink.operator.api.argv import parse_invocation
from c8ylink.operator.api.index import load_group
from c8ylink.operator.cli.spec import hoist_global_options
from c8ylink.operator.flags import normalize_switches, parse_switch_value


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["devices", "list", "--dry=false"], ["devices", "list"]),
        (["devices", "list", "--dry=true"], ["devices", "list", "--dry"]),
        (["devices", "list", "--dry=FALSE", "--force=1"], ["devices", "list", "--force"]),
        (["devices", "list", "--name=false"], ["devices", "list", "--name=false"]),  # not a switch
        (["devices", "list", "--dry=maybe"], ["devices", "list", "--dry=maybe"]),  # click explains
        (["api", "--", "--dry=false"], ["api", "--", "--dry=false"]),
    ],
)
def test_normalize_switches(args: list[str], expected: list[str]) -> None:
    assert normalize_switches(args) == expected


def test_switch_values() -> None:
    assert [parse_switch_value(v) for v in ("true", "True", "1", "false", "0", "no", "x")] == [
        True, True, True, False, False, False, None,
    ]  # fmt: skip


def test_hoisting_reads_switch_values_before_the_command() -> None:
    assert hoist_global_options(["--dry=true", "devices", "list"]) == ["devices", "list", "--dry"]


def test_the_fast_path_reads_them_too() -> None:
    parsed = parse_invocation(load_group("devices"), ["list", "--dry=true", "--withTotalPages=false"])
    assert parsed is not None
    _, _, flags = parsed
    assert flags.dry is True and flags.with_total_pages is False
