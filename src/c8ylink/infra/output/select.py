"""``--select`` (go-c8y-cli.md §6.1): which properties of a document to print.

A selection is a comma list (or several) of patterns, each optionally renamed with ``alias:pattern``.
A pattern is a dot path matched case-insensitively against every node of the document: ``*`` matches
one name (not across dots), ``?`` one character, ``**`` any number of names (globstar), a number an
element of a list (``c8y_SupportedOperations.0``). A matching node is taken whole (objects included).

    select_nodes({"id": "1", "c8y_Hardware": {"serialNumber": "A1"}}, parse_selection(["id,sn:**.serial*"]))
    -> [Selected("id", ("id",), "1"), Selected("sn", ("c8y_Hardware", "serialNumber"), "A1")]

``nest_selected`` builds the JSON document (nested under the original names, or the alias), the table
and CSV renderers use the flat ``Selected.column`` names. Pure.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple


class Pattern(NamedTuple):
    text: str  # as given (for messages)
    alias: str
    parts: tuple[str, ...]  # lower-cased segments


class Selected(NamedTuple):
    column: str  # the alias, or the dotted path of the node
    path: tuple[str, ...]  # the node's path in the document (original spelling)
    value: Any
    pattern: str = ""  # the pattern that matched


def parse_selection(items: Sequence[str]) -> list[Pattern]:
    patterns: list[Pattern] = []
    for item in items:
        for part in item.split(","):
            text = part.strip()
            if not text:
                continue
            alias, colon, path = text.partition(":")
            if not colon:
                alias, path = "", text
            parts = tuple(part for part in path.strip().lower().split(".") if part)
            if parts:
                patterns.append(Pattern(text, alias.strip(), parts))
    return patterns


def _nodes(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield (*path, str(key)), child
            yield from _nodes(child, (*path, str(key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*path, str(index)), child
            yield from _nodes(child, (*path, str(index)))


def matches(parts: Sequence[str], path: Sequence[str]) -> bool:
    """Whether ``path`` (original names) matches the lower-cased pattern ``parts``."""
    if not parts:
        return not path
    head, rest = parts[0], parts[1:]
    if head == "**":
        return any(matches(rest, path[skip:]) for skip in range(len(path) + 1))
    if not path:
        return False
    name = path[0].lower()
    if head == name or (any(c in head for c in "*?[") and fnmatch.fnmatchcase(name, head)):
        return matches(rest, path[1:])
    return False


def select_nodes(document: Mapping[str, Any], patterns: Sequence[Pattern]) -> list[Selected]:
    selected: list[Selected] = []
    seen: set[tuple[str, ...]] = set()
    for pattern in patterns:
        taken: list[tuple[str, ...]] = []
        for path, value in _nodes(document):
            if any(path[: len(prefix)] == prefix for prefix in taken):
                continue  # inside a node this pattern already took whole
            if matches(pattern.parts, path):
                taken.append(path)
                if path in seen:
                    continue
                seen.add(path)
                column = pattern.alias if pattern.alias else ".".join(path)
                if pattern.alias and len(taken) > 1:
                    column = f"{pattern.alias}.{'.'.join(path)}"
                selected.append(Selected(column, path, value, pattern.text))
    return selected


def nest_selected(selected: Sequence[Selected]) -> dict[str, Any]:
    """The JSON form: nodes under their original path, or at the alias."""
    document: dict[str, Any] = {}
    for item in selected:
        path = (item.column,) if item.column != ".".join(item.path) else item.path
        target = document
        for part in path[:-1]:
            child = target.get(part)
            if not isinstance(child, dict):
                child = target[part] = {}
            target = child
        target[path[-1]] = item.value
    return document


def flat_selected(selected: Sequence[Selected]) -> dict[str, Any]:
    return {item.column: item.value for item in selected}
