"""Files: atomic writes, TOML documents (tomlkit keeps comments and order), readable errors.

Every write goes to a temporary file in the target directory, is flushed to disk and then renamed
over the target, so a reader sees the old or the new content, never half of it. OSErrors become
``FileAccessError`` with the file name and the OS reason, in the style tedge prints them
(``Could not access <path>: Permission denied (os error 13)``).
"""

from __future__ import annotations

import os

from c8ylink.core.errors import ConfigError, FileAccessError

TYPE_CHECKING = False  # start-up path of every tedge command: see core/records.py
if TYPE_CHECKING:
    from collections.abc import Callable, MutableMapping
    from typing import Any

    import tomlkit.toml_document


def describe_os_error(exc: OSError) -> str:
    """``Permission denied (os error 13)``: the reason the way the Rust tools print it."""
    reason = exc.strerror or str(exc)
    return f"{reason} (os error {exc.errno})" if exc.errno else reason


def access_error(path: os.PathLike[str] | str, exc: OSError, verb: str = "access") -> FileAccessError:
    error = FileAccessError(
        f"Could not {verb} {os.fspath(path)}: {describe_os_error(exc)}", path=os.fspath(path)
    )
    error.__cause__ = None
    return error


def write_atomic(path: os.PathLike[str] | str, data: bytes | str, *, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` atomically and give it ``mode``; nothing is left behind on failure."""
    import contextlib
    import tempfile
    from pathlib import Path

    target = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise access_error(target.parent, exc, "write to") from None
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise access_error(target, exc, "write") from None


def write_new_atomic(
    path: os.PathLike[str] | str, data: bytes | str, *, mode: int, writing_mode: int = 0o600
) -> None:
    """Create ``path`` with ``data`` only if it does not exist yet (``FileExistsError`` otherwise).

    The content is written to a temporary file (``writing_mode`` while it is written, then ``mode``)
    that is hard-linked to ``path``: a reader sees no file or the whole file, and an existing file is
    never replaced. Other ``OSError``s become ``FileAccessError`` naming the file.
    """
    import contextlib
    import tempfile
    from pathlib import Path

    target = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise access_error(target.parent, exc, "write to") from None
    try:
        os.chmod(tmp_name, writing_mode)
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, mode)
        try:
            os.link(tmp_name, target)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive create instead
            create_exclusive(target, payload, mode=mode)
    except FileExistsError:
        raise
    except OSError as exc:
        raise access_error(target, exc, "write") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)


def create_exclusive(path: os.PathLike[str] | str, data: bytes | str, *, mode: int) -> None:
    """Write a new file that must not exist yet (``FileExistsError`` otherwise), with ``mode``."""
    payload = data.encode() if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, mode)


def read_text(path: os.PathLike[str] | str) -> str | None:
    """The file's text, ``None`` if it does not exist, ``FileAccessError`` if it cannot be read."""
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise FileAccessError(f"{os.fspath(path)} is not valid UTF-8 text", path=os.fspath(path)) from exc
    except OSError as exc:
        raise access_error(path, exc) from None


def load_toml_data(path: os.PathLike[str] | str) -> dict[str, Any] | None:
    """Parse a TOML file for reading only; ``None`` when the file does not exist.

    Start-up matters for commands that only read: plain files (``core.plain_toml``) are read without
    importing a TOML library, anything else with the standard library's reader. The error names the
    file and line like ``load_toml_document`` does.
    """
    text = read_text(path)
    if text is None:
        return None
    return parse_toml_text(text, os.fspath(path))


def parse_toml_text(text: str, name: str) -> dict[str, Any]:
    """The data of a TOML text read from the file ``name``; ``ConfigError`` naming it and the line."""
    from c8ylink.core.plain_toml import parse_plain_toml

    plain = parse_plain_toml(text)
    if plain is not None:
        return plain
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Failed to parse {name}: {_tomllib_reason(str(exc))}") from None
    except RecursionError:
        raise ConfigError(f"Failed to parse {name}: TOML parse error: nested too deeply") from None


def _tomllib_reason(text: str) -> str:
    import re

    match = re.match(r"^(?P<reason>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$", text, re.DOTALL)
    if match is None:
        return f"TOML parse error: {text}"
    return f"TOML parse error at line {match['line']}, column {match['col']}: {match['reason']}"


def load_toml_document(path: os.PathLike[str] | str) -> tomlkit.toml_document.TOMLDocument:
    """Parse a TOML file keeping comments and order; a missing file is an empty document.

    A syntax error names the file and the line: ``<path>: TOML parse error at line 3, column 7: ...``.
    """
    import tomlkit
    import tomlkit.exceptions

    text = read_text(path)
    if text is None:
        return tomlkit.document()
    try:
        return tomlkit.parse(text)
    except RecursionError:
        raise ConfigError(f"Failed to parse {os.fspath(path)}: TOML parse error: nested too deeply") from None
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(
            f"Failed to parse {os.fspath(path)}: TOML parse error at line {exc.line}, column {exc.col}: "
            f"{_toml_reason(exc)}"
        ) from None


def _toml_reason(exc: Exception) -> str:
    text = str(exc)
    return text.split(" at line ", maxsplit=1)[0] if " at line " in text else text


def update_toml_document(
    path: os.PathLike[str] | str,
    change: Callable[[MutableMapping[str, Any], Callable[[], MutableMapping[str, Any]]], None],
    *,
    mode: int = 0o644,
) -> None:
    """Load ``path`` (keeping comments and order), let ``change`` edit it, write it back atomically.

    ``change(document, new_table)`` receives a factory for empty tables; tables it creates get a blank
    line after them so new sections stay separated from the ones that follow. A file that does not
    parse is never written: the parse error is raised before ``change`` runs.
    """
    import tomlkit

    document = load_toml_document(path)
    created: list[Any] = []

    def new_table() -> MutableMapping[str, Any]:
        table = tomlkit.table()
        created.append(table)
        return table

    change(document, new_table)
    for table in created:
        if len(table) and not table.is_super_table():
            table.add(tomlkit.nl())
    # the separator added above doubles tomlkit's own where it already left one before a table
    import re

    text = re.sub(r"\n{3,}(?=\[)", "\n\n", tomlkit.dumps(document))
    write_atomic(path, text.rstrip("\n") + "\n" if text.strip() else "", mode=mode)
