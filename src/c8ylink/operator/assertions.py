"""``c8y assert text``: does each input line match ``--exact`` text, a ``--regex`` or a JSON ``--schema``?

``check_line`` is pure: the line -> None when it passes, else why not. A schema is checked with the
``jsonschema`` package (operator extra, imported only for ``--schema``); a regular expression matches
anywhere in the line, multi-line and dot-all as upstream's ``(?ms)``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from c8ylink.core.errors import UsageError
from c8ylink.core.exit_codes import C8yExit


@dataclass(frozen=True, slots=True)
class TextAssertion:
    exact: str | None = None
    pattern: re.Pattern[str] | None = None
    schema: Any = None  # a jsonschema validator
    schema_text: str = ""


def build_assertion(exact: str | None, regex: str | None, schema: str | None) -> TextAssertion:
    pattern = None
    if regex:
        try:
            pattern = re.compile("(?ms)" + regex)
        except re.error as exc:
            raise UsageError(f"invalid --regex {regex!r}: {exc}", exit_code=int(C8yExit.USER)) from None
    validator = _validator(schema) if schema else None
    return TextAssertion(exact, pattern, validator, schema or "")


def _validator(schema: str) -> Any:
    try:
        import jsonschema
    except ImportError as exc:
        raise UsageError(
            "--schema needs the jsonschema package: pip install 'c8ylink[operator]'",
            exit_code=int(C8yExit.USER),
        ) from exc
    text = schema
    if not schema.lstrip().startswith("{"):
        try:
            with open(schema, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise UsageError(
                f"cannot read --schema {schema}: {exc.strerror}", exit_code=int(C8yExit.USER)
            ) from None
    try:
        document = json.loads(text)
        validator_class = jsonschema.validators.validator_for(document)
        validator_class.check_schema(document)
    except (ValueError, jsonschema.SchemaError) as exc:
        message = getattr(exc, "message", str(exc))
        raise UsageError(f"invalid --schema: {message}", exit_code=int(C8yExit.USER)) from None
    return validator_class(document)


def check_line(line: str, assertion: TextAssertion) -> str | None:
    """None when ``line`` passes every check given, else the first failure (upstream's wording)."""
    if assertion.schema is not None:
        try:
            value = json.loads(line)
        except ValueError:
            value = line
        if not assertion.schema.is_valid(value):
            wanted = assertion.schema_text
            return f"assertion failed. input does not match json schema. got={line}, wanted={wanted}"
    if assertion.pattern is not None and not assertion.pattern.search(line):
        wanted = assertion.pattern.pattern[len("(?ms)") :]
        return f"assertion failed. input does not match pattern. got={line}, wanted={wanted}"
    if assertion.exact is not None and line != assertion.exact:
        return f"assertion failed. input does not match. got={line}, wanted={assertion.exact}"
    return None
