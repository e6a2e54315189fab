"""``c8y assert text`` (go-c8y-cli's): each input line (stdin, or ``--input``) that matches ``--exact``
(the whole line, case sensitive) and ``--regex`` (multi-line, dot matches newlines, as Go's ``(?ms)``)
passes through; a line that does not is dropped, or with ``--strict`` the command fails (exit 112).
``--schema`` (a JSON schema) is not supported by c8ylink. Pure: lines in, (passed lines, failures) out."""

from __future__ import annotations

import re
from collections.abc import Iterable

from c8ylink.core.errors import UsageError

USER_ERROR = 101


def compile_pattern(regex: str | None) -> re.Pattern[str] | None:
    if not regex:
        return None
    try:
        return re.compile(regex, re.MULTILINE | re.DOTALL)
    except re.error as exc:
        raise UsageError(f"invalid --regex {regex!r}: {exc}", exit_code=USER_ERROR) from None


def assert_lines(
    lines: Iterable[str], *, exact: str | None, pattern: re.Pattern[str] | None
) -> tuple[list[str], list[str]]:
    """(the lines that pass, one message per line that does not)."""
    passed: list[str] = []
    failures: list[str] = []
    for line in lines:
        if pattern is not None and pattern.search(line) is None:
            failures.append(f"input does not match pattern. got={line}, wanted={pattern.pattern}")
        elif exact is not None and line != exact:
            failures.append(f"input does not match. got={line}, wanted={exact}")
        else:
            passed.append(line)
    return passed, failures
