"""``c8y <group> [<sub-group>] --help`` without click: the page click would print for the group that
``operator.cli.rest.build_group`` builds, from the same spec (one group's spec is loaded, nothing else).
``tests/unit/operator/cli/test_group_pages.py`` holds the two pages equal for every group and sub-group.
"""

from __future__ import annotations

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    from c8ylink.operator.api.spec import GroupSpec

HELP_ROW = ("-h, --help", "Show this message and exit.")
USAGE_ARGS = "[OPTIONS] COMMAND [ARGS]..."


def subgroup_help(group: str, words: list[str]) -> str:
    """The one-line help of a sub-group (``devices children``)."""
    return f"{group} {' '.join(words)} commands".capitalize()


def group_rows(spec: GroupSpec, words: list[str]) -> list[tuple[str, str]] | None:
    """(name, short help) of what ``c8y <group> <words...>`` lists; None when ``words`` name no sub-group."""
    depth = len(words)
    rows: dict[str, str] = {}
    for command in spec.commands:
        parts = command.name.split(" ")
        if parts[:depth] != words or len(parts) == depth:
            continue
        if len(parts) == depth + 1:
            rows[parts[depth]] = command.description
        else:
            rows.setdefault(parts[depth], subgroup_help(spec.name, parts[: depth + 1]))
    if not words:
        from c8ylink.operator.api.index import REALTIME_COMMANDS

        rows.update(REALTIME_COMMANDS.get(spec.name, ()))
    return sorted(rows.items()) if rows else None


def render_group_help(spec: GroupSpec, doc: str, words: list[str], width: int) -> str | None:
    from c8ylink.infra.cli.help import render_help

    rows = group_rows(spec, words)
    if rows is None:
        return None
    prog = " ".join(["c8y", spec.name, *words])
    help_text = subgroup_help(spec.name, words) if words else doc
    return render_help(prog, USAGE_ARGS, help_text, (("Options", (HELP_ROW,)), ("Commands", rows)), width)
