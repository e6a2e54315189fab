"""Installing, updating and removing extensions with the real ``git`` (as go-c8y-cli does): a clone is
made next to its final place and moved there only once its ``extension.yaml`` reads, so a failed
install leaves nothing behind; a local folder is installed as a symlink (delete removes only the link).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from c8ylink.operator.extensions.manifest import (
    PREFIX,
    ExtensionError,
    command_name,
    install_name,
    no_extensions,
    normalize_selector,
    source_url,
)
from c8ylink.operator.extensions.store import Installed, check_extension, find_installed, installed

UP_TO_DATE = "already up to date"
LOCAL = "local extensions can not be updated"
PINNED = "pinned extensions can not be updated"
_NOT_FAILURES = (UP_TO_DATE, LOCAL, PINNED)


@dataclass(frozen=True, slots=True)
class Listing:
    """One row of ``extensions list`` (upstream's keys)."""

    name: str
    repo: str
    version: str
    pinned: bool
    path: str
    is_local: bool

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "repo": self.repo,
            "version": self.version,
            "pinned": self.pinned,
            "path": self.path,
            "isLocal": self.is_local,
            "isBinary": False,
        }


def git(*args: str, cwd: Path | None = None) -> str:
    """``git ARGS`` -> its stdout; ``ExtensionError`` with git's own last line on failure."""
    executable = shutil.which("git")
    if executable is None:
        raise ExtensionError("extensions need git: install it (apt-get install git) and retry")
    done = subprocess.run(
        [executable, *args], cwd=cwd, capture_output=True, text=True, check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )  # fmt: skip
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        fatal = [line.split(":", 1)[1].strip() for line in lines if line.startswith(("fatal:", "error:"))]
        reason = (fatal or lines or [f"exit code {done.returncode}"])[0]
        raise ExtensionError(f"git {args[0]} failed: {reason}")
    return done.stdout.strip()


def describe(extension: Installed) -> Listing:
    repo, version, pinned = "", "", False
    if not extension.is_local and (extension.path / ".git").exists():
        repo = _quiet_git("config", "remote.origin.url", cwd=extension.path)
        version = _quiet_git("rev-parse", "HEAD", cwd=extension.path)
        pinned = bool(version) and (extension.path / f".pin-{version}").exists()
    from c8ylink.operator.extensions.manifest import display_repo

    return Listing(
        extension.name, display_repo(repo), version[:8], pinned, str(extension.path), extension.is_local
    )


def _quiet_git(*args: str, cwd: Path) -> str:
    try:
        return git(*args, cwd=cwd)
    except ExtensionError:
        return ""


def check_available(root: Path, folder: str, is_command: Callable[[str], bool]) -> None:
    name = command_name(folder)
    if is_command(name):
        raise ExtensionError(f"{name!r} matches the name of a built-in command")
    if find_installed(root, name) is not None:
        raise ExtensionError(f"there is already an installed extension that provides the {name!r} command")


def install_local(root: Path, source: Path, name_flag: str, is_command: Callable[[str], bool]) -> str:
    """Link a local folder in; returns the folder name."""
    source = source.resolve()
    check_extension(source)  # not an extension, or a malformed one: nothing is linked
    folder = name_flag or source.name
    if PREFIX not in folder:  # listed and found like every other extension (upstream would hide it)
        folder = PREFIX + folder
    check_available(root, folder, is_command)
    root.mkdir(parents=True, exist_ok=True)
    os.symlink(source, root / folder, target_is_directory=True)
    return folder


def install_git(root: Path, source: str, name_flag: str, pin: str, is_command: Callable[[str], bool]) -> str:
    """Clone ``source`` (URL or [HOST/]OWNER/REPO) in; returns the folder name."""
    url = source_url(source)
    folder = install_name(url, name_flag)
    check_available(root, folder, is_command)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder}.", dir=root))
    try:
        clone = staging / folder
        try:
            git("clone", "--quiet", url, str(clone))
        except ExtensionError as exc:
            raise ExtensionError(f"could not install {source}: {exc}") from None
        if pin:
            git("checkout", "--quiet", pin, cwd=clone)
            (clone / f".pin-{git('rev-parse', 'HEAD', cwd=clone)}").touch(mode=0o600)
        check_extension(clone)
        os.rename(clone, root / folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def remove(root: Path, name: str) -> str:
    """Remove an installed extension (a local one: only its link); returns the name removed."""
    selector = normalize_selector(name) if name.strip() else ""
    if not selector:
        raise ExtensionError("extension name is empty")
    found = find_installed(root, selector)
    if found is None:
        raise ExtensionError(f"no extension found: {selector!r}")
    if found.is_local or not found.path.is_dir():
        found.path.unlink()
    else:
        shutil.rmtree(found.path)
    return found.name


def update_one(extension: Installed, *, force: bool = False) -> tuple[str, str]:
    """(old, new) short versions; ``ExtensionError`` (one of ``_NOT_FAILURES`` or git's reason)."""
    if extension.is_local:
        raise ExtensionError(LOCAL)
    path = extension.path
    current = git("rev-parse", "HEAD", cwd=path)
    if (path / f".pin-{current}").exists():
        raise ExtensionError(PINNED)
    latest = git("ls-remote", "origin", "HEAD", cwd=path).split("\t", 1)[0]
    if not latest or latest == current:
        raise ExtensionError(UP_TO_DATE)
    if force:
        git("fetch", "--quiet", "origin", "HEAD", cwd=path)
        git("reset", "--quiet", "--hard", "FETCH_HEAD", cwd=path)
    else:
        git("pull", "--quiet", "--ff-only", cwd=path)
    check_extension(path)  # say so now when the new version's manifest or api/ specs are malformed
    return current[:8], git("rev-parse", "HEAD", cwd=path)[:8]


def update(root: Path, name: str, *, force: bool = False) -> list[tuple[str, str]]:
    """Update one extension (``name``) or all (``""``); returns (name, what happened) lines. A single
    extension that fails raises; with all, every extension is tried and ``is_failure`` tells the lines
    that failed."""
    extensions = installed(root)
    if not extensions:
        raise no_extensions()
    if name:
        selector = normalize_selector(name)
        match = next((item for item in extensions if item.name == selector), None)
        if match is None:
            raise ExtensionError(f"no extension matched {selector!r}")
        try:
            old, new = update_one(match, force=force)
        except ExtensionError as exc:
            if str(exc) == UP_TO_DATE:
                return [(match.name, UP_TO_DATE)]
            raise ExtensionError(f"failed updating extension {match.name}: {exc}") from None
        return [(match.name, f"upgraded from {old} to {new}")]
    lines = []
    for extension in extensions:
        try:
            old, new = update_one(extension, force=force)
            lines.append((extension.name, f"upgraded from {old} to {new}"))
        except ExtensionError as exc:
            lines.append((extension.name, str(exc)))
    return lines


def is_failure(outcome: str) -> bool:
    """Whether a line of ``update`` reports a failure ("up to date", "local", "pinned" are not)."""
    return not outcome.startswith("upgraded from") and outcome not in _NOT_FAILURES
