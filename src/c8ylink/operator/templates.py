"""jsonnet templates (``--template``, ``--templateVars``, ``c8y template execute``), as go-c8y-cli's.

    template = load_template("{name: 'dev-' + input.index, type: var('type', 'c8y_Linux')}", search_path)
    render_template(template, TemplateInput(value="x", index=1), variables={"type": "t"}, now=now)

The template is jsonnet (the ``jsonnet`` package, the C++ implementation, imported only here and only
when a template is used) with upstream's helpers in scope:

- ``input.value`` (the piped line: an object when it is JSON, else the text), ``input.index`` (1, 2, ...);
- ``output``: with ``--outputTemplate``, the result being printed (``input.value``: what was piped in
  for it);
- ``var(name, default)``: a ``--templateVars`` value (``a=1,b=x`` or JSON);
- ``_.Now(offset='0s')`` (an ISO time, ``_.Now('-1h')``), ``_.Date(offset='0s')`` (``2024-05-01``),
  ``_.Int(max=100, min=0)``, ``_.Float(max=1, min=0)``, ``_.Bool()``, ``_.Char(n=10)`` (letters),
  ``_.Digit(n=10)``, ``_.Hex(n=16)``, ``_.Password(n=32)``; ``time.now``, ``rand.int``, ``rand.float``,
  ``rand.bool``, ``rand.password``.

An error names the template's own line and column (``template:2:10``) and is a ``UsageError`` (exit
101); a template file that does not exist says where it was looked for.
"""

from __future__ import annotations

import json
import os
import string
from datetime import UTC, datetime

from c8ylink.core.errors import UsageError

TYPE_CHECKING = False  # loaded by every command with a template: start-up idioms (core/records.py)
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple

USER_ERROR = 101
NAME = "template"

# one line, so that an error's line number is the template's own plus one (render_template subtracts it)
PRELUDE = (
    "local input = std.extVar('c8y.input'); local output = std.extVar('c8y.output'); "
    "local __vars = std.extVar('c8y.vars'); "
    "local var(name, default=null) = if std.objectHas(__vars, name) then __vars[name] else default; "
    "local __n = std.native; "
    "local _ = { Now(offset='0s'):: __n('now')(offset), Date(offset='0s'):: __n('date')(offset), "
    "Int(max=100, min=0):: __n('int')(min + ':' + max), Float(max=1, min=0):: __n('float')(min + ':' + max), "
    "Bool():: __n('bool')(), Char(n=10):: __n('chars')(n), Digit(n=10):: __n('digits')(n), "
    "Hex(n=16):: __n('hex')(n), Password(n=32):: __n('password')(n) }; "
    "local time = { now: _.Now(), nowNano: _.Now() }; "
    "local rand = { int: _.Int(), float: _.Float(), bool: _.Bool(), password: _.Password() }; "
)


class TemplateInput(NamedTuple):
    value: Any = None  # the piped value: a JSON document or the text
    number: int = 1  # input.index


class Template(NamedTuple):
    source: str
    origin: str  # "inline" or the file's path


def load_template(value: str, search_paths: Sequence[str] = (), extensions_dir: str = "") -> Template:
    """``--template``: a file (as given, or in the template path ``settings.template.path``, with or
    without ``.jsonnet``; ``<ext>::<file>`` in the ``templates/`` of the installed extension ``ext``),
    else the text itself."""
    candidates = [value]
    if extensions_dir and "::" in value and "\n" not in value:
        search_paths, value = _extension_search_path(value, extensions_dir)
        candidates = []
    for folder in search_paths:
        if folder:
            candidates += [os.path.join(folder, value), os.path.join(folder, value + ".jsonnet")]
    for path in candidates:
        expanded = os.path.expanduser(path)
        if os.path.isfile(expanded):
            with open(expanded, encoding="utf-8") as handle:
                return Template(handle.read(), expanded)
    if _names_a_file(value.strip()):
        where = ", ".join(folder for folder in search_paths if folder) or "no template path set"
        raise UsageError(
            f"template file {value!r} does not exist (looked in the working directory and {where})",
            exit_code=USER_ERROR,
        )
    return Template(value, "inline")


def _extension_search_path(value: str, extensions_dir: str) -> tuple[list[str], str]:
    """([the extension's templates folder], the file name) of ``<ext>::<file>``."""
    from pathlib import Path

    from c8ylink.operator.extensions.store import split_prefixed, template_folder

    parts = split_prefixed(value)
    if parts is None:
        return [], value
    folder = template_folder(Path(extensions_dir), parts[0])
    if not folder:
        raise UsageError(f"template {value!r}: no extension {parts[0]!r} is installed", exit_code=USER_ERROR)
    return [folder], parts[1]


def _names_a_file(text: str) -> bool:
    """``device.jsonnet``, ``~/t/x.libsonnet``, ``a.json``: a file name rather than a template."""
    base, dot, suffix = text.rpartition(".")
    allowed = set(string.ascii_letters + string.digits + "_./~-")
    return bool(dot and base) and suffix in ("jsonnet", "libsonnet", "json") and set(base) <= allowed


