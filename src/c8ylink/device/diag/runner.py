"""`tedge diag collect`, I/O part: read the plugin directories, run each plugin as a process, pack the
work directory into ``<output-dir>/<name>.tar.gz`` (``plan`` decides; this module does).

    result = collect(CollectSpec(plugin_dirs=("/usr/share/tedge/diag-plugins",), output_dir=Path("/tmp"),
                                 name="tedge-diag-now", config_dir=Path("/etc/tedge")), console)
    result.tarball, result.exit_code            # Path("/tmp/tedge-diag-now.tar.gz"), 0

Each plugin runs in its own process group with ``collect --output-dir <work>/<plugin> --config-dir
<dir>``, standard input closed; its standard output and error go to files (never held in memory) that
become ``<plugin>/output.log``. After ``graceful`` seconds the group gets SIGTERM, ``forceful`` seconds
later SIGKILL. The archive is written to a temporary file and renamed into place; the work directory is
removed afterwards unless ``keep_dir``, and also when anything fails before the archive is there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from c8ylink.core.errors import C8yLinkError, FileAccessError
from c8ylink.device.diag.plan import (
    NO_PLUGINS_EXIT,
    OUTPUT_LOG,
    SUMMARY_LOG,
    TARBALL_SUFFIX,
    Entry,
    Listing,
    Plugin,
    PluginRun,
    describe_problem,
    discover_plugins,
    exit_code,
    plugin_args,
    render_summary_log,
    summarize,
)
from c8ylink.infra.cli.steps import Console
from c8ylink.infra.files import access_error, describe_os_error

WORK_DIR_MODE = 0o700  # plugins collect configuration and logs: only the caller reads them
TARBALL_MODE = 0o600


@dataclass(frozen=True, slots=True)
class CollectSpec:
    plugin_dirs: tuple[str, ...]
    output_dir: Path
    name: str
    config_dir: Path
    keep_dir: bool = False
    graceful: float = 60.0
    forceful: float = 60.0
    env: Mapping[str, str] | None = None  # the plugins' environment (default: this process's)


@dataclass(frozen=True, slots=True)
class CollectResult:
    tarball: Path | None
    runs: tuple[PluginRun, ...]
    exit_code: int


def list_directory(directory: str) -> Listing:
    """The entries of ``directory`` with what discovery needs, or why it cannot be read."""
    try:
        scanned = list(os.scandir(directory))
    except FileNotFoundError:
        return Listing(directory, None, "it does not exist")
    except OSError as exc:
        return Listing(directory, None, describe_os_error(exc))
    entries: list[Entry] = []
    for item in scanned:
        try:
            info = item.stat()  # follows a link: a link to a plugin is a plugin
        except OSError:
            entries.append(Entry(item.name, regular=False, executable=False))
            continue
        regular = item.is_file()
        executable = regular and os.access(item.path, os.X_OK)
        entries.append(Entry(item.name, regular, executable, info.st_uid, info.st_mode & 0o7777))
    return Listing(directory, tuple(entries))


def collect(spec: CollectSpec, console: Console) -> CollectResult:
    """Run the plugins and write the archive; ``FileAccessError`` (nothing left behind) when the work
    directory or the archive cannot be written."""
    found = discover_plugins([list_directory(d) for d in spec.plugin_dirs], as_root=os.geteuid() == 0)
    for warning in found.warnings:
        console.warning(warning)
    if not found.plugins:
        console.error("No diagnostic plugins were found")
        return CollectResult(None, (), NO_PLUGINS_EXIT)
    work = spec.output_dir / spec.name
    tarball = spec.output_dir / f"{spec.name}{TARBALL_SUFFIX}"
    make_work_dir(work)
    try:
        runs = tuple(run_step(plugin, work, spec, console) for plugin in found.plugins)
        console.line()
        console.line(summarize(runs))
        write_file(work / SUMMARY_LOG, render_summary_log(found.warnings, runs))
        write_tarball(work, spec.name, tarball)
    finally:  # also when the archive could not be written: nothing half-done stays behind
        if not spec.keep_dir:
            shutil.rmtree(work, ignore_errors=True)
    console.line(f"Diagnostic information saved to {tarball}")
    return CollectResult(tarball, runs, exit_code(runs))


def make_work_dir(work: Path) -> None:
    try:
        work.parent.mkdir(parents=True, exist_ok=True)
        work.mkdir(mode=WORK_DIR_MODE)
    except FileExistsError:
        raise FileAccessError(
            f"Could not create {work}: it already exists (remove it or choose another --name)", path=str(work)
        ) from None
    except OSError as exc:
        raise access_error(exc.filename or work, exc, "create") from None


def run_step(plugin: Plugin, work: Path, spec: CollectSpec, console: Console) -> PluginRun:
    """One plugin as a ``<label>... ✓/✗`` step on the console."""
    run = PluginRun(plugin)
    with console.step(f"Executing {plugin.path}", fatal=False):
        try:
            run = run_plugin(plugin, work / plugin.folder, spec)
        except C8yLinkError as exc:  # its folder or its output.log could not be written
            run = PluginRun(plugin, error=str(exc))
        problem = describe_problem(run)
        if problem:
            raise C8yLinkError(problem)
    if run.outcome == "skipped":
        console.info(f"{plugin.path} is marked skipped")
    return run


def run_plugin(plugin: Plugin, out_dir: Path, spec: CollectSpec) -> PluginRun:
    """Run ``plugin`` with its output in ``out_dir`` (``output.log``: the command, how it ended, stdout,
    stderr); SIGTERM to its process group after ``spec.graceful`` s, SIGKILL ``spec.forceful`` s later."""
    try:
        out_dir.mkdir(mode=0o755)
    except OSError as exc:
        raise access_error(exc.filename or out_dir, exc, "create") from None
    argv = [plugin.path, *plugin_args(str(out_dir), str(spec.config_dir))]
    with tempfile.TemporaryFile(dir=out_dir) as stdout, tempfile.TemporaryFile(dir=out_dir) as stderr:
        try:
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, cwd=out_dir,
                env=dict(spec.env) if spec.env is not None else None, start_new_session=True,
            )  # fmt: skip
        except OSError as exc:
            run = PluginRun(plugin, error=describe_os_error(exc))
        else:
            run = PluginRun(plugin, *wait_or_stop(process, spec.graceful, spec.forceful))
        write_output_log(out_dir / OUTPUT_LOG, argv, run, stdout, stderr)
    return run


def wait_or_stop(
    process: subprocess.Popen[bytes], graceful: float, forceful: float
) -> tuple[int | None, int | None, str]:
    """``(exit code, signal, timeout)`` of ``process``: ``timeout`` names the stop when it had to be
    stopped (``60s: stopped with SIGTERM``)."""
    timeout = ""
    try:
        try:
            process.wait(timeout=graceful)
        except subprocess.TimeoutExpired:
            timeout = f"{graceful:g}s: stopped with SIGTERM"
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=forceful)
            except subprocess.TimeoutExpired:
                timeout = f"{graceful:g}s: stopped with SIGTERM, then {forceful:g}s later with SIGKILL"
                _signal_group(process, signal.SIGKILL)
                process.wait()
    finally:  # what the plugin left running in its group, and the plugin itself on Ctrl-C
        _signal_group(process, signal.SIGKILL)
    code = process.returncode
    return (code, None, timeout) if code >= 0 else (None, -code, timeout)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(OSError):
        os.killpg(process.pid, sig)


def write_output_log(
    path: Path, argv: list[str], run: PluginRun, stdout: IO[bytes], stderr: IO[bytes]
) -> None:
    """The command line, how it ended, then its standard output and error (copied from their files)."""
    import shlex

    if run.error:
        status = f"could not start: {run.error}"
    elif run.signal is not None:
        status = f"terminated by signal {run.signal}"
    else:
        status = f"exit status: {run.exit_code}"
    if run.timeout:
        status += f" (did not finish within {run.timeout})"
    try:
        with open(path, "wb") as log:
            log.write(f"----- $ {shlex.join(argv)}\n{status}\n".encode())
            for label, stream in (("stdout", stdout), ("stderr", stderr)):
                log.write(f"\n{label} <<EOF\n".encode())
                stream.seek(0)
                shutil.copyfileobj(stream, log)
                log.write(b"EOF\n")
    except OSError as exc:
        raise access_error(path, exc, "write") from None


def write_file(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise access_error(path, exc, "write") from None


def write_tarball(work: Path, name: str, tarball: Path) -> None:
    """``work`` as ``<name>/...`` in a gzip'd tar at ``tarball``, written to a temporary file first."""
    import tarfile

    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{tarball.name}.", suffix=".tmp", dir=tarball.parent)
    except OSError as exc:
        raise access_error(tarball.parent, exc, "write to") from None
    try:
        with os.fdopen(fd, "wb") as tmp:
            with tarfile.open(fileobj=tmp, mode="w:gz") as archive:
                archive.add(work, arcname=name)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, TARBALL_MODE)
        os.replace(tmp_name, tarball)
    except (OSError, tarfile.TarError) as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        raise FileAccessError(f"Could not write {tarball}: {reason}", path=str(tarball)) from None
