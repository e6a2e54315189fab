"""Software management plugins: the executables of ``<config-dir>/sm-plugins`` (thin-edge's plugin API).

A plugin is named after the software type it handles (``apt``, ``docker``, ...) and is called as

    <plugin> list                                       -> "name\\tversion" lines on stdout
    <plugin> prepare | finalize
    <plugin> install NAME [--module-version VERSION] [--file FILE]
    <plugin> remove NAME [--module-version VERSION]
    <plugin> update-list    (stdin: "install\\tNAME\\tVERSION\\tFILE" / "remove\\tNAME\\tVERSION" lines)

Exit codes: 0 success, 1 usage (for ``update-list``: not supported, call install/remove instead),
2 failure, 3 failure worth retrying later. A plugin that does not finish within the timeout (5 minutes
by default) is killed with its process group and reported as timed out. With ``sudo.enable`` (the
default) a plugin is run through ``sudo -n`` when the agent is not root and ``sudo`` is installed, as
thin-edge does (its sudoers rules let the tedge user run the plugins).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from c8ylink.core.errors import C8yLinkError

PLUGIN_DIR = "sm-plugins"
DEFAULT_TIMEOUT = 300.0
EXIT_MEANINGS = {1: "invalid usage", 2: "failed", 3: "failed, retry later"}
USAGE_EXIT = 1
MAX_OUTPUT_SHOWN = 500


class PluginError(C8yLinkError):
    """A plugin call that did not succeed; the message says which plugin, what and why."""


@dataclass(frozen=True, slots=True)
class PluginResult:
    exit_code: int
    stdout: bytes
    stderr: bytes


@dataclass(frozen=True, slots=True)
class SoftwareModule:
    name: str
    version: str = ""


@dataclass(frozen=True, slots=True)
class Plugin:
    name: str  # = the software type
    path: Path
    timeout: float = DEFAULT_TIMEOUT
    sudo: str | None = None  # the sudo executable to run the plugin through

    def argv(self, args: Sequence[str]) -> list[str]:
        prefix = [self.sudo, "-n"] if self.sudo else []
        return [*prefix, str(self.path), *args]

    async def call(self, args: Sequence[str], stdin: bytes | None = None) -> PluginResult:
        """Run the plugin; ``PluginError`` if it cannot be started or times out."""
        try:
            process = await asyncio.create_subprocess_exec(
                *self.argv(args),
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # its own process group: a timeout kills its children too
            )
        except OSError as exc:
            raise PluginError(
                f"Cannot run the {self.name} plugin {self.path}: {exc.strerror or exc}"
            ) from exc
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(stdin), self.timeout)
        except TimeoutError:
            _kill_group(process)
            await process.wait()
            raise PluginError(
                f"The {self.name} plugin did not finish '{args[0]}' within {self.timeout:g} s: it was stopped"
            ) from None
        return PluginResult(process.returncode or 0, stdout, stderr)

    async def check(self, args: Sequence[str], stdin: bytes | None = None) -> PluginResult:
        """``call``, and ``PluginError`` naming the exit code and output unless it exited 0."""
        result = await self.call(args, stdin)
        if result.exit_code:
            raise PluginError(describe_failure(self.name, args, result))
        return result

    async def list_modules(self) -> list[SoftwareModule]:
        return parse_module_list((await self.check(["list"])).stdout)


def describe_failure(plugin: str, args: Sequence[str], result: PluginResult) -> str:
    meaning = EXIT_MEANINGS.get(result.exit_code, "failed")
    what = " ".join(args[:2])
    output = (result.stderr or result.stdout).decode("utf-8", errors="replace").strip()
    if len(output) > MAX_OUTPUT_SHOWN:
        output = output[:MAX_OUTPUT_SHOWN] + "..."
    detail = f": {output}" if output else ""
    return f"The {plugin} plugin {meaning} ({what}, exit code {result.exit_code}){detail}"


def parse_module_list(output: bytes) -> list[SoftwareModule]:
    """``list`` output: one module per line, ``name`` or ``name<TAB>version``; empty lines skipped."""
    modules: list[SoftwareModule] = []
    for line in output.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        name, _, rest = line.partition("\t")
        version = rest.split("\t", 1)[0]
        if name.strip():
            modules.append(SoftwareModule(name.strip(), version.strip()))
    return modules


def choose_sudo(enabled: bool, sudo_path: str | None, euid: int) -> str | None:
    """The sudo to run plugins through: none when disabled, when running as root or without sudo."""
    return sudo_path if enabled and euid != 0 else None


def discover_plugins(
    directory: Path, *, timeout: float = DEFAULT_TIMEOUT, sudo: str | None = None
) -> dict[str, Plugin]:
    """Executable regular files of ``directory`` (sorted by name); hidden files are ignored."""
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except FileNotFoundError:
        return {}
    plugins: dict[str, Plugin] = {}
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_file() or not os.access(entry.path, os.X_OK):
            continue
        plugins[entry.name] = Plugin(entry.name, Path(entry.path), timeout, sudo)
    return plugins


def _kill_group(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
