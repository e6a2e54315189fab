"""The REST specs are consistent data: the static index matches the modules, every parameter has a known
type and location, every path placeholder has its parameter, every example names its own command."""

from __future__ import annotations

import re
import shlex

import pytest

from c8ylink.operator.api.index import GROUPS, load_group
from c8ylink.operator.api.spec import LOCATIONS, METHODS, PATH, TYPES, CommandSpec, GroupSpec

SPECS = [load_group(name) for name in sorted(GROUPS)]
COMMANDS = [(group, command) for group in SPECS for command in group.commands]
IDS = [f"{group.name} {command.name}" for group, command in COMMANDS]


def test_the_index_is_the_modules() -> None:
    assert {group.name: group.description for group in SPECS} == GROUPS


@pytest.mark.parametrize(("group", "command"), COMMANDS, ids=IDS)
def test_command_declaration(group: GroupSpec, command: CommandSpec) -> None:
    assert command.method in METHODS
    assert command.kind in ("read", "create", "update", "delete")
    assert command.description and command.description[0].isupper()
    names = [param.name for param in command.params]
    assert len(names) == len(set(names)), "a flag is declared twice"
    for param in command.params:
        assert param.type in TYPES, param
        assert param.location in LOCATIONS, param
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", param.name), param
    placeholders = set(re.findall(r"{(\w+)}", command.path))
    assert placeholders == {p.target for p in command.params if p.location == PATH}
    assert sum(param.pipeline for param in command.params) <= 1
    assert command.examples or command.upstream_examples, "every command shows at least one example"
    for example in command.examples:
        words = shlex.split(example.command)
        assert words[:2] == ["c8y", group.name]
        assert " ".join(words[2:]).startswith(command.name)
