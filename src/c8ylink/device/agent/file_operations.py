"""``config_snapshot``, ``config_update`` and ``log_upload`` as the agent runs them (thin-edge.io 1.x).

The request (the retained command) names a ``type`` declared in the plugin files and a ``tedgeUrl`` on
the file transfer service:

- ``config_snapshot``: the file of the type is PUT to ``tedgeUrl``; results: ``path``;
- ``config_update``: ``tedgeUrl`` (where the mapper put the new content; else ``remoteUrl``, as a device
  profile gives) is downloaded to a temporary file beside the target, given the declared owner and
  mode, then moved into place; results: ``path``.
  On any failure the old file is untouched and the temporary file removed;
- ``log_upload``: the files of the type modified since ``dateFrom``, newest first, the
  last ``lines`` lines containing ``searchText``, PUT to ``tedgeUrl``; a ``<type>::<plugin>`` is got
  from that log plugin (``log_plugins``) and filtered the same way.

Each raises ``OperationFailed`` with the reason the command's ``failed`` status carries. A ``tedgeUrl``
on the agent's own file transfer service (``local_files``) is read or written in its directory
directly, the same file the service would serve, without the HTTP round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import ssl
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from c8ylink.core.errors import ApiError, C8yLinkError, ConfigError
from c8ylink.core.file_transfer import FileTransferPathError
from c8ylink.core.log_selection import select_lines
from c8ylink.core.plugin_files import (
    ConfigFileEntry,
    LogFileEntry,
    parse_config_plugin,
    parse_log_plugin,
    unique_types,
)
from c8ylink.device.agent.plugin_dirs import ConfigPlugins, LogPlugins, PluginError, split_type
from c8ylink.device.local_http import LocalFiles

if TYPE_CHECKING:
    from c8ylink.infra.net.http import HttpClient

CONFIG_PLUGIN = "plugins/tedge-configuration-plugin.toml"
LOG_PLUGIN = "plugins/tedge-log-plugin.toml"
DEFAULT_LINES = 1000


class OperationFailed(C8yLinkError):
    """An operation that failed; the message is the command's ``reason``, ``fields`` go with it."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.fields = fields


