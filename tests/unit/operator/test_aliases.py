"""Alias expansion as go-c8y-cli does it: placeholders, appended arguments, shell aliases, case."""

from __future__ import annotations

import pytest

from c8ylink.operator.aliases import AliasError, AliasExpansion, check_new_alias, expand_alias, merge_aliases

ALIASES = {
    "recent": 'operations list --dateFrom="-1h"',
    "byType": 'alarms list --type="$1"',
    "two": "devices list --name $1 --type $2",
    "audit": "!c8y auditrecords list | grep $1",
}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["recent"], ["operations", "list", "--dateFrom=-1h"]),
        (["recent", "-o", "csv"], ["operations", "list", "--dateFrom=-1h", "-o", "csv"]),
        (["BYTYPE", "my type"], ["alarms", "list", "--type=my type"]),
        (["byType", "t", "--pageSize", "5"], ["alarms", "list", "--type=t", "--pageSize", "5"]),
        (["two", "a*", "b"], ["devices", "list", "--name", "a*", "--type", "b"]),
    ],
)
def test_aliases_expand_with_placeholders_and_the_rest_appended(args: list[str], expected: list[str]) -> None:
    assert expand_alias(ALIASES, args) == AliasExpansion(args=expected)


def test_shell_aliases_get_the_arguments_as_positional_parameters() -> None:
    expansion = expand_alias(ALIASES, ["audit", "deleted"])
    assert expansion is not None
    assert expansion.shell_command() == ["sh", "-c", "c8y auditrecords list | grep $1", "--", "deleted"]


def test_missing_arguments_and_unknown_names() -> None:
    with pytest.raises(AliasError, match="not enough arguments for alias two"):
        expand_alias(ALIASES, ["two", "only-one"])
    assert expand_alias(ALIASES, ["nothing"]) is None


def test_session_aliases_win_over_common_ones() -> None:
    merged = merge_aliases(
        {"aliases": {"a": "devices list"}}, {"commonAliases": {"a": "x", "b": "users list"}}
    )
    assert merged == {"a": "devices list", "b": "users list"}


def test_new_aliases_must_not_shadow_commands_and_must_name_one() -> None:
    commands = frozenset({"devices", "alarms"})
    assert check_new_alias("mine", "devices list", commands) == "devices list"
    assert check_new_alias("sh", "!anything | at all", commands) == "!anything | at all"
    with pytest.raises(AliasError, match="already a c8y command"):
        check_new_alias("devices", "alarms list", commands)
    with pytest.raises(AliasError, match="does not correspond to a c8y command"):
        check_new_alias("mine", "nothing list", commands)
