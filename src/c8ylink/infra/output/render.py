"""Documents to text: ``--select`` (dot paths, case-insensitive, ``*`` globs), ``json``, ``csv``,
``csvheader`` and a plain ``table`` (go-c8y-cli.md §6.1).

    flat = select_paths(document, ["session.home"])       # {"session.home": "/home/me/.cumulocity"}
    render_document(flat, "csv")                            # "/home/me/.cumulocity\\n"
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from c8ylink.core.errors import UsageError

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
    """The values at ``paths`` (comma lists allowed; ``alias:path`` renames; globs match flat keys)."""
    wanted = [part.strip() for item in paths for part in item.split(",") if part.strip()]
    if not wanted:
        return dict(document)
    flat = flatten(document)
    lowered = {key.lower(): key for key in flat}
    selected: dict[str, Any] = {}
    for item in wanted:
        alias, _, path = item.rpartition(":") if ":" in item else ("", "", item)
        pattern = path.lower()
        if any(char in pattern for char in "*?"):
            for low, key in lowered.items():
                if fnmatch.fnmatchcase(low, pattern) or fnmatch.fnmatchcase(low, pattern + ".*"):
                    selected[key] = flat[key]
            continue
        prefix = [key for low, key in lowered.items() if low == pattern or low.startswith(pattern + ".")]
        for key in prefix:
            selected[(alias + key[len(path) :]) if alias else key] = flat[key]
    return selected


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def render_document(document: Mapping[str, Any], output: str, *, compact: bool = False) -> str:
    return render_rows([document], output, compact=compact)


def render_rows(rows: Sequence[Mapping[str, Any]], output: str, *, compact: bool = False) -> str:
    kind = (output or "json").lower()
    if kind not in FORMATS:
        raise UsageError(f"invalid --output {output!r}: use one of {', '.join(FORMATS)}")
    if kind == "json":
        if compact:
            return "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)
        return "".join(json.dumps(row, indent=2) + "\n" for row in rows)
    flat_rows = [flatten(row) for row in rows]
    columns = list(dict.fromkeys(key for row in flat_rows for key in row))
    if kind in ("csv", "csvheader", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t" if kind == "tsv" else ",", lineterminator="\n")
        if kind == "csvheader":
            writer.writerow(columns)
        for row in flat_rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
        return buffer.getvalue()
    return render_table(columns, [[_cell(row.get(column)) for column in columns] for row in flat_rows])


def render_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """``| a | b |`` / ``|---|---|`` / one line per row, columns padded to their widest cell."""
    widths = [max([len(column), *(len(row[i]) for row in rows)]) for i, column in enumerate(columns)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(columns), separator, *(line(row) for row in rows)]) + "\n"