def _store(path: Path, write: Any) -> None:
    """Write a file of the file transfer service atomically (``write(handle)`` fills it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


@dataclass(frozen=True, slots=True)
class DeviceOperations:
    """Where the plugin files are (``<config-dir>/plugins/...``): the operations are offered when their
    file exists (it is read again for each command, so edits apply at once)."""

    config_plugin: Path | None = None
    log_plugin: Path | None = None
    http_timeout: float = 60.0
    tmp_dir: Path | None = None  # tmp.path: where a log is assembled before its upload
    local_files: LocalFiles | None = None  # the agent's own file transfer service, read from disk
    ssl_context: ssl.SSLContext | None = None  # the file transfer service's HTTPS, as its clients see it
    log_plugins: LogPlugins = field(default_factory=LogPlugins)  # log.plugin_paths: <type>::<plugin>
    config_plugins: ConfigPlugins = field(default_factory=ConfigPlugins)  # configuration.plugin_paths

    def config_entries(self) -> list[ConfigFileEntry]:
        if self.config_plugin is None:
            return []
        text = _read_optional(self.config_plugin)
        return parse_config_plugin(text or "", source=str(self.config_plugin))

    def log_entries(self) -> list[LogFileEntry]:
        if self.log_plugin is None:
            return []
        text = _read_optional(self.log_plugin)
        return parse_log_plugin(text or "", source=str(self.log_plugin))

    def signature(self) -> tuple[object, ...]:
        """What changes when a plugin file is edited, created or removed (modification time, size), or a
        log plugin comes, goes or changes."""
        found: list[object] = []
        for path in (self.config_plugin, self.log_plugin):
            try:
                stat = os.stat(path) if path is not None else None
            except OSError:
                stat = None
            found.append(None if stat is None else (stat.st_mtime_ns, stat.st_size))
        return (*found, self.log_plugins.signature(), self.config_plugins.signature())

    def capabilities(self) -> list[tuple[str, dict[str, Any]]]:
        """``(operation, {"types": [...]})`` for the operations whose plugin file exists."""
        found: list[tuple[str, dict[str, Any]]] = []
        files = self.config_plugin is not None and self.config_plugin.exists()
        plugin_types = self.config_plugins.types()
        if files or plugin_types:
            types = {"types": (unique_types(self.config_entries()) if files else []) + plugin_types}
            found += [("config_snapshot", types), ("config_update", types)]
        files = self.log_plugin is not None and self.log_plugin.exists()
        plugin_types = self.log_plugins.types()
        if files or plugin_types:
            file_types = unique_types(self.log_entries()) if files else []
            found.append(("log_upload", {"types": file_types + plugin_types}))
        return found

    # ------------------------------------------------------------------------------------- operations

    async def config_snapshot(self, request: dict[str, Any]) -> dict[str, Any]:
        plugin = self._config_plugin(request)
        if plugin is not None:
            url = _url(request)
            with tempfile.TemporaryDirectory(dir=self.tmp_dir, prefix="tedge-config-") as work:
                out = Path(work) / "config"
                try:
                    await self.config_plugins.fetch(plugin[0], plugin[1], out)
                except (PluginError, OSError) as exc:
                    raise OperationFailed(str(exc)) from exc
                await asyncio.to_thread(self._put_file, url, str(out))
            return {}
        entry = self._config_entry(request)
        url = _url(request)
        if not os.path.isfile(entry.path):
            raise OperationFailed(
                f"The configuration file {entry.path} of type '{entry.type}' does not exist"
            )
        await asyncio.to_thread(self._put_file, url, entry.path)
        return {"path": entry.path}

    async def config_update(self, request: dict[str, Any]) -> dict[str, Any]:
        plugin = self._config_plugin(request)
        entry = self._config_entry(request) if plugin is None else None
        url = request.get("tedgeUrl") or request.get("remoteUrl")  # a device profile gives remoteUrl
        if not isinstance(url, str) or not url:
            raise OperationFailed("The command has neither 'tedgeUrl' nor 'remoteUrl'")
        if entry is not None:
            await asyncio.to_thread(self._replace_from, url, entry)
            return {"path": entry.path}
        assert plugin is not None
        with tempfile.TemporaryDirectory(dir=self.tmp_dir, prefix="tedge-config-") as work:
            new = Path(work) / "new-config"
            await asyncio.to_thread(self._download_to, url, new, plugin[0])
            try:
                await self.config_plugins.update(plugin[0], plugin[1], new, self.tmp_dir)
            except PluginError as exc:
                raise OperationFailed(str(exc)) from exc
        return {}

    def _config_plugin(self, request: dict[str, Any]) -> tuple[str, str] | None:
        """(type, plugin) of a ``<type>::<plugin>`` request served by a configuration plugin."""
        kind = request.get("type")
        name, plugin = split_type(kind) if isinstance(kind, str) else ("", None)
        if plugin is None or (plugin == "file" and not self.config_plugins.has(plugin)):
            return None
        return name, plugin

    def _download_to(self, url: str, path: Path, kind: str) -> None:
        local = self._local(url)
        try:
            if local is not None:
                _copy_local(local, str(path), url)
            else:
                with self._client() as client:
                    client.download(url, str(path))
        except OSError as exc:
            raise OperationFailed(
                f"Cannot store the new {kind} configuration: {exc.strerror or exc}"
            ) from exc
        except C8yLinkError as exc:
            raise OperationFailed(f"Cannot download the new {kind} configuration: {exc}") from exc

    async def log_upload(self, request: dict[str, Any]) -> dict[str, Any]:
        kind = request.get("type")
        name, plugin = split_type(kind) if isinstance(kind, str) else ("", None)
        if plugin is not None and (plugin != "file" or plugin in self.log_plugins.discover()):
            await self._plugin_log_upload(request, name, plugin)
            return {}
        kind = name if plugin == "file" else kind  # the built-in file plugin's types
        entries = [entry for entry in self.log_entries() if entry.type == kind]
        if not entries:
            raise OperationFailed(f"The log type '{kind}' is not defined in {self.log_plugin}")
        url = _url(request)
        _date(request, "dateTo")  # checked; a file modified after it can still hold lines of the period
        files = _log_files(entries, _date(request, "dateFrom"))
        if not files:
            raise OperationFailed(f"No log file of type '{kind}' was modified in the requested period")
        await asyncio.to_thread(self._upload_log, url, files, _search(request), _lines(request))
        return {}

    async def _plugin_log_upload(self, request: dict[str, Any], kind: str, plugin: str) -> None:
        url = _url(request)
        since, until = _date(request, "dateFrom"), _date(request, "dateTo")
        limit, search = _lines(request), _search(request)
        with tempfile.TemporaryDirectory(dir=self.tmp_dir, prefix="tedge-log-") as work:
            out = Path(work) / "log"
            try:
                await self.log_plugins.fetch(kind, plugin, since, until, out)
            except (PluginError, OSError) as exc:
                raise OperationFailed(str(exc)) from exc
            await asyncio.to_thread(self._upload_log, url, [str(out)], search, limit)

    # ------------------------------------------------------------------------------------- helpers

    def _config_entry(self, request: dict[str, Any]) -> ConfigFileEntry:
        kind = request.get("type")
        if isinstance(kind, str) and kind.endswith("::file"):
            kind = kind.removesuffix("::file")  # the built-in file plugin's types
        try:
            entries = self.config_entries()
        except ConfigError as exc:
            raise OperationFailed(str(exc)) from exc
        entry = next((entry for entry in entries if entry.type == kind), None)
        if entry is None:
            raise OperationFailed(f"The configuration type '{kind}' is not defined in {self.config_plugin}")
        return entry

    def _local(self, url: str) -> Path | None:
        try:
            return self.local_files.path_of(url) if self.local_files else None
        except FileTransferPathError as exc:
            raise OperationFailed(f"Invalid file transfer URL {url}: {exc}") from exc

    def _client(self) -> HttpClient:
        from c8ylink.infra.net.http import HttpClient

        return HttpClient(
            timeout=self.http_timeout, follow_redirects=True, proxy="", ssl_context=self.ssl_context
        )

    def _put_file(self, url: str, path: str) -> None:
        local = self._local(url)
        if local is not None:
            try:
                with open(path, "rb") as source:
                    _store(local, lambda out: shutil.copyfileobj(source, out, 1024 * 1024))
            except OSError as exc:
                raise OperationFailed(f"Cannot copy {path} to {url}: {exc.strerror or exc}") from exc
            return
        try:
            with open(path, "rb") as source, self._client() as client:
                size = os.fstat(source.fileno()).st_size
                headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
                response = client.request("PUT", url, content=source, headers=headers)
        except OSError as exc:
            raise OperationFailed(f"Cannot read {path}: {exc.strerror or exc}") from exc
        except C8yLinkError as exc:
            raise OperationFailed(f"Cannot upload {path} to {url}: {exc}") from exc
        if not response.ok:
            raise OperationFailed(f"Cannot upload {path} to {url}: HTTP {response.status}")

    def _replace_from(self, url: str, entry: ConfigFileEntry) -> None:
        target = Path(entry.path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            os.close(handle)
        except OSError as exc:
            raise OperationFailed(f"Cannot write {entry.path}: {exc.strerror or exc}") from exc
        local = self._local(url)
        try:
            if local is not None:
                _copy_local(local, partial, url)
            else:
                with self._client() as client:
                    client.download(url, partial)
            _set_owner_and_mode(partial, entry)
            os.replace(partial, target)
        except OSError as exc:
            raise OperationFailed(f"Cannot write {entry.path}: {exc.strerror or exc}") from exc
        except LookupError as exc:  # shutil.chown: no such user or group
            raise OperationFailed(f"Cannot give {entry.path} its owner: {exc}") from exc
        except C8yLinkError as exc:
            raise OperationFailed(f"Cannot download the new {entry.type} configuration: {exc}") from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)

    def _upload_log(self, url: str, files: list[str], search: str, limit: int) -> None:
        with tempfile.TemporaryFile("w+b", dir=self.tmp_dir) as buffer:
            handles = [open(path, encoding="utf-8", errors="replace") for path in files]  # noqa: SIM115
            try:
                for line in select_lines(handles, search_text=search, limit=limit):
                    buffer.write(line.encode())
            finally:
                for handle in handles:
                    handle.close()
            size = buffer.tell()
            buffer.seek(0)
            headers = {"Content-Type": "text/plain", "Content-Length": str(size)}
            try:
                with self._client() as client:
                    response = client.request("PUT", url, content=buffer, headers=headers)
            except C8yLinkError as exc:
                raise OperationFailed(f"Cannot upload the log to {url}: {exc}") from exc
        if not response.ok:
            raise OperationFailed(f"Cannot upload the log to {url}: HTTP {response.status}")


def _copy_local(source: Path, partial: str, url: str) -> None:
    """The service's file as ``partial``: moved when both are on one file system (the mapper deletes
    the service's copy after the update anyway), else copied."""
    try:
        os.replace(source, partial)
        return
    except FileNotFoundError:
        raise ApiError(404, url) from None  # as the service would answer
    except OSError:
        pass  # another file system (EXDEV) or no right to remove it: copy
    try:
        shutil.copyfile(source, partial)
    except FileNotFoundError:
        raise ApiError(404, url) from None


