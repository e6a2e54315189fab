"""JSON text of the tenant's answers and stored records, written by orjson (several times faster than
the standard library on the tenant's documents); what orjson refuses (integers beyond 64 bits,
strings with lone surrogates, non-string keys) is written by the standard library as before.

Both write compact JSON; answers are UTF-8 as it is, stored records escape what is not ASCII.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def answer_bytes(document: Any) -> bytes:
    """A response body (UTF-8)."""
    try:
        return orjson.dumps(document)
    except TypeError:
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def record_text(document: Any) -> str:
    """A stored record (the database's text column)."""
    try:
        return orjson.dumps(document).decode()
    except TypeError:
        return json.dumps(document, separators=(",", ":"))
