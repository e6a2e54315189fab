"""SmartREST CSV: records <-> text (cumulocity-api.md §2.1).

A payload holds one or more records separated by ``\\n`` (``\\r\\n`` accepted); a record is fields
separated by ``,``; the first field is the template id. A field is quoted when it contains ``"``,
``,``, ``\\n``, ``\\r``, a tab, or leading/trailing whitespace; an unquoted field is taken literally.

Two escape styles exist inside quotes, chosen with ``EscapeStyle``:

- ``BACKSLASH`` (Cumulocity, the default): ``\\"`` is a quote and ``\\\\`` a backslash. Decoding in this
  style also accepts RFC-4180 doubling (``""``), as the platform does, so one tenant parser reads
  every client. Any other backslash pair (``\\n`` in ``"a\\nb"``) stays two literal characters.
  The encoder escapes a backslash only where it would otherwise be misread (before ``"``, before
  another backslash, or at the end of a quoted value), so ``decode(encode(x)) == x`` always.
- ``DOUBLING`` (RFC 4180, what thin-edge emits): ``""`` is a quote; backslash is ordinary.

``decode_records`` is all-or-nothing; ``split_records`` + ``decode_record`` let a server report a
broken line and carry on with the next one. Every problem raises ``SmartRestDecodeError`` naming
the line and column (SmartREST error code 42, "malformed request line").
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence

from c8ylink.core.errors import SmartRestError

#: thin-edge's limit for one SmartREST payload it builds (tedge.md §6.2)
SMARTREST_MAX_BYTES = 16_000

Record = tuple[str, ...]


class EscapeStyle(enum.Enum):
    BACKSLASH = "backslash"
    DOUBLING = "doubling"


#: what each side emits
CUMULOCITY_STYLE = EscapeStyle.BACKSLASH
THIN_EDGE_STYLE = EscapeStyle.DOUBLING

_MUST_QUOTE = re.compile(r'[",\n\r\t]')
_QUOTED_SPECIAL = {EscapeStyle.BACKSLASH: re.compile(r'["\\]'), EscapeStyle.DOUBLING: re.compile('"')}


class SmartRestDecodeError(SmartRestError):
    """Malformed SmartREST text: ``line`` and ``column`` are 1-based; ``reason`` has no position."""

    code = 42

    def __init__(self, reason: str, *, line: int, column: int | None = None) -> None:
        where = f"line {line}" if column is None else f"line {line}, column {column}"
        super().__init__(f"Malformed SmartREST {where}: {reason}")
        self.reason = reason
        self.line = line
        self.column = column

    def to_record(self) -> tuple[str, str, str]:
        """The ``s/e`` record: ``(42, <line number>, <reason with column>)``."""
        where = "" if self.column is None else f" (column {self.column})"
        return (str(self.code), str(self.line), f"{self.reason}{where}")


# --------------------------------------------------------------------------------------------- encode


def needs_quoting(value: str) -> bool:
    """Whether ``value`` must be written inside quotes (§2.1)."""
    return bool(_MUST_QUOTE.search(value)) or (value != value.strip())


def encode_field(value: str, style: EscapeStyle = CUMULOCITY_STYLE) -> str:
    """One field, quoted and escaped only when needed."""
    if not needs_quoting(value):
        return value
    if style is EscapeStyle.DOUBLING:
        return '"' + value.replace('"', '""') + '"'
    return '"' + _escape_backslash_style(value) + '"'


def _escape_backslash_style(value: str) -> str:
    out: list[str] = []
    last = len(value) - 1
    for index, char in enumerate(value):
        if char == '"':
            out.append('\\"')
        elif char == "\\" and (index == last or value[index + 1] in '"\\'):
            out.append("\\\\")
        else:
            out.append(char)
    return "".join(out)


def encode_record(fields: Sequence[str], style: EscapeStyle = CUMULOCITY_STYLE) -> str:
    """One record as a line (no line break); a record of one empty field is ``""`` (an empty line is
    no record at all)."""
    if len(fields) == 1 and not fields[0]:
        return '""'
    return ",".join(encode_field(field, style) for field in fields)


def encode_records(
    records: Iterable[Sequence[str]],
    style: EscapeStyle = CUMULOCITY_STYLE,
    *,
    max_bytes: int | None = None,
) -> str:
    """Several records joined by ``\\n``; ``SmartRestError`` if the UTF-8 size exceeds ``max_bytes``."""
    text = "\n".join(encode_record(record, style) for record in records)
    if max_bytes is not None:
        size = len(text.encode("utf-8"))
        if size > max_bytes:
            raise SmartRestError(f"SmartREST payload of {size} bytes exceeds the limit of {max_bytes} bytes")
    return text


# --------------------------------------------------------------------------------------------- decode


def payload_text(payload: str | bytes) -> str:
    """``payload`` as text; bytes must be UTF-8 (``SmartRestDecodeError`` names the line otherwise)."""
    if isinstance(payload, str):
        return payload
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = payload.count(b"\n", 0, exc.start) + 1
        column = exc.start - (payload.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SmartRestDecodeError(
            f"invalid UTF-8 byte 0x{payload[exc.start]:02x}", line=line, column=column
        ) from exc


def split_records(payload: str | bytes, style: EscapeStyle = CUMULOCITY_STYLE) -> list[tuple[int, str]]:
    """The records of a payload as ``(line number, record text)``, line breaks inside quotes kept.

    Every physical line is returned, empty ones included, except the empty remainder after a final
    line break. An unterminated quote swallows the rest of the payload (``decode_record`` reports it).
    """
    text = payload_text(payload)
    if '"' not in text:
        pieces = text.split("\n")
        found = [(number, piece) for number, piece in enumerate(pieces, start=1)]
    else:
        found = _split_quoted(text, style)
    if found and found[-1][1] == "" and len(found) > 1:
        found.pop()
    return [(number, piece[:-1] if piece.endswith("\r") else piece) for number, piece in found]


def _split_quoted(text: str, style: EscapeStyle) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    start, line, start_line, index, quoted = 0, 1, 1, 0, False
    at_field_start = True
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\" and style is EscapeStyle.BACKSLASH and text[index + 1 : index + 2] in ('"', "\\"):
                index += 2
                continue
            if char == '"':
                if text[index + 1 : index + 2] == '"':
                    index += 2
                    continue
                quoted = False
        elif char == '"' and at_field_start:
            quoted = True
        elif char == "\n":
            found.append((start_line, text[start:index]))
            start, start_line = index + 1, line + 1
        if char == "\n":
            line += 1
        at_field_start = not quoted and char in ",\n"
        index += 1
    found.append((start_line, text[start:]))
    return found


def decode_record(text: str, style: EscapeStyle = CUMULOCITY_STYLE, *, line: int = 1) -> Record:
    """The fields of one record (as returned by ``split_records``)."""
    if '"' not in text:
        return tuple(text.split(","))
    fields: list[str] = []
    index, size = 0, len(text)
    while True:
        if index < size and text[index] == '"':
            value, index = _decode_quoted(text, index + 1, style, line)
            if index < size and text[index] != ",":
                raise SmartRestDecodeError(
                    f"unexpected {text[index]!r} after a closing quote", line=line, column=index + 1
                )
        else:
            end = text.find(",", index)
            end = size if end == -1 else end
            value = text[index:end]
            quote = value.find('"')
            if quote != -1:
                raise SmartRestDecodeError(
                    "quote inside an unquoted field (quote the whole field)",
                    line=line,
                    column=index + quote + 1,
                )
            index = end
        fields.append(value)
        if index >= size:
            return tuple(fields)
        index += 1


def _decode_quoted(text: str, index: int, style: EscapeStyle, line: int) -> tuple[str, int]:
    """The value of a quoted field whose opening quote precedes ``index``; returns (value, end)."""
    special = _QUOTED_SPECIAL[style]
    parts: list[str] = []
    opening = index
    while True:
        found = special.search(text, index)
        if found is None:
            raise SmartRestDecodeError("unterminated quoted field", line=line, column=opening)
        at = found.start()
        parts.append(text[index:at])
        following = text[at + 1 : at + 2]
        if text[at] == "\\":
            if following in ('"', "\\"):
                parts.append(following)
                index = at + 2
            else:
                parts.append("\\")
                index = at + 1
        elif following == '"':
            parts.append('"')
            index = at + 2
        else:
            return "".join(parts), at + 1


def decode_records(
    payload: str | bytes,
    style: EscapeStyle = CUMULOCITY_STYLE,
    *,
    allow_empty_lines: bool = True,
) -> list[Record]:
    """Every record of a payload; blank lines are skipped, or refused when ``allow_empty_lines`` is false."""
    records: list[Record] = []
    for line, text in split_records(payload, style):
        if not text.strip():
            if allow_empty_lines:
                continue
            raise SmartRestDecodeError("empty line", line=line)
        records.append(decode_record(text, style, line=line))
    return records
