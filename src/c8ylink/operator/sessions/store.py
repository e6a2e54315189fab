"""Session files on disk (go-c8y-cli.md §1.1, §1.4, §1.7): where they live, finding one by name,
loading (JSON, or TOML with the same keys), saving (JSON, 0600, atomic) and listing them.

Reading uses only the standard library so ``c8y sessions list`` stays cheap.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from c8ylink.core.errors import SessionError
from c8ylink.infra.files import read_text, write_atomic
from c8ylink.operator.sessions.listing import parse_json_document
from c8ylink.operator.sessions.model import Session, format_session_document, parse_session_document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

EXTENSIONS = (".json", ".yaml", ".yml", ".env", ".toml", ".properties")
_SKIP_DIRS = {"activitylog", ".git", "extensions"}
FILE_MODE = 0o600


def session_home(env: Mapping[str, str], user_home: Path) -> Path:
    """``$C8Y_SESSION_HOME`` (``~`` expanded) or ``<home>/.cumulocity``."""
    configured = env.get("C8Y_SESSION_HOME", "").strip()
    if configured:
        if configured.startswith("~"):
            configured = str(user_home) + configured[1:]
        return Path(os.path.expandvars(configured))
    return user_home / ".cumulocity"


def ensure_home(home: Path) -> Path:
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise SessionError(f"cannot create the session home {home}: {exc.strerror}") from exc
    return home


def is_uri_session(value: str) -> bool:
    """``env://host``, ``stdin://host``: sessions that are not files."""
    return "://" in value.removeprefix("file://")


def find_session_file(name: str, home: Path, cwd: Path) -> Path:
    """Resolve ``--session``/``C8Y_SESSION`` to a file: path, then name with/without extension (§1.4).

    Tries the value as a path (absolute, relative to ``cwd``, then to the session home, as in
    ``customers/acme.json``) and ``<value><ext>``; then walks the
    session home recursively for a file whose base name matches the value as a glob, or the value plus
    a supported extension.
    """
    value = name.strip().removeprefix("file://")
    if not value:
        raise SessionError("no session given: pass --session NAME or run set-session")
    candidates = [Path(value).expanduser()]
    candidates += [Path(value + ext).expanduser() for ext in EXTENSIONS]
    for folder in (cwd, home):  # a relative path: from the working directory, else in the session home
        for candidate in candidates:
            full = candidate if candidate.is_absolute() else folder / candidate
            if full.is_file():
                return full.resolve()
    patterns = [value, *(value + ext for ext in EXTENSIONS)]
    if home.is_dir():
        for path in _walk(home):
            base = path.name
            matches = any(fnmatch.fnmatchcase(base, p) for p in patterns)
            if matches and base.lower().endswith(EXTENSIONS):
                return path
    raise SessionError(
        f"session not found: {value!r} is neither a file nor a session in {home} "
        "(list them with: c8y sessions list)"
    )


def _walk(home: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(home):
        dirs[:] = sorted(d for d in dirs if d.lower() not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name.lower().startswith("settings."):
                continue
            yield Path(root) / name


def parse_session_text(text: str, path: Path) -> dict[str, Any]:
    """The top-level object of a session file; ``SessionError`` naming the file and position."""
    if path.suffix.lower() == ".toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SessionError(f"cannot read session file {path}: invalid TOML: {exc}") from None
        except RecursionError:
            raise SessionError(f"cannot read session file {path}: invalid TOML: nested too deeply") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        from c8ylink.operator.sessions.yaml_files import parse_yaml_document

        try:
            document = parse_yaml_document(text)
        except ValueError as exc:
            raise SessionError(
                f"cannot read session file {path}: {exc} (fix the file or remove it)"
            ) from None
        if not isinstance(document, dict):
            raise SessionError(f"cannot read session file {path}: expected a YAML mapping")
        return document
    try:
        document = parse_json_document(text)
    except json.JSONDecodeError as exc:
        raise SessionError(
            f"cannot read session file {path}: invalid JSON at line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg} (fix the file or remove it)"
        ) from None
    except ValueError as exc:  # NaN/Infinity, a number out of range, nesting too deep
        raise SessionError(
            f"cannot read session file {path}: invalid JSON: {exc} (fix the file or remove it)"
        ) from None
    if not isinstance(document, dict):
        raise SessionError(f"cannot read session file {path}: expected a JSON object")
    return document


def load_session(path: Path) -> Session:
    text = read_text(path)
    if text is None:
        raise SessionError(f"session file {path} does not exist")
    return parse_session_document(parse_session_text(text, path), path=str(path))


def save_session(session: Session, path: Path | None = None) -> Path:
    """Write the session as pretty JSON (2-space indent; YAML for a ``.yaml``/``.yml`` file), mode 0600,
    atomically; returns the path."""
    target = Path(path or session.path)
    if not str(target):
        raise SessionError("this session has no file to save to")
    if target.suffix.lower() not in ("", ".json", ".yaml", ".yml"):
        raise SessionError(f"cannot write {target}: only JSON and YAML session files are written")
    ensure_home(target.parent)
    document = format_session_document(session)
    if target.suffix.lower() in (".yaml", ".yml"):
        from c8ylink.operator.sessions.yaml_files import format_yaml_document

        text = format_yaml_document(document)
    else:
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    write_atomic(target, text, mode=FILE_MODE)
    return target


def list_session_files(home: Path) -> list[tuple[Path, Session]]:
    """Every readable session below ``home`` (unparsable files and empty entries skipped, §1.7)."""
    found: list[tuple[Path, Session]] = []
    if not home.is_dir():
        return found
    for path in _walk(home):
        try:
            text = path.read_text(encoding="utf-8")
            session = parse_session_document(parse_session_text(text, path), path=str(path))
        except (OSError, UnicodeDecodeError, SessionError):
            continue
        if session.host or session.username or session.tenant:
            found.append((path, session))
    return found
