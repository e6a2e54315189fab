"""Log and configuration plugins: sources of logs and configurations besides files (thin-edge.io's
extensible log and configuration management; ``log.plugin_paths``, ``configuration.plugin_paths``).

A plugin is an executable in one of the plugin directories (an earlier directory wins for a name).
Every plugin answers ``<plugin> list`` with its types, one a line (exit 0; a plugin whose ``list``
fails or runs past its time serves nothing, logged); the agent offers each as ``<type>::<plugin>``
beside the types of the plugin files. Then:

    log plugin      get <type> [--since S] [--until U]     -> the log on stdout (S, U: epoch seconds)
    config plugin   get <type>                              -> the configuration on stdout
                    prepare <type> <new file> --work-dir D  -> checks, backs up into D
                    set <type> <new file> --work-dir D      -> applies it
                    verify <type> --work-dir D              -> checks it took
                    rollback <type> --work-dir D            -> after a failed set or verify

Plugins run as the agent's user (upstream uses sudo). A failing call raises ``PluginError`` with its
exit code and standard error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("c8ylink.agent")
SEPARATOR = "::"


class PluginError(Exception):
    """A plugin call failed; the message is the reason."""


LogPluginError = PluginError


def split_type(kind: str) -> tuple[str, str | None]:
    """``("mosquitto", "journald")`` for ``mosquitto::journald``; ``(kind, None)`` for a file type."""
    name, separator, plugin = kind.rpartition(SEPARATOR)
    return (name, plugin) if separator and name and plugin else (kind, None)


@dataclass(frozen=True, slots=True)
class PluginDirs:
    dirs: tuple[Path, ...] = ()
    timeout: float = 60.0  # of a call (a list gets a tenth of it)

    def discover(self) -> dict[str, Path]:
        """Plugin name -> executable; the first directory holding a name wins."""
        found: dict[str, Path] = {}
        for directory in self.dirs:
            with contextlib.suppress(OSError):
                for entry in sorted(os.scandir(directory), key=lambda e: e.name):
                    executable = entry.is_file() and os.access(entry.path, os.X_OK)
                    if executable and not entry.name.startswith(".") and entry.name not in found:
                        found[entry.name] = Path(entry.path)
        return found

    def signature(self) -> tuple[tuple[str, int], ...]:
        """What changes when a plugin is added, removed or replaced."""
        found: list[tuple[str, int]] = []
        for name, path in self.discover().items():
            with contextlib.suppress(OSError):
                found.append((name, os.stat(path).st_mtime_ns))
        return tuple(found)

    def types(self) -> list[str]:
        """``<type>::<plugin>`` of every type the plugins list."""
        found: list[str] = []
        for name, path in self.discover().items():
            try:
                answer = subprocess.run(
                    [str(path), "list"], capture_output=True, text=True, errors="replace",
                    timeout=self.timeout / 10, stdin=subprocess.DEVNULL, check=False,
                )  # fmt: skip
            except (OSError, subprocess.TimeoutExpired) as exc:
                log.error("The plugin %s cannot list its types: %s", path, exc)
                continue
            if answer.returncode != 0:
                log.error("The plugin %s cannot list its types: exit code %d", path, answer.returncode)
                continue
            kinds = (line.strip() for line in answer.stdout.splitlines())
            found += [f"{kind}{SEPARATOR}{name}" for kind in kinds if kind and kind not in found]
        return found

    def has(self, plugin: str) -> bool:
        return plugin in self.discover()

    async def call(self, plugin: str, *args: str, stdout: Path | None = None) -> None:
        """``<plugin> <args>``, its standard output in ``stdout`` (else dropped)."""
        path = self.discover().get(plugin)
        if path is None:
            places = ", ".join(map(str, self.dirs)) or "the plugin directories"
            raise PluginError(f"No plugin '{plugin}' in {places}")
        with open(stdout or os.devnull, "wb") as out:
            process = await asyncio.create_subprocess_exec(
                str(path), *args, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.PIPE
            )
            try:
                _, stderr = await asyncio.wait_for(process.communicate(), self.timeout)
            except TimeoutError:
                process.kill()
                await process.wait()
                raise PluginError(f"The plugin {plugin} ran past its timeout of {self.timeout:g} s") from None
        if process.returncode != 0:
            detail = stderr.decode(errors="replace").strip()[:300]
            raise PluginError(
                f"The plugin {plugin} failed to {args[0]} '{args[1]}' (exit code {process.returncode})"
                + (f": {detail}" if detail else "")
            )


class LogPlugins(PluginDirs):
    async def fetch(
        self, kind: str, plugin: str, since: float | None, until: float | None, out: Path
    ) -> None:
        """``<plugin> get <kind> [--since S] [--until U]`` with its output in ``out``."""
        args = ["get", kind]
        args += [] if since is None else ["--since", str(int(since))]
        args += [] if until is None else ["--until", str(int(until))]
        await self.call(plugin, *args, stdout=out)


class ConfigPlugins(PluginDirs):
    async def fetch(self, kind: str, plugin: str, out: Path) -> None:
        """``<plugin> get <kind>``: the configuration in ``out``."""
        await self.call(plugin, "get", kind, stdout=out)

    async def update(self, kind: str, plugin: str, new: Path, tmp_dir: Path | None) -> None:
        """prepare, set, verify; a failed set or verify is rolled back, and the failure raised."""
        with tempfile.TemporaryDirectory(dir=tmp_dir, prefix="tedge-config-") as work:
            await self.call(plugin, "prepare", kind, str(new), "--work-dir", work)
            try:
                await self.call(plugin, "set", kind, str(new), "--work-dir", work)
                await self.call(plugin, "verify", kind, "--work-dir", work)
            except PluginError as failed:
                try:
                    await self.call(plugin, "rollback", kind, "--work-dir", work)
                except PluginError as exc:
                    raise PluginError(f"{failed}; the rollback failed too: {exc}") from failed
                raise PluginError(f"{failed} (rolled back)") from failed
