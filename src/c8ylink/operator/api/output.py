"""How the results of a REST command reach stdout: ``Printer`` (thread-safe: workers share it).

JSON: one document per line when piped (``--compact``), indented on a terminal; csv/csvheader/tsv
stream row by row (one header); a table is drawn when the command ends (it needs the widths). Columns
come from ``--select``, else from the view (``--view auto`` on a terminal), else every property. A
``--select`` pattern that matched nothing in any row is reported on stderr once, at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from c8ylink.core.errors import UsageError
from c8ylink.infra.output.render import flatten, render_json, render_rows
from c8ylink.infra.output.select import Pattern, flat_selected, nest_selected, parse_selection, select_nodes
from c8ylink.operator.api.views import BY_NAME, ViewSpec, view_columns

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple, TextIO
else:
    from c8ylink.core.records import NamedTuple

USER_ERROR = 101


class OutputOptions(NamedTuple):
    format: str = "json"
    select: tuple[str, ...] = ()
    view: str = "off"
    compact: bool = True
    raw: bool = False
    flatten: bool = False
    filters: tuple[str, ...] = ()  # --filter expressions (operator.api.filters)
    output_template: str | None = None  # --outputTemplate (operator.templates)
    template_path: str = ""
    extensions_dir: str = ""  # `<ext>::` templates and views (operator.extensions)
    views: tuple[ViewSpec, ...] = ()  # the installed extensions' views, ahead of the built-in ones


def check_view(view: str, extra: Sequence[ViewSpec] = ()) -> str:
    if view in ("auto", "off") or view in BY_NAME or any(spec.name == view for spec in extra):
        return view
    names = ", ".join(["auto", "off", *BY_NAME, *(spec.name for spec in extra)])
    raise UsageError(f"unknown --view {view!r}: use one of {names}", exit_code=USER_ERROR)


class Printer:
    def __init__(self, options: OutputOptions, out: TextIO, err: TextIO) -> None:
        self.options = options
        self.out = out
        self.err = err
        self.patterns: list[Pattern] = parse_selection(options.select)
        self._matched: set[str] = set()
        self._first_keys: list[str] = []
        self._lock = threading.Lock()
        self._columns: list[str] = []
        self._table: list[Mapping[str, Any]] = []
        self._rows = 0
        self._keep: Callable[[Sequence[Mapping[str, Any]]], list[Mapping[str, Any]]] | None = None
        if options.filters:
            from datetime import UTC, datetime

            from c8ylink.operator.api.filters import filter_items, parse_filters

            rules, now = parse_filters(options.filters), datetime.now(UTC)  # bad ones fail before a request
            self._keep = lambda items: filter_items(items, rules, now)
        self._shaped_by_template = 0
        if options.output_template:
            from c8ylink.operator.templates import load_template

            self._output_template = load_template(
                options.output_template, [options.template_path], options.extensions_dir
            )

    def text(self, text: str) -> None:
        """Text printed as it is (dry runs)."""
        with self._lock:
            self.out.write(text)
            self.out.flush()

    def content(self, content: bytes) -> None:
        """A body that is not JSON (a binary, CSV) written as it came: bytes when stdout takes them."""
        with self._lock:
            self.out.flush()
            binary = getattr(self.out, "buffer", None)
            if binary is not None:
                binary.write(content)
                binary.flush()
            else:
                self.out.write(content.decode("utf-8", errors="replace"))
                self.out.flush()

    def document(self, document: Any) -> None:
        """A document printed as it is (``--raw``, dry runs in json)."""
        with self._lock:
            self.out.write(render_json(document, compact=self.options.compact))
            self.out.flush()

    def items(self, items: Sequence[Mapping[str, Any]], *, piped: Any = None) -> None:
        """``piped``: what was piped in for these results (``input.value`` of ``--outputTemplate``)."""
        if self._keep is not None:
            items = self._keep(items)
        if self.options.output_template:
            items = self._templated(items, piped)
        if not items:
            return
        with self._lock:
            shaped = [self._shape(item) for item in items]
            self._write(shaped)

    def _templated(self, items: Sequence[Mapping[str, Any]], piped: Any) -> list[Mapping[str, Any]]:
        from c8ylink.operator.templates import TemplateInput, render_template

        shaped: list[Mapping[str, Any]] = []
        for item in items:
            with self._lock:
                self._shaped_by_template += 1
                number = self._shaped_by_template
            result = render_template(self._output_template, TemplateInput(piped, number), output=dict(item))
            shaped.append(result if isinstance(result, dict) else {"value": result})
        return shaped

    def _shape(self, item: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """(the row to print, its columns) after select or view."""
        if not self._first_keys:
            self._first_keys = list(item)
        json_output = self.options.format == "json"
        columns: list[str] = []
        row: dict[str, Any] = dict(item)
        view = None if self.patterns else view_columns(item, self.options.view, self.options.views)
        if self.patterns or view is not None:
            patterns = self.patterns or parse_selection([",".join(view or ())])
            nodes = select_nodes(item, patterns)
            if self.patterns:
                self._matched.update(node.pattern for node in nodes)
            columns = list(view) if view is not None else [node.column for node in nodes]
            row = nest_selected(nodes) if json_output else flat_selected(nodes)
        if json_output and self.options.flatten:
            row = flatten(row)
        return row, columns

    def _write(self, shaped: list[tuple[dict[str, Any], list[str]]]) -> None:
        kind = self.options.format
        if kind == "json":
            self.out.write("".join(render_json(row, compact=self.options.compact) for row, _ in shaped))
            self.out.flush()
            return
        for _, columns in shaped:
            self._columns += [column for column in columns if column not in self._columns]
        if kind == "table":
            self._table += [row for row, _ in shaped]
            return
        rows = [row for row, _ in shaped]
        fixed: list[str] | None = self._columns or None
        self.out.write(render_rows(rows, kind, columns=fixed, header=self._rows == 0))
        self.out.flush()
        if not self._columns:
            self._columns = list(dict.fromkeys(k for row in rows for k in flatten(row)))
        self._rows += len(rows)

    def close(self) -> None:
        with self._lock:
            if self._table:
                columns = self._columns or None
                self.out.write(render_rows(self._table, "table", columns=columns))
                self.out.flush()
                self._table = []
            self._warn_unmatched()

    def _warn_unmatched(self) -> None:
        if not self._first_keys:
            return
        for pattern in self.patterns:
            if pattern.text not in self._matched:
                shown = ", ".join(self._first_keys[:12]) + (", ..." if len(self._first_keys) > 12 else "")
                self.err.write(
                    f"warning: --select {pattern.text!r} matched no property "
                    f"(the first result has: {shown})\n"
                )
