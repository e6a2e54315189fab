"""``log.plugin_paths``: log plugins, sources of logs besides files (thin-edge.io's extensible log
management).

A log plugin is an executable in one of the plugin directories (an earlier directory wins for a name):

    <plugin> list                                  -> the log types it serves, one a line (exit 0)
    <plugin> get <type> [--since S] [--until U]    -> the log on stdout (S, U: seconds since the epoch)

The agent offers each type as ``<type>::<plugin>`` beside the file types of ``tedge-log-plugin.toml``;
a ``log_upload`` of such a type runs ``get`` (``dateFrom``/``dateTo`` as ``--since``/``--until``) and
keeps the last ``lines`` lines holding ``searchText``, as for files. A plugin whose ``list`` fails or
runs past its timeout serves nothing (logged). Plugins run as the agent's user (upstream uses sudo).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("c8ylink.agent")
SEPARATOR = "::"


class LogPluginError(Exception):
    """A plugin's ``get`` failed; the message is the reason."""


def split_type(kind: str) -> tuple[str, str | None]:
    """``("mosquitto", "journald")`` for ``mosquitto::journald``; ``(kind, None)`` for a file type."""
    name, separator, plugin = kind.rpartition(SEPARATOR)
    return (name, plugin) if separator and name and plugin else (kind, None)


@dataclass(frozen=True, slots=True)
class LogPlugins:
    dirs: tuple[Path, ...] = ()
    timeout: float = 60.0  # of a get (a list gets a tenth of it)

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
                log.error("The log plugin %s cannot list its types: %s", path, exc)
                continue
            if answer.returncode != 0:
                log.error("The log plugin %s cannot list its types: exit code %d", path, answer.returncode)
                continue
            kinds = (line.strip() for line in answer.stdout.splitlines())
            found += [f"{kind}{SEPARATOR}{name}" for kind in kinds if kind and kind not in found]
        return found

    async def fetch(
        self, kind: str, plugin: str, since: float | None, until: float | None, out: Path
    ) -> None:
        """``<plugin> get <kind> ...`` with its stdout in ``out``."""
        path = self.discover().get(plugin)
        if path is None:
            raise LogPluginError(
                f"No log plugin '{plugin}' in {', '.join(map(str, self.dirs)) or 'log.plugin_paths'}"
            )
        argv = [str(path), "get", kind]
        argv += [] if since is None else ["--since", str(int(since))]
        argv += [] if until is None else ["--until", str(int(until))]
        with open(out, "wb") as stdout:
            process = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=stdout, stderr=asyncio.subprocess.PIPE
            )
            try:
                _, stderr = await asyncio.wait_for(process.communicate(), self.timeout)
            except TimeoutError:
                process.kill()
                await process.wait()
                raise LogPluginError(
                    f"The log plugin {plugin} ran past its timeout of {self.timeout:g} s"
                ) from None
        if process.returncode != 0:
            detail = stderr.decode(errors="replace").strip()[:300]
            raise LogPluginError(
                f"The log plugin {plugin} failed to get '{kind}' (exit code {process.returncode})"
                + (f": {detail}" if detail else "")
            )
