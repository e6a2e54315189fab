"""``c8y util repeat | repeatfile | repeatcsv``: lines (or CSV rows as JSON) repeated, as upstream's.

``--format`` is a Go format string: each ``%s`` (with an optional width, ``%05s`` pads with zeros,
``%-5s`` on the right) takes the next value: the input line, then the index (1..times, plus ``--offset``;
the running count with ``--useLineCount``). Without any ``%`` the line is appended (``"prefix "`` ->
``"prefix <line>"``). Pure: lines and files' contents are given; randomness is a parameter.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

_VERB = re.compile(r"%(-?)(0?)(\d*)([sdv%])")


def go_format(pattern: str, values: Sequence[str]) -> str:
    """``fmt.Sprintf(pattern, values...)`` for ``%s``/``%d``/``%v`` with widths; missing values print
    as Go does (``%!s(MISSING)``), and ``%%`` is a percent sign."""
    remaining = list(values)

    def replace(match: re.Match[str]) -> str:
        left, zero, width, verb = match.groups()
        if verb == "%":
            return "%"
        if not remaining:
            return f"%!{verb}(MISSING)"
        value = remaining.pop(0)
        size = int(width or 0)
        if left:
            return value.ljust(size)
        return value.rjust(size, "0" if zero else " ")

    return _VERB.sub(replace, pattern)


class RepeatOptions(NamedTuple):
    times: int = 1
    format: str = "%s"
    skip: int = 0  # input lines skipped first
    first: int = 0  # only this many input lines (0: all)
    offset: int = 0  # added to the index
    use_line_count: bool = False  # the index counts every output line
    infinite: bool = False
    random_skip: float = -1.0  # probability to skip an input line (-1: never)


def _pattern(text: str) -> tuple[str, bool]:
    refs = text.count("%")
    return (text + "%s" if refs == 0 else text), refs > 1


def repeat_lines(
    lines: Iterable[str], options: RepeatOptions, random: Callable[[], float] = lambda: 1.0
) -> Iterator[str]:
    """``util repeat``: each input line ``times`` times (forever with ``infinite``)."""
    pattern, with_index = _pattern(options.format)
    count = 0
    taken = 0
    for row, line in enumerate(lines, 1):
        if row <= options.skip:
            continue
        if options.first and taken >= options.first:
            return
        if options.random_skip >= 0 and random() <= options.random_skip:
            continue
        taken += 1
        repeat = 0
        while options.infinite or repeat < options.times:
            repeat += 1
            count += 1
            index = count if options.use_line_count else repeat
            values = [line, str(index + options.offset)] if with_index else [line]
            yield go_format(pattern, values) if line else go_format(pattern, values) + " "


def repeat_files(
    contents: Sequence[str], options: RepeatOptions, random: Callable[[], float] = lambda: 1.0
) -> Iterator[str]:
    """``util repeatfile``: every line of every file, the whole set ``times`` times."""
    pattern, with_index = _pattern(options.format)
    count = 0
    round_ = 0
    while options.infinite or round_ < options.times:
        round_ += 1
        for text in contents:
            for line in text.splitlines():
                if options.first and count >= options.first:
                    return
                if options.random_skip >= 0 and random() <= options.random_skip:
                    continue
                count += 1
                values = [line.strip(), str(count)] if with_index else [line.strip()]
                yield go_format(pattern, values)


def sniff_delimiter(text: str) -> str:
    """The field delimiter of a CSV text: the first of ``,;\\t|`` found in its first line."""
    first = text.split("\n", 1)[0]
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t", "|")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def csv_rows(
    text: str, *, delimiter: str = "", header: bool = True, columns: Sequence[str] = ()
) -> list[dict[str, str]]:
    """``util repeatcsv``: the rows of a CSV text as objects named by the header row or ``columns``."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter or sniff_delimiter(text))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return []
    names = list(columns)
    if header:
        found = [name.strip().lstrip("\ufeff") for name in rows.pop(0)]
        names = names or found
    objects = []
    for row in rows:
        keys = names or [f"column{number}" for number in range(1, len(row) + 1)]
        objects.append(dict(zip(keys, row, strict=False)))
    return objects
