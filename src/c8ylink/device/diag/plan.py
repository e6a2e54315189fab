"""`tedge diag collect`, pure part: which plugins run, how a run is judged, what the summary says.

    found = discover_plugins([Listing("/usr/share/tedge/diag-plugins", (Entry("01_tedge.sh"),))],
                             as_root=False)
    found.plugins[0].folder                     # "01_tedge": its output folder in the archive
    summarize(runs)                             # "Total 3 executed: 2 completed, 1 failed, 0 skipped"

thin-edge.io 1.x's diagnostic plugin API: a plugin is an executable regular file of one of the plugin
directories (``--plugin-dir``, else ``diag.plugin_paths``); a name ending in ``.ignore`` is left out
silently, anything else that cannot run is left out with a warning, and when ``tedge`` runs as root a
plugin that is not owned by root or that others may write is left out too. An earlier directory wins
for a file name; the plugins run in the order of their file names. A plugin exits 0 (done), 2 (not
applicable: skipped) or anything else (failed); the command exits 0, 1 when a plugin failed, 2 when
there was no plugin to run.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from c8ylink.core.errors import UsageError

IGNORE_SUFFIX = ".ignore"
SKIPPED = 2  # a plugin's exit code: not applicable here
FAILED_EXIT, NO_PLUGINS_EXIT = 1, 2
NAME_PREFIX = "tedge-diag-"
TARBALL_SUFFIX = ".tar.gz"
OUTPUT_LOG = "output.log"
SUMMARY_LOG = "summary.log"


@dataclass(frozen=True, slots=True)
class Entry:
    """A directory entry as the runner saw it."""

    name: str
    regular: bool = True
    executable: bool = True
    uid: int = 0
    mode: int = 0o755


@dataclass(frozen=True, slots=True)
class Listing:
    """One plugin directory: its entries, or ``None`` and the reason it could not be read."""

    directory: str
    entries: tuple[Entry, ...] | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Plugin:
    path: str
    folder: str  # its output folder below the work directory


@dataclass(frozen=True, slots=True)
class Discovery:
    plugins: tuple[Plugin, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PluginRun:
    """How one plugin ended: its exit code, or the signal that ended it; ``timeout`` when the runner
    stopped it (with SIGTERM, or SIGKILL after the forceful timeout); ``error`` when it could not start."""

    plugin: Plugin
    exit_code: int | None = None
    signal: int | None = None
    timeout: str = ""
    error: str = ""

    @property
    def outcome(self) -> str:
        if self.timeout or self.error:
            return "failed"
        if self.exit_code == 0:
            return "completed"
        return "skipped" if self.exit_code == SKIPPED else "failed"


def split_plugin_dirs(values: Iterable[str]) -> tuple[str, ...]:
    """The directories of ``--plugin-dir`` options (each may hold a comma-separated list) or of
    ``diag.plugin_paths``, in order, each once."""
    found: list[str] = []
    for value in values:
        for part in value.split(","):
            directory = part.strip()
            if directory and directory not in found:
                found.append(directory)
    return tuple(found)


def discover_plugins(listings: Sequence[Listing], *, as_root: bool) -> Discovery:
    """The plugins to run, sorted by file name, and a warning for each thing left out."""
    chosen: dict[str, str] = {}
    warnings: list[str] = []
    for listing in listings:
        if listing.entries is None:
            warnings.append(f"Skipping the plugin directory {listing.directory}: {listing.reason}")
            continue
        for entry in sorted(listing.entries, key=lambda item: item.name):
            path = posixpath.join(listing.directory, entry.name)
            if entry.name.endswith(IGNORE_SUFFIX) or entry.name.startswith("."):
                continue
            problem = _unfit(entry, as_root)
            if problem is None and entry.name in chosen:
                problem = f"a plugin of the same name comes first: {chosen[entry.name]}"
            if problem is not None:
                warnings.append(f"Skipping {path} ({problem})")
                continue
            chosen[entry.name] = path
    plugins: list[Plugin] = []
    folders: set[str] = set()
    for name in sorted(chosen):
        stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
        folder = stem if stem not in folders else name
        folders.add(folder)
        plugins.append(Plugin(chosen[name], folder))
    return Discovery(tuple(plugins), tuple(warnings))


def _unfit(entry: Entry, as_root: bool) -> str | None:
    if not entry.regular:
        return "not a regular file"
    if not entry.executable:
        return "not executable"
    if as_root and entry.uid != 0:
        return "not owned by root"
    if as_root and entry.mode & 0o022:
        return "writable by non-root users"
    return None


def plugin_args(output_dir: str, config_dir: str) -> tuple[str, ...]:
    """What a plugin is called with after its path."""
    return ("collect", "--output-dir", output_dir, "--config-dir", config_dir)


def default_name(now: datetime) -> str:
    """``tedge-diag-<YYYY-MM-DD_HH-MM-SS>`` of ``now`` (upstream's default archive name)."""
    return NAME_PREFIX + now.strftime("%Y-%m-%d_%H-%M-%S")


def check_name(name: str) -> str:
    """``--name``: one file name (the archive is ``<name>.tar.gz`` in the output directory)."""
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise UsageError(
            f"Invalid --name '{name}': give a file name without '/' (the archive is <name>.tar.gz)"
        )
    return name


def describe_problem(run: PluginRun) -> str | None:
    """The error line of a failed run, ``None`` when it completed or was skipped."""
    path = run.plugin.path
    if run.error:
        return f"{path} failed with error: {run.error}"
    if run.timeout:
        return f"{path} did not finish within {run.timeout}"
    if run.signal is not None:
        return f"{path} terminated by signal {run.signal}"
    if run.exit_code not in (0, SKIPPED):
        return f"{path} failed with exit status: {run.exit_code}"
    return None


def summarize(runs: Sequence[PluginRun]) -> str:
    """``Total N executed: a completed, b failed, c skipped``."""
    outcomes = [run.outcome for run in runs]
    return (
        f"Total {len(runs)} executed: {outcomes.count('completed')} completed, "
        f"{outcomes.count('failed')} failed, {outcomes.count('skipped')} skipped"
    )


def render_summary_log(warnings: Sequence[str], runs: Sequence[PluginRun]) -> str:
    """``summary.log`` of the archive: the warnings, each plugin's line and problem, the total."""
    lines = [f"warning: {text}" for text in warnings]
    for run in runs:
        problem = describe_problem(run)
        lines.append(f"Executing {run.plugin.path}... {'✗' if problem else '✓'}")
        if problem:
            lines.append(f"error: {problem}")
        elif run.outcome == "skipped":
            lines.append(f"{run.plugin.path} is marked skipped")
    lines += ["", summarize(runs)]
    return "\n".join(lines) + "\n"


def exit_code(runs: Sequence[PluginRun]) -> int:
    """0 when every plugin completed or was skipped, else 1."""
    return FAILED_EXIT if any(run.outcome == "failed" for run in runs) else 0
