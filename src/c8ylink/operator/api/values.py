"""Command-line values to typed values, per parameter type (the behaviours of ``operator.api.spec``).

``raw`` maps a parameter name to what the command line gave: ``True`` for a switch, a tuple of texts
for a repeatable parameter and for ``json`` ones (``--data a=1 --data b=2`` is merged), a text otherwise
(absent when not given). ``convert_values`` checks and
converts them (numbers, relative times, JSON/shorthand, choices, comma lists) and fills in defaults;
references to managed objects stay texts here (names are looked up with the server, per job).
Pure: ``now`` is a parameter; every problem is a ``UsageError`` with go-c8y-cli's user-error code 101.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from c8ylink.core.errors import UsageError
from c8ylink.operator.api.shorthand import merge, parse_json_value
from c8ylink.operator.api.spec import CommandSpec, ParamSpec
from c8ylink.operator.api.times import parse_datetime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

USER_ERROR = 101
CHILD_PATHS = {"addition": "childAdditions", "asset": "childAssets", "device": "childDevices"}


def flag_of(param: ParamSpec) -> str:
    return "--" + param.name


def convert_values(spec: CommandSpec, raw: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for param in spec.params:
        given = raw.get(param.name)
        if given in (None, False, ()):
            if param.default is not None:
                given = param.default
            else:
                continue
        value = convert_one(param, given, now)
        if value is not None:
            values[param.name] = value
    return values


def convert_one(param: ParamSpec, given: Any, now: datetime) -> Any:
    """The typed value of one parameter (used for piped values too)."""
    kind = param.type
    if param.is_switch:  # given, or "true"/"false" (--flag=false, a default)
        on = not (isinstance(given, str) and given.lower() == "false")
        if kind == "optional_fragment":
            return {} if on else None
        return on
    if param.is_list:
        items = [given] if isinstance(given, str) else list(given)
        if kind not in ("string[]", "stringor[]"):
            items = [part.strip() for item in items for part in item.split(",") if part.strip()]
        for item in items:
            _check_choice(param, item)
        if kind == "stringor[]":
            return " or ".join(items)
        return ",".join(items) if kind == "stringcsv[]" else items
    if kind == "json" and isinstance(given, tuple | list):  # --data repeated: merged in order
        merged: dict[str, Any] = {}
        for item in given:
            merged = merge(merged, parse_json_value(param.name, str(item)))
        return merged
    text = str(given)
    _check_choice(param, text)
    if kind == "integer":
        return _number(param, text, int)
    if kind == "float":
        return _number(param, text, float)
    if kind in ("datetime", "date"):
        return parse_datetime(param.name, text, now, date_only=kind == "date")
    if kind == "json":
        return parse_json_value(param.name, text)
    if kind == "childtype":
        return CHILD_PATHS[text]
    return text  # a file (``file``...) is checked when the job runs: ``operator.api.uploads.check_file``


def _number(param: ParamSpec, text: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(text)
    except ValueError:
        noun = "an integer" if kind is int else "a number"
        raise UsageError(
            f"invalid {flag_of(param)} {text!r}: expected {noun}", exit_code=USER_ERROR
        ) from None


def _check_choice(param: ParamSpec, text: str) -> None:
    if param.choices and text not in param.choices:
        raise UsageError(
            f"invalid {flag_of(param)} {text!r}: use one of {', '.join(param.choices)}", exit_code=USER_ERROR
        )


def missing_message(param: ParamSpec) -> str:
    how = " or pipe it (one per line)" if param.pipeline else ""
    return f"missing {flag_of(param)} ({param.description.lower()}): give it{how}"


def is_id(text: str) -> bool:
    """go-c8y-cli's rule: a reference made of digits only is an id, anything else a name to look up."""
    return text.isdigit()
