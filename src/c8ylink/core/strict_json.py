"""Standard JSON only (RFC 8259): PURE.

Python's ``json`` accepts ``NaN``/``Infinity`` and turns ``1e999`` into ``inf``, then writes them back
as ``NaN``/``Infinity``, which strict clients cannot read; very deep nesting raises ``RecursionError``.
``loads`` refuses all of these with a ``ValueError`` whose text says what is wrong.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 100


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The decoded value; ``ValueError`` (incl. ``UnicodeDecodeError``) for anything that is not JSON."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite)
    except RecursionError as exc:
        raise ValueError(f"nested deeper than {max_depth} levels") from exc
    # a document cannot nest deeper than it has brackets: most bodies need no walk
    if isinstance(data, bytes):
        brackets = data.count(b"[") + data.count(b"{")
    else:
        brackets = data.count("[") + data.count("{")
    if brackets > max_depth:
        _check_depth(value, max_depth)
    return value


def _check_depth(value: Any, max_depth: int) -> None:
    """At most ``max_depth`` levels; iterative on purpose."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > max_depth:
            raise ValueError(f"nested deeper than {max_depth} levels")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        pending.extend((child, depth + 1) for child in children)