def _url(request: dict[str, Any]) -> str:
    url = request.get("tedgeUrl")
    if not isinstance(url, str) or not url:
        raise OperationFailed("The command has no 'tedgeUrl'")
    return url


def _lines(request: dict[str, Any]) -> int:
    lines = request.get("lines", DEFAULT_LINES)
    valid = isinstance(lines, int) and not isinstance(lines, bool) and lines > 0
    return lines if valid else DEFAULT_LINES


def _search(request: dict[str, Any]) -> str:
    search = request.get("searchText")
    return search if isinstance(search, str) else ""


def _date(request: dict[str, Any], key: str) -> float | None:
    value = request.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        raise OperationFailed(f"Invalid '{key}': {value!r} is not an RFC 3339 time") from None


def _log_files(entries: list[LogFileEntry], since: float | None) -> list[str]:
    """The files of the entries modified since ``since`` (older ones hold no line of the period), newest
    first."""
    found: dict[str, float] = {}
    for entry in entries:
        for path in glob.glob(entry.path):
            with contextlib.suppress(OSError):
                modified = os.stat(path).st_mtime
                if os.path.isfile(path) and (since is None or modified >= since):
                    found[path] = modified
    return sorted(found, key=lambda path: found[path], reverse=True)


def _set_owner_and_mode(path: str, entry: ConfigFileEntry) -> None:
    if entry.mode is not None:
        os.chmod(path, entry.mode)
    elif os.path.exists(entry.path):
        shutil.copymode(entry.path, path)
    else:
        os.chmod(path, 0o644)
    if entry.user and entry.group:
        shutil.chown(path, user=entry.user, group=entry.group)
    elif entry.user:
        shutil.chown(path, user=entry.user)
    elif entry.group:
        shutil.chown(path, group=entry.group)


def _read_optional(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror or exc}") from exc
