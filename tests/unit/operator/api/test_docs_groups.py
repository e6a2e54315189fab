"""docs/operator.md lists every REST group, sub-group and command as the specs declare them (the table
after the ``rest-groups`` marker). When a command is added, print the rows with
``python tests/unit/operator/api/test_docs_groups.py`` and paste them."""

from __future__ import annotations

from pathlib import Path

from c8ylink.operator.api.index import GROUPS, REALTIME_COMMANDS, load_group

DOC = Path(__file__).resolve().parents[4] / "docs" / "operator.md"


def render_rows() -> list[str]:
    rows = []
    for name in sorted(GROUPS):
        group = load_group(name)
        names = [command.name for command in group.commands]
        names += [command for command, _ in REALTIME_COMMANDS.get(name, ())]  # `subscribe`, by hand
        subs: dict[str, list[str]] = {}
        for command_name in names:
            *parents, leaf = command_name.split(" ")
            subs.setdefault(" ".join(parents), []).append(leaf)
        cells = [
            (f"**{sub}**: " if sub else "") + ", ".join(sorted(leaves, key=str.lower))
            for sub, leaves in sorted(subs.items())
        ]
        rows.append(f"| `{name}` | {len(names)} | {'; '.join(cells)} |")
    return rows


def documented_rows() -> list[str]:
    text = DOC.read_text(encoding="utf-8").split("<!-- rest-groups:", 1)[1]
    table = text.split("\n\n", 1)[0].splitlines()[3:]
    return [line for line in table if line.startswith("| `")]


def test_the_docs_list_every_group_and_command() -> None:
    assert documented_rows() == render_rows()


if __name__ == "__main__":
    print("\n".join(render_rows()))
