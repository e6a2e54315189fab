"""``c8y sessions list`` when piped: one JSON line per session, with no secrets.

On the start-up path (the quick answer of ``operator.cli.main``), so it imports only ``os`` and ``json``
and builds plain dicts; the picker and ``store.list_session_files`` apply the same skip rules (§1.7).
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    from collections.abc import Mapping

_SKIP_DIRS = ("activitylog", ".git", "extensions")
_FIELDS = ("host", "tenant", "username")


def home_of(env: Mapping[str, str], user_home: str) -> str:
    configured = env.get("C8Y_SESSION_HOME", "").strip()
    if configured:
        if configured.startswith("~"):
            configured = user_home + configured[1:]
        return os.path.expandvars(configured)
    return os.path.join(user_home, ".cumulocity")


def _value(document: Mapping[str, object], key: str) -> str:
    for name, value in document.items():
        if name.lower() == key.lower():
            return "" if value is None or value == "null" else str(value)
    return ""


def _setting(document: Mapping[str, object], *path: str) -> str:
    node: object = document
    for part in ("settings", *path):
        if not isinstance(node, dict):
            return ""
        lowered = {str(k).lower(): v for k, v in node.items()}
        dotted = ".".join(path).lower()
        if part == "settings" and isinstance(lowered.get("settings"), dict):
            flat = {str(k).lower(): v for k, v in lowered["settings"].items()}
            if dotted in flat:
                return str(flat[dotted])
        node = lowered.get(part.lower())
    return "" if node is None or isinstance(node, dict) else str(node)


def session_entries(home: str) -> list[dict[str, str]]:
    """Every readable session below ``home``, sorted by path (unparsable and empty files skipped)."""
    entries: list[dict[str, str]] = []
    for root, dirs, files in os.walk(home):
        dirs[:] = sorted(d for d in dirs if d.lower() not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name.lower().startswith("settings."):
                continue
            path = os.path.join(root, name)
            entry = _entry(path, name)
            if entry is not None:
                entries.append(entry)
    return sorted(entries, key=lambda entry: entry["path"])


def strip_trailing_commas(text: str) -> str:
    """JSON with the trailing commas people leave in hand-edited files (``{"a": 1,}``) removed;
    commas inside strings are kept."""
    out: list[str] = []
    in_string = escaped = False
    pending = ""  # a comma (and the blanks after it) not yet known to be trailing
    for char in text:
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if pending:
            if char in " \t\r\n":
                pending += char
                continue
            out.append(pending[1:] if char in "}]" else pending)
            pending = ""
        if char == ",":
            pending = char
            continue
        out.append(char)
        in_string = char == '"'
    return "".join(out) + pending


_INFINITY = float("inf")
_TOO_DEEP = object()
MAX_DEPTH = 64


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (_INFINITY, -_INFINITY):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _loads(text: str) -> object:
    """Standard JSON only: ``NaN``/``Infinity``/``1e999`` and nesting too deep for the parser are a
    ``ValueError`` (never an ``OverflowError`` or ``RecursionError`` later)."""
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        document = _TOO_DEEP
    pending = [(document, 1)]
    while pending:  # iterative: what a session file holds is read recursively later
        node, depth = pending.pop()
        if depth > MAX_DEPTH or node is _TOO_DEEP:
            raise ValueError(f"the JSON is nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            pending.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            pending.extend((child, depth + 1) for child in node)
    return document


def parse_json_document(text: str) -> object:
    """``json.loads``, forgiving trailing commas (a hand-edited file as the user docs show one)."""
    try:
        return _loads(text)
    except json.JSONDecodeError:
        relaxed = strip_trailing_commas(text)
        if relaxed == text:
            raise
        return _loads(relaxed)


def _entry(path: str, name: str) -> dict[str, str] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        document: object
        if name.lower().endswith(".toml"):
            import tomllib

            document = tomllib.loads(text)
        elif name.lower().endswith((".yaml", ".yml")):
            from c8ylink.operator.sessions.yaml_files import parse_yaml_document

            document = parse_yaml_document(text)
        else:
            document = parse_json_document(text)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict) or not any(_value(document, key) for key in _FIELDS):
        return None
    base, _ = os.path.splitext(name)
    host = _value(document, "host")
    return {
        "name": base,
        "path": path,
        "host": host if "://" in host or not host else "https://" + host,
        "tenant": _value(document, "tenant"),
        "username": _value(document, "username"),
        "mode": _setting(document, "session", "mode"),
        "loginType": _setting(document, "login", "type"),
    }


def matches(entry: Mapping[str, str], index: int, terms: list[str]) -> bool:
    """Every term is a substring of ``#NN <file> <host without scheme> <tenant> <username>`` (lower)."""
    host = entry["host"].split("://", 1)[-1]
    text = f"#{index:02d} {os.path.basename(entry['path'])} {host} {entry['tenant']} {entry['username']}"
    return all(term.lower() in text.lower() for term in terms)


def filtered(entries: list[dict[str, str]], terms: list[str]) -> list[dict[str, str]]:
    return [entry for index, entry in enumerate(entries, 1) if matches(entry, index, terms)]


def render_lines(entries: list[dict[str, str]]) -> str:
    return "".join(json.dumps(entry, separators=(",", ":")) + "\n" for entry in entries)
