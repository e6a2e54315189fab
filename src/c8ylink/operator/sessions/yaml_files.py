"""Session files in YAML (``.yaml``/``.yml``), which go-c8y-cli reads and writes as well as JSON: the
one place PyYAML (operator extra) is imported, and only when such a file is read or written. Safe
loading only (no tags that build objects); dates become ISO text, numbers must be finite."""

from __future__ import annotations

from typing import Any

YAML_SUFFIXES = (".yaml", ".yml")


def is_yaml_name(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES)


def parse_yaml_document(text: str) -> Any:
    """The document of a YAML text; ``ValueError`` naming the line and column of a mistake."""
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - the operator extra carries it
        raise ValueError("YAML session files need PyYAML: pip install 'c8ylink[operator]'") from exc
    try:
        document = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ValueError(f"invalid YAML{where}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"invalid YAML: {exc}") from None
    return _jsonable(document)


def format_yaml_document(document: Any) -> str:
    """The session document as block-style YAML, keys in the order given (what a YAML file is rewritten
    to when the CLI stores a token, a tenant or a setting in it)."""
    import yaml

    return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False))


def _jsonable(node: Any) -> Any:
    """Dates and times YAML reads as such become their ISO text; keys become text (as in JSON)."""
    import datetime
    import math

    if isinstance(node, dict):
        return {str(key): _jsonable(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_jsonable(item) for item in node]
    if isinstance(node, datetime.date | datetime.datetime):
        return node.isoformat()
    if isinstance(node, float) and not math.isfinite(node):
        raise ValueError("invalid YAML: a number that is not finite")
    return node
