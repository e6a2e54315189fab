"""Durations: a bare number (``60``) or a sequence of ``<number><unit>`` parts (``60s``, ``1h30m``, ``30d``),
with the parse rules and error texts of Rust's ``humantime`` crate that thin-edge.io uses.

One grammar serves both products; a ``DurationGrammar`` names where they differ:

- ``HUMANTIME`` (tedge): whole numbers, case-sensitive units (``M`` is months), a bare number is seconds;
- ``GO_DURATION`` (go-c8y-cli's settings): also decimal numbers (``1.5h``, ``0.5``, as Go's
  ``time.ParseDuration``) and units in any case (``8H``); a bare number is seconds. go-c8y-cli's flags
  (``--delay``) use it with ``bare_unit="ms"``.

The value keeps the text it was given: ``tedge config get`` prints ``60m`` back, not ``3600``.
"""

from __future__ import annotations

from c8ylink.core.settings.errors import ValueParseError
from c8ylink.core.settings.types import ValueType

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    from c8ylink.core.settings.types import ParseContext, TomlValue
else:
    from c8ylink.core.records import NamedTuple

_NANOS_PER_SECOND = 1_000_000_000
_U64_MAX = 2**64 - 1

# unit spellings -> nanoseconds (months and years are the average lengths humantime uses)
_UNITS: dict[str, int] = {}
for _names, _nanos in (
    (("nanos", "nsec", "ns"), 1),
    (("usec", "us"), 1_000),
    (("millis", "msec", "ms"), 1_000_000),
    (("seconds", "second", "secs", "sec", "s"), _NANOS_PER_SECOND),
    (("minutes", "minute", "mins", "min", "m"), 60 * _NANOS_PER_SECOND),
    (("hours", "hour", "hrs", "hr", "h"), 3_600 * _NANOS_PER_SECOND),
    (("days", "day", "d"), 86_400 * _NANOS_PER_SECOND),
    (("weeks", "week", "wks", "wk", "w"), 604_800 * _NANOS_PER_SECOND),
    (("months", "month", "M"), 2_630_016 * _NANOS_PER_SECOND),
    (("years", "year", "y"), 31_557_600 * _NANOS_PER_SECOND),
):
    for _name in _names:
        _UNITS[_name] = _nanos


class DurationGrammar(NamedTuple):
    """Where a product's durations differ: the unit of a bare number, decimals, case of the units."""

    bare_unit: str = "s"
    fractions: bool = False
    ignore_case: bool = False


HUMANTIME = DurationGrammar()
GO_DURATION = DurationGrammar(fractions=True, ignore_case=True)


class Duration(NamedTuple):
    """A parsed duration: ``text`` as given, ``nanos`` its length."""

    text: str
    nanos: int

    @property
    def seconds(self) -> float:
        return self.nanos / _NANOS_PER_SECOND

    def __str__(self) -> str:
        return self.text


def parse_duration(text: str, grammar: DurationGrammar = HUMANTIME) -> Duration:
    """Parse ``text``: a bare unsigned number counts in ``grammar.bare_unit``, anything else must be
    human time."""
    bare = _parse_bare(text.strip() if grammar.fractions else text, grammar)
    if bare is not None:
        return Duration(text, bare)
    return Duration(text, parse_human_time(text, grammar))


def _parse_bare(text: str, grammar: DurationGrammar) -> int | None:
    """Nanoseconds of a bare number (``60``, ``+60``; ``1.5`` when fractions are allowed), else ``None``."""
    digits = text[1:] if text.startswith("+") else text
    whole, _, fraction = digits.partition(".") if grammar.fractions else (digits, "", "")
    if not (whole or fraction) or not all("0" <= c <= "9" for c in whole + fraction):
        return None
    if int(whole or "0") > _U64_MAX:
        raise ValueParseError("number is too large")
    return _scaled(int(whole or "0"), fraction, _UNITS[grammar.bare_unit])


