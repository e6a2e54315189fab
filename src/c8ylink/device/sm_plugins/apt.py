"""``tedge-apt-plugin``, pure part: the commands it runs and how it reads their answers (thin-edge.io 1.x).

    list        dpkg-query -f '${Package}\\t${Version}\\t${Maintainer}\\t${Status}\\n' -W
                -> ``name<TAB>version`` of each installed package; with a name and/or a maintainer
                pattern (``--name``/``--maintainer``, else ``apt.name``/``apt.maintainer``), only the
                packages whose name *or* maintainer matches (regular expressions, anchored at the start)
    install     apt-get --quiet --yes -o DPkg::Options::=--force-conf{old|new} install
                --allow-downgrades --no-install-recommends <name>[=<version>] | <file.deb>
    remove      apt-get --quiet --yes remove <name>[=<version>]
    update-list the same install, once, for every line of stdin (``install|remove<TAB>name<TAB>version
                <TAB>path``; ``name-`` removes, version ``latest`` means the newest)
    prepare     apt-get --quiet --yes update
    finalize    apt-get --quiet --yes autoremove

``apt.dpk.options.config``: ``keepold`` (the default) keeps a package's changed configuration files
(``--force-confold``), ``keepnew`` takes the package's (``--force-confnew``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from c8ylink.core.errors import UsageError

DPKG_QUERY = ("dpkg-query", "-f", "${Package}\t${Version}\t${Maintainer}\t${Status}\n", "-W")
INSTALLED = "install ok installed"
APT_GET = ("apt-get", "--quiet", "--yes")
CONF_OPTIONS = {"keepold": "DPkg::Options::=--force-confold", "keepnew": "DPkg::Options::=--force-confnew"}


@dataclass(frozen=True, slots=True)
class ModuleUpdate:
    action: str  # install | remove
    name: str
    version: str | None = None
    path: str | None = None


def build_list_filter(name: str | None, maintainer: str | None) -> re.Pattern[str]:
    """The lines of ``DPKG_QUERY`` to list: installed packages, matching a pattern when one is given."""
    if name is None and maintainer is None:
        return re.compile(re.escape(INSTALLED))
    pattern = rf"(^{name or ''}\t.*|^\S+\t\S+\t{maintainer or ''}\s+.*){re.escape(INSTALLED)}"
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(
            f"tedge-apt-plugin fails to list packages with matching name and maintainer: {exc}"
        ) from exc


def parse_package_list(output: str, selected: re.Pattern[str]) -> list[str]:
    """``name<TAB>version`` of each line of ``DPKG_QUERY``'s output that ``selected`` matches."""
    listed: list[str] = []
    for line in output.rstrip().splitlines():
        if selected.search(line):
            fields = line.split("\t")
            listed.append(f"{fields[0]}\t{fields[1] if len(fields) > 1 else 'unknown version'}")
    return listed


def package_spec(name: str, version: str | None) -> str:
    return name if not version else f"{name}={version}"


def install_argv(conf: str, packages: list[str]) -> list[str]:
    option = CONF_OPTIONS.get(conf, CONF_OPTIONS["keepnew"])
    return [*APT_GET, "-o", option, "install", "--allow-downgrades", "--no-install-recommends", *packages]


def remove_argv(package: str) -> list[str]:
    return [*APT_GET, "remove", package]


def prepare_argv() -> list[str]:
    return [*APT_GET, "update"]


def finalize_argv() -> list[str]:
    return [*APT_GET, "autoremove"]


def parse_update_list(text: str) -> list[ModuleUpdate]:
    """The lines of ``update-list``'s stdin: ``action<TAB>name[<TAB>version[<TAB>path]]``."""
    updates: list[ModuleUpdate] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        action = fields[0].strip().lower()
        if action not in ("install", "remove") or len(fields) < 2 or not fields[1]:
            raise UsageError(f"update-list line {number}: expected 'install|remove<TAB>name[<TAB>...]'")
        version = fields[2] if len(fields) > 2 and fields[2] else None
        path = fields[3] if len(fields) > 3 and fields[3] else None
        updates.append(ModuleUpdate(action, fields[1], version, path))
    return updates


def update_arguments(updates: list[ModuleUpdate], installers: dict[str, str]) -> list[str]:
    """The packages of one ``apt-get install`` for an update list: installs by name, version or file
    (``installers``: the checked .deb file of a module given with a path), removals as ``name-``."""
    arguments: list[str] = []
    for update in updates:
        if update.action == "remove":
            arguments.append(f"{update.name}-")
            continue
        version = None if update.version == "latest" else update.version
        arguments.append(installers.get(update.name) or package_spec(update.name, version))
    return arguments
