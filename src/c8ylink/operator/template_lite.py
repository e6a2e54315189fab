"""Templates that are plain data, evaluated without starting jsonnet (whose C++ VM builds its standard
library on every evaluation: ~25 ms, most of what ``--template`` costs a command).

A template qualifies when it is an object or array of literals (strings in ``'``/``"``, numbers,
``true``/``false``/``null``) and of these expressions: ``_.Now()``, ``_.Date()``, ``_.Int()``,
``_.Float()``, ``_.Bool()``, ``_.Char()``, ``_.Digit()``, ``_.Hex()``, ``_.Password()`` (positional or
named arguments), ``var('name', default)``, ``input.value[.field...]``, ``input.index``,
``output[.field...]``, ``time.now``, ``rand.int|float|bool|password``, joined with ``+`` (text and
numbers, as jsonnet adds them); comments allowed. Anything else (locals, functions, conditionals,
``std``, text blocks, ``::``, a value of another type than expected) is ``NotSimple`` and goes to jsonnet,
which then also reports any mistake with its line and column. The result is what jsonnet's would be:
keys sorted, integral numbers as integers (a unit test holds the two equal).
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

SAFE_INTEGER = 2**53
_PUNCT = "{}[](),:.+-"
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\", '"': '"', "'": "'"}
# helper -> (native function, parameter names with defaults)
_HELPERS: dict[str, tuple[str, tuple[tuple[str, Any], ...]]] = {
    "Now": ("now", (("offset", "0s"),)),
    "Date": ("date", (("offset", "0s"),)),
    "Int": ("int", (("max", 100), ("min", 0))),
    "Float": ("float", (("max", 1), ("min", 0))),
    "Bool": ("bool", ()),
    "Char": ("chars", (("n", 10),)),
    "Digit": ("digits", (("n", 10),)),
    "Hex": ("hex", (("n", 16),)),
    "Password": ("password", (("n", 32),)),
}
_SHORTCUTS = {("time", "now"): ("Now", ()), ("time", "nowNano"): ("Now", ()), ("rand", "int"): ("Int", ()),
              ("rand", "float"): ("Float", ()), ("rand", "bool"): ("Bool", ()),
              ("rand", "password"): ("Password", ())}  # fmt: skip


_KEYWORDS = frozenset(
    [
        "assert",
        "else",
        "error",
        "false",
        "for",
        "function",
        "if",
        "import",
        "importstr",
        "importbin",
        "in",
        "local",
        "null",
        "tailstrict",
        "then",
        "self",
        "super",
        "true",
    ]
)


class NotSimple(Exception):
    """The template needs jsonnet."""


def evaluate_simple(
    source: str,
    *,
    template_input: Mapping[str, Any],
    variables: Mapping[str, Any],
    output: Any,
    natives: Mapping[str, tuple[tuple[str, ...], Callable[..., Any]]],
) -> Any:
    """The template's value, or ``NotSimple``."""
    parser = _Parser(_tokens(source), template_input, variables, output, natives)
    value = parser.value()
    if parser.position != len(parser.tokens):
        raise NotSimple("trailing text")
    return _manifest(value)


