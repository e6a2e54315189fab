"""A reader for *plain* TOML: the part of the language configuration files like ``tedge.toml`` hold.

``parse_plain_toml(text)`` returns what ``tomllib.loads(text)`` returns, or ``None`` when the text uses
anything outside the plain subset (or is not valid TOML); the caller then uses ``tomllib``, which also
produces the error message. It exists for start-up time: ``import tomllib`` costs more than starting
the interpreter on small machines, and ``tedge config get`` reads the file on every call.

The plain subset: comments, ``[table]`` headers (not arrays of tables), ``key = value`` with bare or
``"quoted"`` keys (no dotted keys), and values that are single-line basic or literal strings, decimal
integers, booleans, or arrays of those (spanning lines, with comments and a trailing comma). Whatever
this module accepts, ``tomllib`` accepts with the same result; a property test holds it to that.
"""

from __future__ import annotations

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    from typing import Any

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_DIGITS = frozenset("0123456789")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class _NotPlain(Exception):
    """The text is outside the plain subset (or not TOML at all): leave it to tomllib."""


def _is_control(char: str) -> bool:
    """Characters TOML forbids in strings and comments (tab is allowed)."""
    code = ord(char)
    return (code < 0x20 and char != "\t") or code == 0x7F


def parse_plain_toml(text: str) -> dict[str, Any] | None:
    """The document as ``tomllib`` would return it, or ``None`` when the text is not plain TOML."""
    try:
        return _Reader(text).document()
    except _NotPlain:
        return None


class _Reader:
    def __init__(self, text: str) -> None:
        if "\r" in text:
            raise _NotPlain  # CRLF files are rare here; tomllib handles them
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_blanks(self) -> None:
        while self.peek() in (" ", "\t"):
            self.pos += 1

    def end_of_line(self) -> None:
        """Blanks, an optional comment, then a newline or the end of the text."""
        self.skip_blanks()
        if self.peek() == "#":
            self.comment()
        if self.peek() not in ("\n", ""):
            raise _NotPlain
        self.pos += 1

    def comment(self) -> None:
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end
        if any(_is_control(char) for char in self.text[self.pos + 1 : end]):
            raise _NotPlain
        self.pos = end

    def document(self) -> dict[str, Any]:
        root: dict[str, Any] = {}
        table = root
        declared: set[tuple[str, ...]] = set()
        while self.pos < len(self.text):
            self.skip_blanks()
            char = self.peek()
            if char in ("\n", "#", ""):
                self.end_of_line()
            elif char == "[":
                path = self.header()
                if path in declared:
                    raise _NotPlain  # a table declared twice
                declared.add(path)
                table = _descend(root, path)
            else:
                key = self.key()
                self.skip_blanks()
                if self.peek() != "=":
                    raise _NotPlain
                self.pos += 1
                self.skip_blanks()
                value = self.value()
                if key in table:
                    raise _NotPlain  # a key defined twice
                table[key] = value
                self.end_of_line()
        return root

    def header(self) -> tuple[str, ...]:
        self.pos += 1
        if self.peek() == "[":
            raise _NotPlain  # array of tables
        parts = []
        while True:
            self.skip_blanks()
            parts.append(self.key())
            self.skip_blanks()
            char = self.peek()
            self.pos += 1
            if char == "]":
                break
            if char != ".":
                raise _NotPlain
        self.end_of_line()
        return tuple(parts)

    def key(self) -> str:
        char = self.peek()
        if char == '"':
            return self.basic_string()
        start = self.pos
        while self.peek() in _BARE:
            self.pos += 1
        if self.pos == start:
            raise _NotPlain
        return self.text[start : self.pos]

    def value(self) -> Any:
        char = self.peek()
        if char == '"':
            return self.basic_string()
        if char == "'":
            return self.literal_string()
        if char == "[":
            return self.array()
        for word, result in (("true", True), ("false", False)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                self.word_ends()
                return result
        return self.integer()

    def word_ends(self) -> None:
        if self.peek() not in (" ", "\t", "\n", "#", ",", "]", ""):
            raise _NotPlain

    def integer(self) -> int:
        start = self.pos
        if self.peek() in ("+", "-"):
            self.pos += 1
        digits_start = self.pos
        while self.peek() in _DIGITS:
            self.pos += 1
        digits = self.text[digits_start : self.pos]
        if not digits or (len(digits) > 1 and digits[0] == "0"):
            raise _NotPlain  # not an integer, or one with a leading zero (or a date, or ...)
        self.word_ends()
        return int(self.text[start : self.pos])

    def basic_string(self) -> str:
        if self.text.startswith('"""', self.pos):
            raise _NotPlain
        self.pos += 1
        out: list[str] = []
        while True:
            char = self.peek()
            if char in ("", "\n") or _is_control(char):
                raise _NotPlain
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char == "\\":
                out.append(self.escape())
            else:
                out.append(char)

    def escape(self) -> str:
        char = self.peek()
        self.pos += 1
        if char in _ESCAPES:
            return _ESCAPES[char]
        width = {"u": 4, "U": 8}.get(char)
        digits = self.text[self.pos : self.pos + width] if width else ""
        if not width or len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise _NotPlain
        code = int(digits, 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise _NotPlain
        self.pos += width
        return chr(code)

    def literal_string(self) -> str:
        if self.text.startswith("'''", self.pos):
            raise _NotPlain
        end = self.text.find("'", self.pos + 1)
        if end < 0:
            raise _NotPlain
        content = self.text[self.pos + 1 : end]
        if "\n" in content or any(_is_control(char) for char in content):
            raise _NotPlain
        self.pos = end + 1
        return content

    def array(self) -> list[Any]:
        self.pos += 1
        items: list[Any] = []
        while True:
            self.skip_array_space()
            if self.peek() == "]":
                self.pos += 1
                return items
            if self.peek() == "[":
                raise _NotPlain  # nested arrays
            items.append(self.value())
            self.skip_array_space()
            char = self.peek()
            if char == ",":
                self.pos += 1
            elif char == "]":
                self.pos += 1
                return items
            else:
                raise _NotPlain

    def skip_array_space(self) -> None:
        while True:
            self.skip_blanks()
            char = self.peek()
            if char == "#":
                self.comment()
            elif char == "\n":
                self.pos += 1
            else:
                return


def _descend(root: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    table = root
    for part in path:
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            raise _NotPlain  # a header naming a key that holds a value
        table = child
    return table
