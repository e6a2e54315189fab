"""The inventory query language, the subset clients use (cumulocity-api.md §3.2).

    [$filter=]<expr> [$orderby=<prop> [asc|desc][, ...]]
    expr   := term (or term)*        term := factor (and factor)*
    factor := not factor | not(expr) | (expr) | has(f) | hasany(f, ...) | bygroupid(id, ...)
            | <prop> (eq|ne|gt|ge|lt|le) <value>
    value  := 'string' ('' escapes a quote; * is a wildcard for eq/ne) | number[f|d|l] | true | false | null
            | word (an unquoted string)

Properties are dotted paths (``c8y_Availability.status``). Comparison with a list property is true if
any element matches. Strings are compared case-sensitively. Errors are 422 ``Invalid query``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from c8ylink.tenant.state.errors import TenantApiError, validation_error

Document = Mapping[str, Any]
Predicate = Callable[[Document], bool]
GroupLookup = Callable[[str], Iterable[str]]  # object id -> ids of its groups (asset, addition parents)

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<punct>[(),])|(?P<word>[^\s(),']+))",
)
_COMPARATORS = {"eq", "ne", "gt", "ge", "lt", "le"}
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?[fFdDlL]?$")
_MISSING = object()
_KEYWORDS = {"and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le"}


@dataclass(frozen=True, slots=True)
class Query:
    predicate: Predicate | None = None
    order_by: tuple[tuple[str, bool], ...] = field(default=())  # (property, descending)

    def matches(self, document: Document) -> bool:
        return self.predicate is None or self.predicate(document)

    def sort(self, documents: list[Document]) -> list[Document]:
        ordered = list(documents)
        for path, descending in reversed(self.order_by):
            ordered.sort(key=_key_for(path), reverse=descending)
        return ordered


def _key_for(path: str) -> Callable[[Document], tuple[int, Any]]:
    def key(document: Document) -> tuple[int, Any]:
        return _sort_key(lookup(document, path))

    return key


def _invalid(message: str) -> TenantApiError:
    return validation_error(f"Invalid query: {message}")


def parse_query(text: str, groups: GroupLookup | None = None) -> Query:
    """Parse ``$filter=... $orderby=...`` (or a bare filter expression)."""
    filter_text, order_text = _split_clauses(text)
    predicate = _Parser(_tokenize(filter_text), groups).parse() if filter_text.strip() else None
    return Query(predicate, _parse_order(order_text))


def _split_clauses(text: str) -> tuple[str, str]:
    order_at = text.find("$orderby=")
    order_text = text[order_at + len("$orderby=") :] if order_at >= 0 else ""
    filter_text = text[:order_at] if order_at >= 0 else text
    filter_text = filter_text.strip()
    if filter_text.startswith("$filter="):
        filter_text = filter_text[len("$filter=") :]
    elif filter_text.startswith("$"):
        raise _invalid(f"unknown clause in '{text}'")
    return filter_text, order_text


def _parse_order(text: str) -> tuple[tuple[str, bool], ...]:
    order = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        words = item.split()
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise _invalid(f"bad $orderby item '{item}'")
        order.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return tuple(order)


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _invalid(f"unexpected character at position {position}")
        tokens.append(match.group("string") or match.group("punct") or match.group("word"))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], groups: GroupLookup | None) -> None:
        self.tokens = tokens
        self.position = 0
        self.groups = groups

    def parse(self) -> Predicate:
        predicate = self._expression()
        if self.position != len(self.tokens):
            raise _invalid(f"unexpected '{self.tokens[self.position]}'")
        return predicate

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _next(self) -> str:
        token = self._peek()
        if token is None:
            raise _invalid("unexpected end of query")
        self.position += 1
        return token

    def _expect(self, token: str) -> None:
        found = self._next()
        if found != token:
            raise _invalid(f"expected '{token}' but found '{found}'")

    def _expression(self) -> Predicate:
        terms = [self._term()]
        while (self._peek() or "").lower() == "or":
            self.position += 1
            terms.append(self._term())
        return terms[0] if len(terms) == 1 else (lambda doc: any(t(doc) for t in terms))

    def _term(self) -> Predicate:
        factors = [self._factor()]
        while (self._peek() or "").lower() == "and":
            self.position += 1
            factors.append(self._factor())
        return factors[0] if len(factors) == 1 else (lambda doc: all(f(doc) for f in factors))

    def _factor(self) -> Predicate:
        token = self._next()
        lowered = token.lower()
        if token == "(":
            inner = self._expression()
            self._expect(")")
            return inner
        if lowered == "not":
            negated = self._factor()
            return lambda doc: not negated(doc)
        if lowered in ("has", "hasany", "bygroupid") and self._peek() == "(":
            return self._function(lowered, self._arguments())
        operator = self._next().lower()
        if operator not in _COMPARATORS:
            raise _invalid(f"expected a comparison after '{token}', found '{operator}'")
        return _comparison(token, operator, _literal(self._next()))

    def _arguments(self) -> list[str]:
        self._expect("(")
        arguments = [_argument(self._next())]
        while self._peek() == ",":
            self.position += 1
            arguments.append(_argument(self._next()))
        self._expect(")")
        return arguments

    def _function(self, name: str, arguments: list[str]) -> Predicate:
        if name == "has":
            if len(arguments) != 1:
                raise _invalid("has() takes one fragment name")
            path = arguments[0]
            return lambda doc: lookup(doc, path) is not _MISSING
        if name == "hasany":
            return lambda doc: any(lookup(doc, path) is not _MISSING for path in arguments)
        groups = self.groups
        wanted = set(arguments)
        if groups is None:
            return lambda doc: False
        return lambda doc: bool(wanted.intersection(groups(str(doc.get("id", "")))))


def _argument(token: str) -> str:
    if token.startswith("'"):
        return token[1:-1].replace("''", "'")
    return token


def _literal(token: str) -> Any:
    if token.startswith("'"):
        return token[1:-1].replace("''", "'")
    lowered = token.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if _NUMBER.match(token):
        number = token.rstrip("fFdDlL")
        return float(number) if any(c in number for c in ".eE") else int(number)
    if token.lower() in _KEYWORDS:
        raise _invalid(f"expected a value, found '{token}'")
    return token  # an unquoted word is a string (c8y_api writes "type eq c8y_MQTTDevice")


def lookup(document: Document, path: str) -> Any:
    """The value at a dotted ``path``, or a private MISSING marker."""
    current: Any = document
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return _MISSING
        current = current[part]
    return current


def _comparison(path: str, operator: str, expected: Any) -> Predicate:
    def test(value: Any) -> bool:
        if operator in ("eq", "ne"):
            equal = _equals(value, expected)
            return equal if operator == "eq" else not equal
        return _ordered(value, operator, expected)

    def predicate(doc: Document) -> bool:
        value = lookup(doc, path)
        if value is _MISSING:
            return operator == "ne"
        if isinstance(value, list) and not isinstance(expected, list):
            return any(test(item) for item in value) if operator != "ne" else all(test(v) for v in value)
        return test(value)

    return predicate


def _equals(value: Any, expected: Any) -> bool:
    if isinstance(expected, str) and isinstance(value, str):
        return (
            fnmatch.fnmatchcase(value, expected.replace("[", "[[]")) if "*" in expected else value == expected
        )
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    if isinstance(expected, int | float) and isinstance(value, str):
        return value == str(expected)
    return bool(value == expected)


def _ordered(value: Any, operator: str, expected: Any) -> bool:
    comparable = (isinstance(value, str) and isinstance(expected, str)) or (
        isinstance(value, int | float) and isinstance(expected, int | float)
    )
    if not comparable or isinstance(value, bool):
        return False
    if operator == "gt":
        return bool(value > expected)
    if operator == "ge":
        return bool(value >= expected)
    if operator == "lt":
        return bool(value < expected)
    return bool(value <= expected)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is _MISSING or value is None:
        return (2, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))