def _tokens(source: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    i, size = 0, len(source)
    while i < size:
        char = source[i]
        if char in " \t\r\n":
            i += 1
        elif char == "#" or source.startswith("//", i):
            end = source.find("\n", i)
            i = size if end < 0 else end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                raise NotSimple("comment")
            i = end + 2
        elif char in _PUNCT:
            tokens.append(("p", char))
            i += 1
        elif char in "'\"":
            text, i = _string(source, i)
            tokens.append(("s", text))
        elif char.isdigit():
            start = i
            while i < size and (source[i].isdigit() or source[i] in ".eE" or _exponent_sign(source, i)):
                i += 1
            tokens.append(("n", _number(source[start:i])))
        elif char.isalpha() or char == "_":
            start = i
            while i < size and (source[i].isalnum() or source[i] == "_"):
                i += 1
            tokens.append(("i", source[start:i]))
        else:
            raise NotSimple(char)
    return tokens


def _exponent_sign(source: str, i: int) -> bool:
    return source[i] in "+-" and source[i - 1] in "eE"


def _string(source: str, start: int) -> tuple[str, int]:
    quote, i = source[start], start + 1
    out: list[str] = []
    while i < len(source):
        char = source[i]
        if char == quote:
            return "".join(out), i + 1
        if char == "\\":
            following = source[i + 1 : i + 2]
            if following == "u" and len(source) >= i + 6:
                code = int(source[i + 2 : i + 6], 16)
                if 0xD800 <= code <= 0xDFFF:
                    raise NotSimple("surrogate")
                out.append(chr(code))
                i += 6
                continue
            if following not in _ESCAPES:
                raise NotSimple("escape")
            out.append(_ESCAPES[following])
            i += 2
            continue
        out.append(char)
        i += 1
    raise NotSimple("unterminated string")


def _number(text: str) -> Any:
    try:
        value = float(text)
    except ValueError:
        raise NotSimple(text) from None
    if not math.isfinite(value):
        raise NotSimple("not finite")
    if not value.is_integer():
        return value  # jsonnet prints 17 digits: read back, the same double
    if abs(value) >= SAFE_INTEGER:
        raise NotSimple("a number jsonnet prints its own way")
    return int(value)


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]], template_input: Mapping[str, Any],
                 variables: Mapping[str, Any], output: Any,
                 natives: Mapping[str, tuple[tuple[str, ...], Callable[..., Any]]]) -> None:  # fmt: skip
        self.tokens = tokens
        self.position = 0
        self.input = template_input
        self.variables = variables
        self.output = output
        self.natives = natives

    def _peek(self, kind: str, text: Any = None) -> bool:
        if self.position >= len(self.tokens):
            return False
        found_kind, found = self.tokens[self.position]
        return found_kind == kind and (text is None or found == text)

    def _take(self, kind: str, text: Any = None) -> Any:
        if not self._peek(kind, text):
            raise NotSimple(f"expected {text or kind}")
        self.position += 1
        return self.tokens[self.position - 1][1]

    def value(self) -> Any:
        result = self._term()
        while self._peek("p", "+"):
            self.position += 1
            result = _add(result, self._term())
        return result

    def _term(self) -> Any:
        if self._peek("p", "{"):
            return self._object()
        if self._peek("p", "["):
            return self._array()
        if self._peek("s") or self._peek("n"):
            return self._take(self.tokens[self.position][0])
        if self._peek("p", "-"):
            self.position += 1
            number = self._take("n")
            return -number
        name = self._take("i")
        if name in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[name]
        if name == "var" and self._peek("p", "("):
            args, named = self._arguments()
            if named or not 1 <= len(args) <= 2 or not isinstance(args[0], str):
                raise NotSimple("var()")
            return self.variables.get(args[0], args[1] if len(args) > 1 else None)
        path = [name, *self._dotted()]
        if path[0] == "_" and len(path) == 2 and path[1] in _HELPERS and self._peek("p", "("):
            args, named = self._arguments()
            return self._helper(path[1], args, named)
        if tuple(path) in _SHORTCUTS:
            return self._helper(_SHORTCUTS[tuple(path)][0], [], {})
        if path[0] == "input" and len(path) >= 2 and path[1] in ("value", "index"):
            return _field(self.input.get(path[1]), path[2:])
        if path[0] == "output":
            return _field(self.output, path[1:])
        raise NotSimple(".".join(path))

    def _dotted(self) -> list[str]:
        parts: list[str] = []
        while self._peek("p", "."):
            self.position += 1
            parts.append(self._take("i"))
        return parts

    def _arguments(self) -> tuple[list[Any], dict[str, Any]]:
        """Positional arguments (a named one, ``max=5``, is jsonnet's: ``=`` is no token here)."""
        self._take("p", "(")
        args: list[Any] = []
        named: dict[str, Any] = {}
        while not self._peek("p", ")"):
            args.append(self.value())
            if not self._peek("p", ")"):
                self._take("p", ",")
        self._take("p", ")")
        return args, named

    def _helper(self, name: str, args: list[Any], named: dict[str, Any]) -> Any:
        native, parameters = _HELPERS[name]
        if len(args) > len(parameters):
            raise NotSimple("too many arguments")
        values = {key: args[index] if index < len(args) else default
                  for index, (key, default) in enumerate(parameters)}  # fmt: skip
        _, function = self.natives[native]
        try:
            if native in ("int", "float"):
                return function(f"{_text(values['min'])}:{_text(values['max'])}")
            if not parameters:
                return function()
            (value,) = values.values()
            return function(float(value) if _is_number(value) else value)
        except NotSimple:
            raise
        except Exception as exc:  # jsonnet reports it, with the template's line and column
            raise NotSimple(str(exc)) from None

    def _object(self) -> dict[str, Any]:
        self._take("p", "{")
        result: dict[str, Any] = {}
        while not self._peek("p", "}"):
            key = self._take("s") if self._peek("s") else self._take("i")
            if self.tokens[self.position - 1][0] == "i" and key in _KEYWORDS:
                raise NotSimple("a keyword as a field name")
            self._take("p", ":")
            if self._peek("p", ":") or self._peek("p", "+"):
                raise NotSimple("hidden or inherited field")
            if key in result:
                raise NotSimple("duplicate field")
            result[key] = self.value()
            if not self._peek("p", "}"):
                self._take("p", ",")
        self._take("p", "}")
        return result

    def _array(self) -> list[Any]:
        self._take("p", "[")
        result: list[Any] = []
        while not self._peek("p", "]"):
            result.append(self.value())
            if not self._peek("p", "]"):
                self._take("p", ",")
        self._take("p", "]")
        return result


def _field(value: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(value, dict) or part not in value:
            raise NotSimple("no such field")
        value = value[part]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if _is_number(value) and float(value).is_integer() and abs(value) < SAFE_INTEGER:
        return str(int(value))
    raise NotSimple("a value jsonnet turns into text its own way")


def _add(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left + right
    if isinstance(left, str) or isinstance(right, str):
        return _text(left) + _text(right)
    raise NotSimple("+ of these types")


def _manifest(value: Any) -> Any:
    """As jsonnet prints it and ``json.loads`` reads it back: keys sorted, integral numbers integers."""
    if isinstance(value, dict):
        return {key: _manifest(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_manifest(item) for item in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotSimple("not finite")
        if value.is_integer():
            if abs(value) >= SAFE_INTEGER:
                raise NotSimple("large number")
            return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= SAFE_INTEGER:
        raise NotSimple("large number")
    return value
