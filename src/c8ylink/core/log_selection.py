"""What a ``log_upload`` sends: the last ``limit`` lines that contain ``search_text``, across the files of
a log type taken newest first, returned oldest first. Memory is bounded by ``limit`` lines."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable


def tail_matching(lines: Iterable[str], *, search_text: str, limit: int) -> list[str]:
    """The last ``limit`` lines of ``lines`` containing ``search_text`` (all lines when it is empty)."""
    kept: deque[str] = deque(maxlen=max(limit, 0))
    for line in lines:
        if not search_text or search_text in line:
            kept.append(line)
    return list(kept)


def select_lines(files_newest_first: Iterable[Iterable[str]], *, search_text: str, limit: int) -> list[str]:
    """Lines from the newest file first until ``limit`` is reached, in chronological order."""
    chunks: list[list[str]] = []
    remaining = limit
    for lines in files_newest_first:
        if remaining <= 0:
            break
        chunk = tail_matching(lines, search_text=search_text, limit=remaining)
        chunks.append(chunk)
        remaining -= len(chunk)
    return [line for chunk in reversed(chunks) for line in chunk]