def _random_text(alphabet: str, count: Any) -> str:
    import secrets

    return "".join(secrets.choice(alphabet) for _ in range(max(int(count), 0)))


def _password(count: Any) -> str:
    size = max(int(count), 4)
    symbols = "!@%^()[]*+-_;,."
    alphabet = string.ascii_letters + string.digits + symbols
    while True:
        text = _random_text(alphabet, size)
        if any(c.isdigit() for c in text) and any(c in symbols for c in text):
            return text


def _bounds(span: str, kind: type[int] | type[float]) -> tuple[Any, Any]:
    """``"min:max"`` (jsonnet's native functions take one primitive each here) -> (min, max)."""
    low, _, high = str(span).partition(":")
    return kind(float(low)), kind(float(high))


def _scaled(bounds: tuple[float, float], fraction: float) -> float:
    return bounds[0] + (bounds[1] - bounds[0]) * fraction


def native_functions(now: datetime, randint: Callable[[int, int], int]) -> dict[str, Any]:
    """The helpers behind ``_``: times relative to ``now``, random values."""
    from c8ylink.operator.api.times import format_utc, relative_offset

    def moment(offset: Any) -> datetime:
        delta = relative_offset(str(offset))
        if delta is None:
            raise ValueError(f"{offset!r} is not a relative time (use e.g. -1h, 10m, -7d)")
        return now + delta

    return {
        "now": (("offset",), lambda offset: format_utc(moment(offset))),
        "date": (("offset",), lambda offset: moment(offset).astimezone(UTC).strftime("%Y-%m-%d")),
        "int": (("range",), lambda span: randint(*_bounds(span, int))),
        "float": (("range",), lambda span: _scaled(_bounds(span, float), randint(0, 10**6) / 10**6)),
        "bool": ((), lambda: randint(0, 1) == 1),
        "chars": (("n",), lambda n: _random_text(string.ascii_letters, n)),
        "digits": (("n",), lambda n: _random_text(string.digits, n)),
        "hex": (("n",), lambda n: _random_text("0123456789abcdef", n)),
        "password": (("n",), _password),
    }


def _error_message(text: str, origin: str) -> str:
    """jsonnet's error with the template's own line numbers (the prelude's line taken off)."""
    import re

    shifted = re.sub(rf"\b{NAME}:(\d+):", lambda m: f"{origin}:{int(m.group(1)) - 1}:", text)
    lines = [line.strip() for line in shifted.strip().splitlines() if line.strip()]
    return "; ".join(lines[:2])


def render_template(
    template: Template,
    template_input: TemplateInput,
    *,
    variables: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    randint: Callable[[int, int], int] | None = None,
    output: Any = None,
    lite: bool = True,
) -> Any:
    """The JSON document the template evaluates to (``output``: a result, for ``--outputTemplate``).
    A template of plain data is evaluated without jsonnet (``operator.template_lite``) unless ``lite``
    is false; the result is the same."""
    import random

    when = now or datetime.now(UTC)
    rng = randint or random.SystemRandom().randint
    natives = native_functions(when, rng)
    from c8ylink.operator.template_lite import NotSimple, evaluate_simple

    try:  # plain data needs no jsonnet VM (its start-up is most of a template's cost)
        if not lite:
            raise NotSimple("jsonnet asked for")
        return evaluate_simple(
            template.source,
            template_input={"value": template_input.value, "index": template_input.number},
            variables=dict(variables or {}),
            output=output,
            natives=natives,
        )
    except NotSimple:
        pass
    try:
        import _jsonnet  # the jsonnet package (operator extra)
    except ImportError as exc:
        raise UsageError(
            "templates need the jsonnet package: pip install 'c8ylink[operator]'", exit_code=USER_ERROR
        ) from exc
    origin = NAME if template.origin == "inline" else template.origin
    try:
        text = _jsonnet.evaluate_snippet(
            NAME,
            PRELUDE + "\n" + template.source,
            ext_codes={
                "c8y.input": json.dumps({"value": template_input.value, "index": template_input.number}),
                "c8y.vars": json.dumps(dict(variables or {})),
                "c8y.output": json.dumps(output),
            },
            native_callbacks=natives,
        )
    except RuntimeError as exc:
        raise UsageError(
            f"template error: {_error_message(str(exc), origin)}", exit_code=USER_ERROR
        ) from None
    return json.loads(text)


def parse_template_vars(texts: Sequence[str]) -> dict[str, Any]:
    """``--templateVars 'a=1,b=x'`` or JSON, repeatable (merged)."""
    from c8ylink.operator.api.shorthand import merge, parse_json_value

    merged: dict[str, Any] = {}
    for text in texts:
        merged = merge(merged, parse_json_value("templateVars", text))
    return merged


def piped_value(text: str | None) -> Any:
    """A piped line as ``input.value``: the JSON document it holds, else the text."""
    if text is None:
        return None
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped)
        except ValueError:
            return text
    return text
