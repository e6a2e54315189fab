"""Help pages laid out exactly as click lays them out, without importing click.

``tedge --help`` is answered before click is imported (``import click`` alone costs twice the start of
the interpreter on small machines). The page is built from the same declarations as the click command
(``device.cli.spec``), and a test holds the two renderings equal for several terminal widths.

Layout (click's ``HelpFormatter``): ``Usage: <prog> <args>``; a blank line; the doc text indented by
2; then each section as ``<Title>:`` and a definition list (first column at most 30 wide plus 2 spaces,
the second column wrapped to the rest of the width). Width: ``COLUMNS`` or the terminal's columns,
clamped to 80, minus 2, at least 50.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    Rows = Sequence[tuple[str, str]]

COLUMN_MAX = 30
COLUMN_SPACING = 2
INDENT = 2


def help_width(env: Mapping[str, str]) -> int:
    """click's text width: the terminal columns (``COLUMNS`` first, as ``shutil``) clamped to 80, - 2."""
    try:
        columns = int(env.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        import sys

        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return max(min(columns or 80, 80) - 2, 50)


def render_help(prog: str, args: str, doc: str, sections: Sequence[tuple[str, Rows]], width: int) -> str:
    """The whole page, ending with a newline (click echoes it with one)."""
    out = [_usage(prog, args, width), "\n"]
    if doc:
        out += ["\n", _wrap_paragraphs(doc, width, " " * INDENT), "\n"]
    for title, rows in sections:
        if rows:
            out += ["\n", f"{title}:\n", _definition_list(rows, width)]
    return "".join(out)


def _usage(prog: str, args: str, width: int) -> str:
    prefix = f"Usage: {prog} "
    if width >= len(prefix) + 20:
        return _fill(args, width, prefix, " " * len(prefix))
    indent = " " * (len("Usage: ") + 4)
    return prefix + "\n" + _fill(args, width, indent, indent)


def _definition_list(rows: Rows, width: int) -> str:
    first_col = min(max(len(first) for first, _ in rows), COLUMN_MAX) + COLUMN_SPACING
    text_width = max(width - first_col - 2, 10)
    pad = " " * (first_col + INDENT)
    out: list[str] = []
    for first, second in rows:
        out.append(" " * INDENT + first)
        if not second:
            out.append("\n")
            continue
        if len(first) <= first_col - COLUMN_SPACING:
            out.append(" " * (first_col - len(first)))
        else:
            out.append("\n" + pad)
        lines = _wrap_paragraphs(second, text_width, "").splitlines() or [""]
        out.append(lines[0] + "\n")
        out.extend(pad + line + "\n" for line in lines[1:])
    return "".join(out)


def _wrap_paragraphs(text: str, width: int, indent: str) -> str:
    """click's ``wrap_text(preserve_paragraphs=True)`` for texts without ``\\b`` blocks."""
    paragraphs: list[tuple[int, str]] = []
    lines: list[str] = []
    margin = 0
    for line in [*text.expandtabs().splitlines(), ""]:
        if line:
            if not lines:
                margin = len(line) - len(line.lstrip())
            lines.append(line.lstrip() if len(lines) == 0 else line)
        elif lines:
            paragraphs.append((margin, " ".join(lines)))
            lines = []
    return "\n\n".join(_fill(body, width, indent + " " * m, indent + " " * m) for m, body in paragraphs)


def _fill(text: str, width: int, initial: str, subsequent: str) -> str:
    import textwrap

    wrapper = textwrap.TextWrapper(
        width, initial_indent=initial, subsequent_indent=subsequent, replace_whitespace=False
    )
    return wrapper.fill(text)
