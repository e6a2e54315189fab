"""Files: atomic writes, TOML documents (tomlkit keeps comments and order), readable errors.

Every write goes to a temporary file in the target directory, is flushed to disk and then renamed
over the target, so a reader sees the old or the new content, never half of it. OSErrors become
``FileAccessError`` with the file name and the OS reason, in the style tedge prints them
(``Could not access <path>: Permission denied (os error 13)``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from c8ylink.core.errors import ConfigError, FileAccessError

if TYPE_CHECKING:
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
    target = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise access_error(target.parent, exc, "write to") from exc
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
        raise access_error(target, exc, "write") from exc


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
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise FileAccessError(f"{os.fspath(path)} is not valid UTF-8 text", path=os.fspath(path)) from exc
    except OSError as exc:
        raise access_error(path, exc) from exc


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
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(
            f"Failed to parse {os.fspath(path)}: TOML parse error at line {exc.line}, column {exc.col}: "
            f"{_toml_reason(exc)}"
        ) from None


def _toml_reason(exc: Exception) -> str:
    text = str(exc)
    return text.split(" at line ", maxsplit=1)[0] if " at line " in text else text


def save_toml_document(
    path: os.PathLike[str] | str, document: tomlkit.toml_document.TOMLDocument, *, mode: int = 0o644
) -> None:
    import tomlkit

    write_atomic(path, tomlkit.dumps(document), mode=mode)
