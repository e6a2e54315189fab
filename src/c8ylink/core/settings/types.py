"""Value types of settings: how a value is parsed from the command line, the environment and TOML, and
how it is printed.

Every type has four faces:

- ``parse(text, ctx)``  the command-line / environment form (``tedge config set KEY TEXT``);
- ``from_toml(raw, ctx)`` what a TOML file (or a TOML literal in an environment variable) holds;
- ``to_toml(value)``    what is written back to the file;
- ``display(value)``    what ``tedge config get`` prints; ``to_text(value)`` gives a text ``parse`` accepts.

Parse errors raise ``ValueParseError`` with the upstream (thin-edge.io) wording, so users see the texts
they find in its documentation and issue tracker.
"""

from __future__ import annotations

import posixpath
import unicodedata

from c8ylink.core.settings.errors import ValueParseError

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    import ipaddress
    from collections.abc import Sequence
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple

TomlValue = str | int | bool | list[str]


class ParseContext(NamedTuple):
    """What parsing may depend on: the working directory that relative paths are resolved against."""

    cwd: str = "/"


class ValueType:
    """Base of all value types; ``kind`` names the type in errors.

    Types are small immutable objects: their settings live in ``__slots__`` (plain classes rather than
    dataclasses, because these modules are on the start-up path of every ``tedge`` command and a
    dataclass costs about a millisecond to create); two types are equal when their class and settings are.
    """

    __slots__ = ()
    kind = "string"
    is_list = False

    def _settings(self) -> tuple[object, ...]:
        slots = (name for cls in type(self).__mro__ for name in getattr(cls, "__slots__", ()))
        return tuple(getattr(self, name) for name in slots)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._settings() == other._settings()

    def __hash__(self) -> int:
        return hash((type(self), self._settings()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._settings()!r}"

    def parse(self, text: str, ctx: ParseContext) -> Any:
        raise NotImplementedError

    def from_toml(self, raw: object, ctx: ParseContext) -> Any:
        if isinstance(raw, str):
            return self.parse(raw, ctx)
        raise ValueParseError(f"invalid type: {toml_type_name(raw)}, expected {self.kind}")

    def to_toml(self, value: Any) -> TomlValue:
        return self.to_text(value)

    def display(self, value: Any) -> str:
        return self.to_text(value)

    def to_text(self, value: Any) -> str:
        return str(value)


def toml_type_name(raw: object) -> str:
    if isinstance(raw, bool):
        return f"boolean `{str(raw).lower()}`"
    if isinstance(raw, int):
        return f"integer `{raw}`"
    if isinstance(raw, float):
        return f"floating point `{raw}`"
    if isinstance(raw, str):
        return f"string {raw!r}"
    if isinstance(raw, list):
        return "sequence"
    if isinstance(raw, dict):
        return "map"
    return type(raw).__name__


class StrType(ValueType):
    """Any text."""

    __slots__ = ()

    def parse(self, text: str, ctx: ParseContext) -> str:
        return text


class BoolType(ValueType):
    """``true`` or ``false``, nothing else (as Rust's ``bool::from_str``)."""

    __slots__ = ()
    kind = "bool"

    def parse(self, text: str, ctx: ParseContext) -> bool:
        if text == "true":
            return True
        if text == "false":
            return False
        raise ValueParseError("provided string was not `true` or `false`")

    def from_toml(self, raw: object, ctx: ParseContext) -> bool:
        if isinstance(raw, bool):
            return raw
        return bool(ValueType.from_toml(self, raw, ctx))

    def to_toml(self, value: Any) -> TomlValue:
        return bool(value)

    def to_text(self, value: Any) -> str:
        return "true" if value else "false"


class IntType(ValueType):
    """An unsigned integer in ``[minimum, maximum]`` (u16 ports, u32 sizes); ``error`` replaces the texts
    (``{value}`` is replaced by the input)."""

    __slots__ = ("error", "maximum", "minimum")
    kind = "integer"

    def __init__(self, *, minimum: int = 0, maximum: int = 65535, error: str | None = None) -> None:
        self.minimum, self.maximum, self.error = minimum, maximum, error

    def parse(self, text: str, ctx: ParseContext) -> int:
        number = _parse_unsigned(text, self.maximum, self.error)
        if number < self.minimum:
            if self.error:
                raise ValueParseError(self.error.format(value=text))
            raise ValueParseError("number would be zero for non-zero type")
        return number

    def from_toml(self, raw: object, ctx: ParseContext) -> int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return self.parse(str(raw), ctx)
        return int(ValueType.from_toml(self, raw, ctx))

    def to_toml(self, value: Any) -> TomlValue:
        return int(value)


def _parse_unsigned(text: str, maximum: int, error: str | None) -> int:
    """Rust's ``u16::from_str`` / ``u32::from_str`` rules and messages (an optional leading ``+``)."""

    def fail(reason: str) -> ValueParseError:
        return ValueParseError(error.format(value=text) if error else reason)

    digits = text[1:] if text.startswith("+") else text
    if not text:
        raise fail("cannot parse integer from empty string")
    if not digits or not all("0" <= c <= "9" for c in digits):
        raise fail("invalid digit found in string")
    number = int(digits)
    if number > maximum:
        raise fail("number too large to fit in target type")
    return number


class EnumType(ValueType):
    """One of a fixed set of words; ``aliases`` map extra spellings to a canonical choice.

    ``error`` is the upstream message, with ``{value}`` (the input) and ``{choices}`` replaced.
    """

    __slots__ = ("aliases", "choices", "error")
    kind = "enum"

    def __init__(
        self,
        choices: tuple[str, ...],
        error: str = "Failed to parse flag: {value}. Supported values are: {choices}",
        *,
        aliases: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.choices, self.error, self.aliases = choices, error, aliases

    def parse(self, text: str, ctx: ParseContext) -> str:
        if text in self.choices:
            return text
        for alias, target in self.aliases:
            if text == alias:
                return target
        raise ValueParseError(self.error.format(value=text, choices=", ".join(self.choices)))


class IpAddrType(ValueType):
    """An IPv4 or IPv6 address."""

    __slots__ = ()
    kind = "IP address"

    def parse(self, text: str, ctx: ParseContext) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        import ipaddress

        try:
            return ipaddress.ip_address(text)
        except ValueError:
            raise ValueParseError("invalid IP address syntax") from None


class PathType(ValueType):
    """A filesystem path. ``absolute``: relative input is resolved against the working directory and
    normalised (as upstream's ``AbsolutePath``); ``what`` documents file, directory or either."""

    __slots__ = ("absolute", "what")
    kind = "path"

    def __init__(self, *, absolute: bool = True, what: str = "file") -> None:
        self.absolute, self.what = absolute, what

    def parse(self, text: str, ctx: ParseContext) -> str:
        if not text:
            raise ValueParseError("Cannot be converted to an absolute path: (empty)")
        if not self.absolute:
            return text
        joined = text if text.startswith("/") else posixpath.join(ctx.cwd, text)
        normalised = posixpath.normpath(joined)
        # posixpath keeps a leading "//" (POSIX allows it a meaning); tedge's paths never use it
        return "/" + normalised.lstrip("/")


class StrListType(ValueType):
    """A set of strings ("TemplatesSet"): comma-separated on the command line (items trimmed, empty items
    dropped), a string array in TOML, printed Rust-debug style ``["a", "b"]``."""

    __slots__ = ()
    kind = "list"
    is_list = True

    def parse(self, text: str, ctx: ParseContext) -> tuple[str, ...]:
        return tuple(item.strip() for item in text.split(",") if item.strip())

    def from_toml(self, raw: object, ctx: ParseContext) -> tuple[str, ...]:
        if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            return tuple(raw)
        if isinstance(raw, str):
            return self.parse(raw, ctx)
        raise ValueParseError(f"invalid type: {toml_type_name(raw)}, expected a list of strings")

    def to_toml(self, value: Any) -> TomlValue:
        return list(value)

    def display(self, value: Any) -> str:
        return "[" + ", ".join(rust_debug_str(item) for item in value) + "]"

    def to_text(self, value: Any) -> str:
        return ",".join(value)


def merge_items(current: Sequence[str], added: Sequence[str]) -> tuple[str, ...]:
    """``tedge config add`` on a list: the union, sorted and de-duplicated (set semantics)."""
    return tuple(sorted({*current, *added}))


def remove_items(current: Sequence[str], removed: Sequence[str]) -> tuple[str, ...]:
    """``tedge config remove`` on a list: what is left, sorted and de-duplicated."""
    gone = set(removed)
    return tuple(sorted({item for item in current if item not in gone}))


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def rust_debug_str(text: str) -> str:
    """A string quoted and escaped the way Rust's ``{:?}`` prints it."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif unicodedata.category(char) in _UNPRINTABLE:
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


class TopicPrefixType(ValueType):
    """A local MQTT topic prefix for bridged topics (``c8y`` in ``c8y/s/us``)."""

    __slots__ = ("reserved",)
    kind = "topic prefix"

    def __init__(self, *, reserved: tuple[str, ...] = ("c8y-internal",)) -> None:
        self.reserved = reserved

    def parse(self, text: str, ctx: ParseContext) -> str:
        if not text:
            raise ValueParseError("Topic prefix must not be empty")
        for wildcard in "#+":
            if wildcard in text:
                raise ValueParseError(f"Topic prefix cannot contain '{wildcard}'")
        if text in self.reserved:
            raise ValueParseError(f"Topic prefix cannot be {text}")
        return text


class TopicIdType(ValueType):
    """An entity topic identifier: exactly four ``/``-separated segments, no MQTT wildcards."""

    __slots__ = ()
    kind = "topic id"

    def parse(self, text: str, ctx: ParseContext) -> str:
        segments = text.split("/")
        if len(segments) != 4:
            raise ValueParseError(
                f"An entity topic identifier has exactly 4 segments separated by '/' (got {len(segments)})"
            )
        if any(wildcard in text for wildcard in "#+"):
            raise ValueParseError("An entity topic identifier cannot contain MQTT wildcards ('+' or '#')")
        return text
