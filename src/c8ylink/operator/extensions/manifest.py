"""What an extension declares, and the names it goes by. Pure.

parse_manifest({"version": "v1", "aliases": [{"name": "mo", "command": "inventory get --id $1"}]},
               "c8y-myext/extension.yaml")
    -> Manifest(version="v1", aliases=(ExtensionAlias("mo", "inventory get --id $1", "", False),))
command_name("c8y-myext") -> "myext"
source_url("reubenmiller/c8y-myext") -> "https://github.com/reubenmiller/c8y-myext.git"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from c8ylink.core.errors import C8yLinkError, UsageError
from c8ylink.core.exit_codes import C8yExit

PREFIX = "c8y-"  # every extension's repository name starts with it; its commands go without it
MANIFEST = "extension.yaml"
COMMANDS, TEMPLATES, VIEWS, API = "commands", "templates", "views", "api"


class ExtensionError(UsageError):
    """A mistake in what the user asked of the extension manager (exit 101, ``userError``)."""

    exit_code = int(C8yExit.USER)


def no_extensions() -> C8yLinkError:
    """Upstream's system error (exit 100) when there is nothing to list or update."""
    return C8yLinkError("no installed extensions found", exit_code=int(C8yExit.SYSTEM))


@dataclass(frozen=True, slots=True)
class ExtensionAlias:
    name: str
    command: str
    description: str = ""
    shell: bool = False

    @property
    def expansion(self) -> str:
        """The text ``operator.aliases`` expands (``!`` marks a shell alias, as in the settings)."""
        text = self.command.strip()
        return "!" + text if self.shell else text


@dataclass(frozen=True, slots=True)
class Manifest:
    version: str = ""
    aliases: tuple[ExtensionAlias, ...] = ()


def command_name(entry: str) -> str:
    """The command an installed folder (or its repository) provides: its name without ``c8y-``."""
    return entry[len(PREFIX) :] if entry.startswith(PREFIX) else entry


def normalize_selector(text: str) -> str:
    """``owner/c8y-x``, ``c8y-x`` or ``x`` -> ``x`` (what update and delete accept)."""
    return command_name(text.strip().rsplit("/", 1)[-1])


def parse_manifest(document: Any, origin: str) -> Manifest:
    """The manifest of a parsed ``extension.yaml`` (an empty file declares nothing); ``ExtensionError``
    naming ``origin`` when it is not the shape go-c8y-cli reads."""
    if document is None:
        return Manifest()
    if not isinstance(document, Mapping):
        raise ExtensionError(f"invalid extension manifest {origin}: expected a mapping at the top level")
    aliases = document.get("aliases") or []
    if not isinstance(aliases, Sequence) or isinstance(aliases, str):
        raise ExtensionError(f"invalid extension manifest {origin}: aliases must be a list")
    return Manifest(
        version=str(document.get("version") or ""),
        aliases=tuple(_alias(item, index, origin) for index, item in enumerate(aliases, 1)),
    )


def _alias(item: Any, index: int, origin: str) -> ExtensionAlias:
    if not isinstance(item, Mapping):
        raise ExtensionError(f"invalid extension manifest {origin}: alias {index} is not a mapping")
    name, command = item.get("name"), item.get("command")
    if not isinstance(name, str) or not name.strip() or not isinstance(command, str) or not command.strip():
        raise ExtensionError(
            f"invalid extension manifest {origin}: alias {index} needs a name and a command (text)"
        )
    shell = item.get("shell", False)
    if not isinstance(shell, bool):
        raise ExtensionError(
            f"invalid extension manifest {origin}: alias {name!r}: shell must be true or false"
        )
    return ExtensionAlias(name.strip(), command, str(item.get("description") or ""), shell)


def is_url(source: str) -> bool:
    return "://" in source or source.startswith("git@")


def source_url(source: str) -> str:
    """The clone URL of ``install``'s argument: a URL as given, ``[HOST/]OWNER/REPO`` on GitHub (or HOST)."""
    if is_url(source):
        return source
    parts = source.strip("/").split("/")
    if len(parts) == 2 and all(parts):
        return f"https://github.com/{parts[0]}/{parts[1]}.git"
    if len(parts) == 3 and all(parts):
        return f"https://{parts[0]}/{parts[1]}/{parts[2]}.git"
    raise ExtensionError(
        f"not an extension source: {source!r} (expected a folder, a git URL or [HOST/]OWNER/REPO)"
    )


def repository_name(url: str) -> str:
    """``https://host/o/c8y-x.git`` -> ``c8y-x``."""
    last = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return last[: -len(".git")] if last.endswith(".git") else last


def install_name(url: str, name_flag: str) -> str:
    """The folder a clone goes to: ``--name`` (``c8y-`` added) or the repository's name, which must start
    with ``c8y-`` (as upstream checks)."""
    if name_flag:
        return name_flag if name_flag.startswith(PREFIX) else PREFIX + name_flag
    name = repository_name(url)
    if PREFIX not in name:
        raise ExtensionError(f"extension repository name must start with `{PREFIX}`: {name!r}")
    return name


def display_repo(url: str) -> str:
    """``OWNER/REPO`` for a GitHub URL, else the URL (the ``repo`` column of ``list``)."""
    for start in ("https://github.com/", "git@github.com:"):
        if url.startswith(start):
            rest = url[len(start) :]
            return rest[: -len(".git")] if rest.endswith(".git") else rest
    return url
