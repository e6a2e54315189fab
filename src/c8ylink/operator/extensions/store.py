"""The installed extensions on disk: where they live, what each one is, and what it brings to the rest
of ``c8y`` (aliases, the commands under ``commands/``, ``name::`` templates and views). Reading only;
``manager`` installs, updates and removes them.

The folder is ``<extensions.datadir or the session home>/extensions`` (as go-c8y-cli's
``ExtensionsDataDir``); an entry is a clone (``c8y-<name>/``) or a symlink to a local folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from c8ylink.operator.api.spec import GroupSpec
from c8ylink.operator.extensions.location import DATADIR_KEY, SEPARATOR, extensions_dir
from c8ylink.operator.extensions.manifest import (
    API,
    COMMANDS,
    MANIFEST,
    PREFIX,
    TEMPLATES,
    VIEWS,
    ExtensionError,
    Manifest,
    command_name,
    parse_manifest,
)
from c8ylink.operator.settings import SettingsLayers


@dataclass(frozen=True, slots=True)
class Installed:
    folder: str  # the entry's name in the extensions folder (c8y-<name>)
    path: Path  # the entry (a symlink for a local install)

    @property
    def name(self) -> str:
        return command_name(self.folder)

    @property
    def is_local(self) -> bool:
        return self.path.is_symlink()

    @property
    def source(self) -> Path:
        return self.path.resolve()

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    def manifest(self) -> Manifest:
        return load_manifest(self.manifest_path)


def installed(root: Path) -> list[Installed]:
    """The installed extensions, by name (a folder that does not exist holds none)."""
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return []
    return [
        Installed(entry, root / entry)
        for entry in entries
        if PREFIX in entry and not entry.startswith(".") and (root / entry).is_dir()
    ]


def find_installed(root: Path, name: str) -> Installed | None:
    for candidate in (PREFIX + name, name):
        path = root / candidate
        if candidate and (path.is_dir() or path.is_symlink()):
            return Installed(candidate, path)
    return None


def load_manifest(path: Path) -> Manifest:
    """``extension.yaml`` read and checked; ``ExtensionError`` naming the file when it is missing or
    malformed."""
    from c8ylink.operator.sessions.yaml_files import parse_yaml_document

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExtensionError(f"not an extension: {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExtensionError(f"cannot read extension manifest {path}: {exc}") from None
    try:
        document = parse_yaml_document(text)
    except ValueError as exc:
        raise ExtensionError(f"invalid extension manifest {path}: {exc}") from None
    return parse_manifest(document, str(path))


def api_files(extension_path: Path) -> list[Path]:
    """The ``api/*.yaml`` (and ``*.yml``) files of an extension folder, by name."""
    folder = extension_path / API
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [folder / name for name in names if name.endswith((".yaml", ".yml")) and not name.startswith(".")]


def load_api_file(path: Path) -> GroupSpec | None:
    """One ``api/`` file read and converted (None: skipped); ``ExtensionError`` naming the file when it
    is malformed."""
    from c8ylink.operator.extensions.api_specs import parse_api_spec
    from c8ylink.operator.sessions.yaml_files import parse_yaml_document

    try:
        document = parse_yaml_document(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ExtensionError(f"cannot read api spec {path}: {exc}") from None
    except ValueError as exc:
        raise ExtensionError(f"invalid api spec {path}: {exc}") from None
    return parse_api_spec(document, str(path))


def load_api(
    extension_path: Path, broken: Callable[[Path, ExtensionError], None] | None = None
) -> list[GroupSpec]:
    """The command groups of an extension's ``api/`` folder. Without ``broken`` the first mistake raises
    (install, update); with it, a malformed file (or a group whose name is taken) is handed to it with
    its error and skipped, and the others load."""
    taken = set(_tree(extension_path / COMMANDS))
    groups: list[GroupSpec] = []
    for path in api_files(extension_path):
        try:
            group = load_api_file(path)
            if group is None:
                continue
            if group.name in taken:
                raise ExtensionError(
                    f"invalid api spec {path}: group {group.name!r} collides with another command of the "
                    "extension (commands/ or another api/ file)"
                )
        except ExtensionError as exc:
            if broken is None:
                raise
            broken(path, exc)
            continue
        taken.add(group.name)
        groups.append(group)
    return groups


def check_extension(extension_path: Path) -> None:
    """Everything ``install`` and ``update`` read up front: the manifest and the ``api/`` specs."""
    load_manifest(extension_path / MANIFEST)
    load_api(extension_path)


def extension_aliases(root: Path, warn: Callable[[str], None]) -> dict[str, str]:
    """name -> expansion of every installed extension's aliases; a malformed manifest is reported
    through ``warn`` and skipped (the other extensions, and c8y, keep working)."""
    found: dict[str, str] = {}
    for extension in installed(root):
        if not extension.manifest_path.exists():
            continue
        try:
            manifest = extension.manifest()
        except ExtensionError as exc:
            warn(str(exc))
            continue
        for alias in manifest.aliases:
            found.setdefault(alias.name, alias.expansion)
    return found


def split_prefixed(value: str) -> tuple[str, str] | None:
    """``myext::device.jsonnet`` -> (``myext``, ``device.jsonnet``); None without a prefix."""
    prefix, separator, rest = value.partition(SEPARATOR)
    if not separator or not prefix or not rest or "/" in prefix:
        return None
    return prefix, rest


def template_folder(root: Path, extension: str) -> str:
    """The ``templates/`` folder of an installed extension ("" when none is installed by that name)."""
    found = find_installed(root, extension)
    return str(found.path / TEMPLATES) if found is not None else ""


def extension_views(root: Path, warn: Callable[[str], None]) -> list[tuple[str, Any]]:
    """(extension name, document) of every ``views/*.json`` file of the installed extensions."""
    import json

    documents: list[tuple[str, Any]] = []
    for extension in installed(root):
        folder = extension.path / VIEWS
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for file_name in names:
            if not file_name.endswith(".json"):
                continue
            try:
                documents.append((extension.name, json.loads((folder / file_name).read_text("utf-8"))))
            except (OSError, ValueError) as exc:
                warn(f"invalid view file {folder / file_name}: {exc}")
    return documents


def command_tree(extension: Installed) -> dict[str, Any]:
    """The ``commands/`` folder as nested dicts: a sub-folder is a dict, a script its path."""
    return _tree(extension.path / COMMANDS)


def _tree(folder: Path) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return tree
    for entry in entries:
        if entry.startswith("."):
            continue
        path = folder / entry
        tree[entry] = _tree(path) if path.is_dir() else path
    return tree


def extensions_root(settings: SettingsLayers, session_home: Path | str) -> Path:
    """The extensions folder for a ``SettingsLayers`` (``extensions.datadir``) and session home."""
    return Path(extensions_dir(settings.text(DATADIR_KEY), str(session_home)))
