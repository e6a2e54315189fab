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

import ipaddress
import posixpath
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from c8ylink.core.settings.errors import ValueParseError

TomlValue = str | int | bool | list[str]


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What parsing may depend on: the working directory that relative paths are resolved against."""

    cwd: str = "/"


class ValueType:
    """Base of all value types; ``kind`` names the type in docs and errors."""

    kind: str = "string"
    is_list: bool = False

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


@dataclass(frozen=True, slots=True)
class StrType(ValueType):
    """Any text."""

    kind: str = "string"

    def parse(self, text: str, ctx: ParseContext) -> str:
        return text


@dataclass(frozen=True, slots=True)
class BoolType(ValueType):
    """``true`` or ``false``, nothing else (as Rust's ``bool::from_str``)."""

    kind: str = "bool"

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


@dataclass(frozen=True, slots=True)
class IntType(ValueType):
    """An unsigned integer in ``[minimum, maximum]`` (u16 ports, u32 sizes); ``error`` replaces the texts."""

    kind: str = "integer"
    minimum: int = 0
    maximum: int = 65535
    error: str | None = None  # "{value}" is replaced by the input

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


@dataclass(frozen=True, slots=True)
class EnumType(ValueType):
    """One of a fixed set of words; ``aliases`` map extra spellings to a canonical choice.

    ``error`` is the upstream message, with ``{value}`` replaced by the input.
    """

    choices: tuple[str, ...] = ()
    error: str = "Failed to parse flag: {value}. Supported values are: {choices}"
    aliases: tuple[tuple[str, str], ...] = ()
    kind: str = "enum"

    def parse(self, text: str, ctx: ParseContext) -> str:
        if text in self.choices:
            return text
        for alias, target in self.aliases:
            if text == alias:
                return target
        raise ValueParseError(self.error.format(value=text, choices=", ".join(self.choices)))


@dataclass(frozen=True, slots=True)
class IpAddrType(ValueType):
    """An IPv4 or IPv6 address."""

    kind: str = "IP address"

    def parse(self, text: str, ctx: ParseContext) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        try:
            return ipaddress.ip_address(text)
        except ValueError:
            raise ValueParseError("invalid IP address syntax") from None


@dataclass(frozen=True, slots=True)
class PathType(ValueType):
    """A filesystem path. ``absolute``: relative input is resolved against the working directory and
    normalised (as upstream's ``AbsolutePath``); ``what`` documents file, directory or either."""

    absolute: bool = True
    what: str = "file"
    kind: str = "path"

    def parse(self, text: str, ctx: ParseContext) -> str:
        if not text:
            raise ValueParseError("Cannot be converted to an absolute path: (empty)")
        if not self.absolute:
            return text
        joined = text if text.startswith("/") else posixpath.join(ctx.cwd, text)
        normalised = posixpath.normpath(joined)
        # posixpath keeps a leading "//" (POSIX allows it a meaning); tedge's paths never use it
        return "/" + normalised.lstrip("/")


@dataclass(frozen=True, slots=True)
class StrListType(ValueType):
    """A set of strings ("TemplatesSet"): comma-separated on the command line (items trimmed, empty items
    dropped), a string array in TOML, printed Rust-debug style ``["a", "b"]``."""

    kind: str = "list"
    is_list: bool = True

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


@dataclass(frozen=True, slots=True)
class TopicPrefixType(ValueType):
    """A local MQTT topic prefix for bridged topics (``c8y`` in ``c8y/s/us``)."""

    kind: str = "topic prefix"
    reserved: tuple[str, ...] = field(default=("c8y-internal",))

    def parse(self, text: str, ctx: ParseContext) -> str:
        if not text:
            raise ValueParseError("Topic prefix must not be empty")
        for wildcard in "#+":
            if wildcard in text:
                raise ValueParseError(f"Topic prefix cannot contain '{wildcard}'")
        if text in self.reserved:
            raise ValueParseError(f"Topic prefix cannot be {text}")
        return text


@dataclass(frozen=True, slots=True)
class TopicIdType(ValueType):
    """An entity topic identifier: exactly four ``/``-separated segments, no MQTT wildcards."""

    kind: str = "topic id"

    def parse(self, text: str, ctx: ParseContext) -> str:
        segments = text.split("/")
        if len(segments) != 4:
            raise ValueParseError(
                f"An entity topic identifier has exactly 4 segments separated by '/' (got {len(segments)})"
            )
        if any(wildcard in text for wildcard in "#+"):
            raise ValueParseError("An entity topic identifier cannot contain MQTT wildcards ('+' or '#')")
        return text