def _scaled(whole: int, fraction: str, unit: int) -> int:
    """``whole.fraction`` units in nanoseconds (the fraction rounded down to a whole nanosecond)."""
    return whole * unit + (int(fraction) * unit // 10 ** len(fraction) if fraction else 0)


def parse_human_time(text: str, grammar: DurationGrammar = HUMANTIME) -> int:
    """Nanoseconds of a sequence of ``<number><unit>`` parts, e.g. ``1h 30m`` or ``1h30m``.

    As in humantime, whitespace may appear anywhere between digits and between parts.
    """
    pos = _skip_space(text, 0)
    if pos == len(text):
        raise ValueParseError("value was empty")
    total = 0
    while True:
        if not _is_digit(text[pos]):
            raise ValueParseError(f"expected number at {_byte_offset(text, pos)}")
        number, fraction, pos = _read_number(text, pos, grammar.fractions)
        start = pos
        while pos < len(text) and _is_ascii_letter(text[pos]):
            pos += 1
        if pos < len(text) and not (_is_digit(text[pos]) or text[pos].isspace()):
            raise ValueParseError(f"invalid character at {_byte_offset(text, pos)}")
        unit = text[start:pos].lower() if grammar.ignore_case else text[start:pos]
        total += _scaled(number, fraction, _unit_size(unit, number))
        if total > _U64_MAX * _NANOS_PER_SECOND:
            raise ValueParseError("number is too large")
        pos = _skip_space(text, pos)
        if pos == len(text):
            return total


def _read_number(text: str, pos: int, fractions: bool) -> tuple[int, str, int]:
    """Digits (whitespace between them is ignored) up to the first letter, and with ``fractions`` the
    digits after one ``.``; returns (number, fraction digits, position)."""
    number, fraction, in_fraction = 0, "", False
    while pos < len(text) and not _is_ascii_letter(text[pos]):
        char = text[pos]
        if _is_digit(char) and in_fraction:
            fraction += char
        elif _is_digit(char):
            number = number * 10 + int(char)
            if number > _U64_MAX:
                raise ValueParseError("number is too large")
        elif char == "." and fractions and not in_fraction:
            in_fraction = True
        elif not char.isspace():
            raise ValueParseError(f"invalid character at {_byte_offset(text, pos)}")
        pos += 1
    return number, fraction, pos


def _unit_size(unit: str, number: int) -> int:
    """Nanoseconds in one ``unit`` (``number`` is for the error text)."""
    if not unit:
        raise ValueParseError(f"time unit needed, for example {number}sec or {number}ms")
    if unit not in _UNITS:
        raise ValueParseError(
            f'unknown time unit "{unit}", supported units: '
            "ns, us, ms, sec, min, hours, days, weeks, months, years (and few variations)"
        )
    return _UNITS[unit]


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _is_ascii_letter(char: str) -> bool:
    return "a" <= char <= "z" or "A" <= char <= "Z"


def _byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode())


class DurationType(ValueType):
    """Seconds or human time; stored in TOML as the text given (numbers in a file count in the grammar's
    bare unit)."""

    __slots__ = ("grammar",)
    kind = "duration"

    def __init__(self, grammar: DurationGrammar = HUMANTIME) -> None:
        self.grammar = grammar

    def parse(self, text: str, ctx: ParseContext) -> Duration:
        return parse_duration(text, self.grammar)

    def from_toml(self, raw: object, ctx: ParseContext) -> Duration:
        number = isinstance(raw, int) or (self.grammar.fractions and isinstance(raw, float))
        if number and not isinstance(raw, bool) and raw >= 0:  # type: ignore[operator]
            return parse_duration(str(raw), self.grammar)
        result: Duration = ValueType.from_toml(self, raw, ctx)
        return result

    def to_toml(self, value: Any) -> TomlValue:
        return str(value.text)

    def to_text(self, value: Any) -> str:
        return str(value.text)
