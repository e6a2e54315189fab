"""Piped input (go-c8y-cli.md §6.2): each non-empty line of stdin is one job.

A line is a JSON object (the output of another ``c8y`` command: the command's pipeline parameter takes
the first of its ``pipeline_aliases`` the object has, e.g. ``id`` or ``source.id``), or a plain value
(the first column when it is CSV). A line that cannot be used (broken JSON, an object without any of
the properties, a JSON array) becomes a ``BadInput`` that the batch reports before it goes on with the
next line. Pure: lines in, jobs out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from c8ylink.operator.api.spec import ParamSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple

DEFAULT_ALIASES = ("id",)
WHOLE_OBJECT = "."  # an alias meaning: the whole piped object is the value (``c8y api`` bodies)


class Job(NamedTuple):
    number: int  # 1-based: the input line, or the position on the command line
    value: str | None  # the pipeline parameter's value (None: the command line decides)
    item: Any = None  # the piped JSON object, if any


class BadInput(NamedTuple):
    number: int
    message: str


def piped_jobs(lines: Iterable[str], param: ParamSpec) -> Iterator[Job | BadInput]:
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if text:
            yield job_from_line(number, text, param)


def template_job(number: int, line: str) -> Job:
    """A piped line that is only the template's input (the command line gave the pipeline flag): its
    JSON object, or its text when it is not one."""
    text = line.strip()
    if text.startswith("{"):
        try:
            item = json.loads(text)
        except ValueError:
            item = None
        if isinstance(item, dict):
            return Job(number, None, item)
    return Job(number, None, text)


def job_from_line(number: int, text: str, param: ParamSpec) -> Job | BadInput:
    if text.startswith("{"):
        try:
            item = json.loads(text)
        except ValueError as exc:
            return BadInput(number, f"skipping input line {number}: invalid JSON ({exc}): {_preview(text)}")
        if not isinstance(item, dict):
            return BadInput(number, f"skipping input line {number}: not a JSON object: {_preview(text)}")
        aliases = param.pipeline_aliases or DEFAULT_ALIASES
        if WHOLE_OBJECT in aliases:
            return Job(number, text, item)
        for alias in aliases:
            found = lookup(item, alias)
            if isinstance(found, str | int | float) and not isinstance(found, bool) and str(found) != "":
                return Job(number, str(found), item)
        return BadInput(
            number,
            f"skipping input line {number}: the object has none of {', '.join(aliases)} "
            f"(for --{param.name}): {_preview(text)}",
        )
    if text.startswith("["):
        return BadInput(number, f"skipping input line {number}: a JSON array (pipe one object per line)")
    return Job(number, first_column(text))


def first_column(text: str) -> str:
    if "," not in text:
        return text
    if text.startswith('"'):
        end = text.find('"', 1)
        if end > 0:
            return text[1:end]
    return text.split(",", 1)[0].strip()


def lookup(document: Any, path: str) -> Any:
    current = document
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def _preview(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
