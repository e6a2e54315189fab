"""``--filter``: go-c8y-cli's client-side filters on the results (``'name like sensor*'``).

    filters = parse_filters(["name like sensor*", "c8y_Hardware.serialNumber neq 0"])
    kept = [item for item in items if matches(item, filters, now)]

A filter is ``<dot path> <operator> <value>`` (or ``<path> = <value>``, ``!=``, ``<``, ``<=``, ``>``,
``>=``); several filters must all hold. Operators (upstream's names, a leading ``-`` allowed):

- ``like``/``notlike``: ``*`` wildcards, whole value, case-insensitive; ``match``/``notmatch``: a
  regular expression found anywhere, case-insensitive;
- ``eq``/``neq``/``gt``/``gte``/``lt``/``lte``: numbers compare as numbers, anything else as text;
- ``leneq``/``lenneq``/``lengt``/``lengte``/``lenlt``/``lenlte``: the length of a text, list or object;
- ``has``/``nothas`` (``keyIn``/``keyNotIn``, ``hasnot``, ``missing``): whether a property exists
  (``has c8y_IsDevice``, ``has c8y_Hardware.serialNumber``);
- ``datelt``/``datelte``/``dategt``/``dategte`` (``olderthan`` = ``datelte``, ``newerthan`` =
  ``dategte``): ISO times or relative ones (``-1d``, ``now``);
- ``contains``/``startsWith``/``endsWith`` on text; ``in``/``notIn`` with a comma list;
  ``version``: a version constraint (``>=1.2.0``, ``>=1.0,<2``).

A value in quotes is text; otherwise a number or ``true``/``false`` is taken as such. Paths are matched
case-insensitively, list items by number (``c8y_SupportedOperations.0``). A property that does not
exist matches nothing (except ``nothas``). Upstream ignores a filter it cannot read; this says so
(``UsageError``, exit 101). Pure: ``now`` is a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from c8ylink.core.errors import UsageError
from c8ylink.operator.api.times import relative_offset

USER_ERROR = 101
_ALIASES = {
    "=": "eq", "!=": "neq", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte",
    "has": "keyin", "nothas": "keynotin", "hasnot": "keynotin", "missing": "keynotin",
    "olderthan": "datelte", "newerthan": "dategte", "lenneq": "lenneq",
}  # fmt: skip
_WORDS = (
    "keyIn", "keyNotIn", "has", "nothas", "hasnot", "missing", "like", "notlike", "match", "notmatch",
    "newerthan", "olderthan", "datelte", "datelt", "dategte", "dategt", "version", "eq", "neq", "lte",
    "lt", "gte", "gt", "notIn", "in", "startsWith", "endsWith", "contains", "leneq", "lenneq", "lengte",
    "lengt", "lenlte", "lenlt",
)  # fmt: skip
_SPLIT = re.compile(r"\s+-?(" + "|".join(_WORDS) + r")(?:\s+|$)|\s*(!=|<=|>=|=|<|>)\s*", re.IGNORECASE)
_KEY_ONLY = {"keyin", "keynotin"}
OPERATORS = frozenset(word.lower() for word in _WORDS) | {"=", "!=", "<", "<=", ">", ">="}


class Filter(NamedTuple):
    path: str  # dot path, "" for the item itself
    operator: str  # canonical, lower case (eq, like, keyin, datelt, ...)
    value: Any  # str, int, float or bool
    text: str  # as given, for messages


def parse_filter(text: str) -> Filter:
    """One ``--filter`` value; ``UsageError`` when it names no known operator or no value."""
    stripped = text.strip()
    head = re.match(r"^-?(has|nothas|hasnot|missing|keyin|keynotin)\s+(\S+)$", stripped, re.IGNORECASE)
    if head:
        operator = _ALIASES.get(head.group(1).lower(), head.group(1).lower())
        return _key_filter(head.group(2), operator, text)
    match = _SPLIT.search(" " + stripped)
    if match is None or not stripped:
        raise _bad(text, "no operator")
    path = (" " + stripped)[: match.start()].strip()
    raw = (" " + stripped)[match.end() :].strip()
    operator = (match.group(1) or match.group(2)).lower()
    operator = _ALIASES.get(operator, operator)
    if operator in _KEY_ONLY:
        return _key_filter(f"{path}.{raw}" if path else raw, operator, text)
    if not path:
        raise _bad(text, "no property before the operator")
    if raw == "" and operator not in ("eq", "neq"):
        raise _bad(text, "no value after the operator")
    return Filter(path, operator, _typed(raw, operator), text)


def _key_filter(target: str, operator: str, text: str) -> Filter:
    path, _, key = target.rpartition(".")
    return Filter(path, operator, key, text)


def _bad(text: str, reason: str) -> UsageError:
    known = "like, notlike, match, notmatch, eq, neq, gt, gte, lt, lte, leneq, lengt, lenlt, has, nothas, "
    known += "datelt, datelte, dategt, dategte, contains, startsWith, endsWith, in, notIn, version"
    return UsageError(
        f"invalid --filter {text!r} ({reason}): use '<property> <operator> <value>' with one of: {known}",
        exit_code=USER_ERROR,
    )


def _typed(raw: str, operator: str) -> Any:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    if operator in ("like", "notlike", "match", "notmatch", "version", "in", "notin"):
        return raw
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    try:
        return float(raw) if "." in raw or "e" in raw.lower() else int(raw)
    except ValueError:
        return raw


def parse_filters(texts: Sequence[str]) -> tuple[Filter, ...]:
    return tuple(parse_filter(text) for text in texts if text.strip())


_MISSING = object()


def lookup(item: Any, path: str) -> Any:
    """The value at a dot path (keys case-insensitive, list items by number); ``_MISSING`` if none."""
    node = item
    for part in path.split(".") if path else ():
        if isinstance(node, Mapping):
            if part in node:
                node = node[part]
                continue
            lowered = part.lower()
            found = next((key for key in node if str(key).lower() == lowered), None)
            if found is None:
                return _MISSING
            node = node[found]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def matches(item: Any, filters: Sequence[Filter], now: datetime) -> bool:
    """Whether ``item`` passes every filter."""
    return all(_holds(item, each, now) for each in filters)


def filter_items(items: Sequence[Any], filters: Sequence[Filter], now: datetime) -> list[Any]:
    return [item for item in items if matches(item, filters, now)]


def _holds(item: Any, rule: Filter, now: datetime) -> bool:
    if rule.operator in _KEY_ONLY:
        parent = lookup(item, rule.path)
        present = isinstance(parent, Mapping) and lookup(parent, rule.value) is not _MISSING
        return present if rule.operator == "keyin" else not present
    value = lookup(item, rule.path)
    if value is _MISSING:
        return False
    return _compare(rule.operator, value, rule.value, now, rule.text)


def _compare(operator: str, value: Any, wanted: Any, now: datetime, text: str) -> bool:
    if operator.startswith("len"):
        return _length(operator[3:], value, wanted, text)
    if operator in ("like", "notlike"):
        pattern = "^" + ".*".join(re.escape(part) for part in str(wanted).split("*")) + "$"
        found = isinstance(value, str) and re.match(pattern, value, re.IGNORECASE | re.DOTALL) is not None
        return found if operator == "like" else not found
    if operator in ("match", "notmatch"):
        try:
            found = isinstance(value, str) and re.search(str(wanted), value, re.IGNORECASE) is not None
        except re.error as exc:
            raise _bad(text, f"bad regular expression: {exc}") from None
        return found if operator == "match" else not found
    if operator.startswith("date"):
        return _dates(operator[4:], value, wanted, now, text)
    if operator in ("contains", "startswith", "endswith"):
        if not isinstance(value, str):
            return False
        return {"contains": str(wanted) in value, "startswith": value.startswith(str(wanted)),
                "endswith": value.endswith(str(wanted))}[operator]  # fmt: skip
    if operator in ("in", "notin"):
        choices = [part.strip() for part in str(wanted).split(",")]
        found = _scalar_text(value) in choices
        return found if operator == "in" else not found
    if operator == "version":
        return _version_holds(value, str(wanted), text)
    return _order(operator, value, wanted)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _order(operator: str, value: Any, wanted: Any) -> bool:
    numeric = (int, float)
    if isinstance(value, bool) or isinstance(wanted, bool):
        left: Any = value
        right: Any = wanted
        if operator not in ("eq", "neq"):
            return False
    elif (isinstance(value, numeric) and isinstance(wanted, numeric)) or (
        isinstance(value, str) and isinstance(wanted, str)
    ):
        left, right = value, wanted
    elif isinstance(value, str) and isinstance(wanted, numeric):
        left, right = value, _scalar_text(wanted)
        if operator not in ("eq", "neq"):
            try:
                left, right = float(value), wanted
            except ValueError:
                return False
    else:
        return operator == "neq"
    outcome: bool = {
        "eq": left == right, "neq": left != right, "gt": left > right, "gte": left >= right,
        "lt": left < right, "lte": left <= right,
    }[operator]  # fmt: skip
    return outcome


def _length(operator: str, value: Any, wanted: Any, text: str) -> bool:
    if not isinstance(wanted, int) or isinstance(wanted, bool):
        raise _bad(text, "a length operator needs a whole number")
    if not isinstance(value, str | list | Mapping):
        return False
    size = len(value)
    return {
        "eq": size == wanted, "neq": size != wanted, "gt": size > wanted, "gte": size >= wanted,
        "lt": size < wanted, "lte": size <= wanted,
    }[operator]  # fmt: skip


def parse_moment(text: str, now: datetime) -> datetime | None:
    """An ISO time (``Z`` or an offset; none = UTC) or a relative one; None if neither."""
    offset = relative_offset(text)
    if offset is not None:
        return now + offset
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _dates(operator: str, value: Any, wanted: Any, now: datetime, text: str) -> bool:
    limit = parse_moment(str(wanted), now)
    if limit is None:
        raise _bad(text, f"{wanted!r} is not a date (use an ISO time or a relative one: -1d, -10m, now)")
    moment = parse_moment(value, now) if isinstance(value, str) else None
    if moment is None:
        return False
    return {"lt": moment < limit, "lte": moment <= limit, "gt": moment > limit,
            "gte": moment >= limit}[operator]  # fmt: skip


def _version_key(text: str) -> tuple[int, ...]:
    numbers = re.match(r"^\s*v?(\d+(?:\.\d+)*)", text)
    return tuple(int(part) for part in numbers.group(1).split(".")) if numbers else (0, 0, 0)


def _version_holds(value: Any, constraints: str, text: str) -> bool:
    current = _version_key(str(value))
    for constraint in constraints.split(","):
        found = re.match(r"^\s*(>=|<=|!=|=|>|<|~>)?\s*v?(\d+(?:\.\d+)*)\s*$", constraint)
        if found is None:
            raise _bad(text, f"bad version constraint {constraint.strip()!r}")
        op, wanted = found.group(1) or "=", _version_key(found.group(2))
        width = max(len(current), len(wanted))
        left = current + (0,) * (width - len(current))
        right = wanted + (0,) * (width - len(wanted))
        if op == "~>":
            prefix = len(wanted) - 1 if len(wanted) > 1 else 1
            if not (left >= right and left[:prefix] == right[:prefix]):
                return False
            continue
        if not {"=": left == right, "!=": left != right, ">": left > right, ">=": left >= right,
                "<": left < right, "<=": left <= right}[op]:  # fmt: skip
            return False
    return True
