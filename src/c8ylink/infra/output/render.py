"""Documents to text: ``json`` (pretty or compact lines), ``csv``, ``csvheader``, ``tsv`` and a plain
``table`` (go-c8y-cli.md §6.1); ``--select`` lives in ``infra.output.select``.

    flat = select_paths(document, ["session.home"])       # {"session.home": "/home/me/.cumulocity"}
    select_document(document, ["session.home"], "json")     # {"session": {"home": "/home/me/.cumulocity"}}
    render_document(flat, "csv")                            # "/home/me/.cumulocity\\n"
    render_rows(rows, "table", columns=["id", "name"])      # fixed columns (a view or a selection)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from c8ylink.core.errors import UsageError
from c8ylink.infra.output.select import nest_selected, parse_selection, select_nodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMATS = ("json", "csv", "csvheader", "table", "tsv")


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def select_paths(document: Mapping[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """The values at ``paths`` as flat ``dotted.name -> value`` (objects are flattened below their name)."""
    patterns = parse_selection(paths)
    if not patterns:
        return dict(document)
    selected: dict[str, Any] = {}
    for item in select_nodes(document, patterns):
        if isinstance(item.value, Mapping) and item.value:
            selected.update(flatten(item.value, item.column + "."))
        else:
            selected[item.column] = item.value
    return selected


def select_document(document: Mapping[str, Any], paths: Sequence[str], output: str) -> dict[str, Any]:
    """``--select`` on one document: JSON keeps the nesting (``{"session": {"home": ...}}``, go-c8y-cli.md
    §6.1), the other formats get the dotted names of ``select_paths``."""
    if output != "json":
        return select_paths(document, paths)
    patterns = parse_selection(paths)
    return nest_selected(select_nodes(document, patterns)) if patterns else dict(document)


def format_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def render_json(document: Any, *, compact: bool) -> str:
    if compact:
        return json.dumps(document, separators=(",", ":")) + "\n"
    return json.dumps(document, indent=2) + "\n"


def render_document(document: Mapping[str, Any], output: str, *, compact: bool = False) -> str:
    return render_rows([document], output, compact=compact)


def check_format(output: str) -> str:
    kind = (output or "json").lower()
    if kind not in FORMATS:
        raise UsageError(f"invalid --output {output!r}: use one of {', '.join(FORMATS)}")
    return kind


def render_rows(
    rows: Sequence[Mapping[str, Any]],
    output: str,
    *,
    compact: bool = False,
    columns: Sequence[str] | None = None,
    header: bool = True,
) -> str:
    """``columns``: the flat names to print, in order (default: every flattened key of the rows);
    ``header``: whether ``csvheader``/``table`` print the header line (False for a continuation)."""
    kind = check_format(output)
    if kind == "json":
        return "".join(render_json(row, compact=compact) for row in rows)
    flat_rows = [flatten(row) for row in rows]
    names = list(columns) if columns is not None else list(dict.fromkeys(k for row in flat_rows for k in row))
    cells = [[format_cell(_cell_value(row, name)) for name in names] for row in flat_rows]
    if kind in ("csv", "csvheader", "tsv"):
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t" if kind == "tsv" else ",", lineterminator="\n")
        if kind == "csvheader" and header:
            writer.writerow(names)
        writer.writerows(cells)
        return buffer.getvalue()
    return render_table(names, cells)


def _cell_value(flat_row: Mapping[str, Any], name: str) -> Any:
    if name in flat_row:
        return flat_row[name]
    prefix = name + "."
    nested = {key[len(prefix) :]: value for key, value in flat_row.items() if key.startswith(prefix)}
    return nested or None


def render_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """``| a | b |`` / ``|---|---|`` / one line per row, columns padded to their widest cell."""
    widths = [max([len(column), *(len(row[i]) for row in rows)]) for i, column in enumerate(columns)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(columns), separator, *(line(row) for row in rows)]) + "\n"
