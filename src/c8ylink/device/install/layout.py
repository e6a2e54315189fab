"""What `tedge init` creates, as data: the directories (path, owner, mode) and mosquitto's include line.

    layout = build_layout(InitSpec(config_dir="/etc/tedge", user="tedge", group="tedge"))
    [entry.path for entry in layout]           # "/etc/tedge", "/etc/tedge/mosquitto-conf", ...
    add_include_dir(conf_text, "/etc/tedge/mosquitto-conf")  # the new text, or None when present

As upstream's `tedge init`: every directory belongs to ``--user``/``--group`` with mode 0775, the
cloud operations, plugins and state directories under the config directory, the logs and the data
directories under ``/var``. Paths are those of the running system; ``apply`` puts a root prefix in
front of them (tests install into a temporary directory).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

DIRECTORY_MODE = 0o775
LOG_DIR = "/var/log/tedge"
DATA_DIR = "/var/tedge"
MOSQUITTO_CONF = "/etc/mosquitto/mosquitto.conf"
INCLUDE_DIRECTIVE = "include_dir"

# below the config directory, in creation order (parents first)
CONFIG_SUBDIRS = (
    "mosquitto-conf",
    "device-certs",
    "operations",
    "operations/c8y",
    "plugins",
    "sm-plugins",
    ".agent",
    ".tedge-mapper-c8y",
)

SM_PLUGIN_DIR = "sm-plugins"
# where `tedge init` and the .deb put the diagnostic plugins c8ylink ships: the default of
# diag.plugin_paths (root-owned: `tedge diag collect` run as root runs only root's plugins)
DIAG_PLUGIN_DIR = "/usr/share/tedge/diag-plugins"
DIAG_PLUGIN_MODE = 0o755


@dataclass(frozen=True, slots=True)
class SmPluginLink:
    """An sm-plugin `tedge init` links into ``<config-dir>/sm-plugins`` when ``needs`` is on PATH."""

    name: str  # the plugin's name in sm-plugins: the software type it manages
    program: str  # the executable of this install it links to
    needs: str  # the package manager it drives


SM_PLUGIN_LINKS = (SmPluginLink("apt", "tedge-apt-plugin", "apt-get"),)


@dataclass(frozen=True, slots=True)
class InitSpec:
    """The options of `tedge init`."""

    config_dir: str = "/etc/tedge"
    user: str = "tedge"
    group: str = "tedge"
    log_dir: str = LOG_DIR
    data_dir: str = DATA_DIR


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """A directory `tedge init` creates (or corrects): its path, owner, group and mode."""

    path: str
    user: str
    group: str
    mode: int = DIRECTORY_MODE


def build_layout(spec: InitSpec) -> tuple[DirectoryEntry, ...]:
    """Every directory of a device install, parents before children."""
    config = posixpath.normpath(spec.config_dir)
    paths = [config, *(posixpath.join(config, sub) for sub in CONFIG_SUBDIRS), spec.log_dir, spec.data_dir]
    return tuple(DirectoryEntry(path, spec.user, spec.group) for path in paths)


def mosquitto_include_dir(config_dir: str) -> str:
    """The directory mosquitto includes: where `tedge connect` writes the listener and the bridge."""
    return posixpath.join(posixpath.normpath(config_dir), "mosquitto-conf")


def has_include_dir(text: str, directory: str) -> bool:
    """Whether ``text`` (a mosquitto.conf) already has ``include_dir <directory>`` (comments ignored)."""
    wanted = posixpath.normpath(directory)
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) == 2 and words[0] == INCLUDE_DIRECTIVE and posixpath.normpath(words[1]) == wanted:
            return True
    return False


def add_include_dir(text: str, directory: str) -> str | None:
    """``text`` with ``include_dir <directory>`` appended, or ``None`` when the line is already there."""
    if has_include_dir(text, directory):
        return None
    separator = "" if not text or text.endswith("\n") else "\n"
    return f"{text}{separator}{INCLUDE_DIRECTIVE} {posixpath.normpath(directory)}\n"
