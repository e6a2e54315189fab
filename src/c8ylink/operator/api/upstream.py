"""go-c8y-cli's REST commands as package data (``specs/upstream/<group>.json``, written from the facts
by ``scripts/gen_specs.py`` in our spec vocabulary), turned into ``CommandSpec`` values when their group
is invoked. Only the one group's file is read.
"""

from __future__ import annotations

import json
import os

from c8ylink.operator.api.spec import CommandSpec, ParamSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DATA_DIR = os.path.join(os.path.dirname(__file__), "specs", "upstream")
_TUPLES = ("pipeline_aliases", "choices", "body_required", "upstream_examples")


def data_file(group: str) -> str:
    return os.path.join(DATA_DIR, f"{group}.json")


def has_upstream(group: str) -> bool:
    return os.path.isfile(data_file(group))


def load_upstream(group: str) -> tuple[CommandSpec, ...]:
    """The declared commands of one top-level group (sub-groups' commands are named ``children list``)."""
    if not has_upstream(group):
        return ()
    with open(data_file(group), encoding="utf-8") as handle:
        document = json.load(handle)
    return tuple(build_command(item) for item in document["commands"])


def _tuples(item: dict[str, Any]) -> dict[str, Any]:
    return {key: tuple(value) if key in _TUPLES else value for key, value in item.items()}


def build_command(item: dict[str, Any]) -> CommandSpec:
    fields = _tuples(item)
    fields["params"] = tuple(ParamSpec(**_tuples(param)) for param in item.get("params", ()))
    return CommandSpec(**fields)
