"""`tedge init` on the file system: directories with their owners and modes, mosquitto's include line,
the systemd units (the I/O of ``layout`` and ``units``).

    report = run_init(InitSpec(user="tedge", group="tedge"), root="/")
    report.units_written                       # ("tedge-agent.service", ...) when systemd runs them

Every step checks before it changes anything, so a second run changes nothing and a re-run after an
upgrade only corrects what differs (a mode, an owner, a unit whose executable moved). ``root`` is put
in front of every path (``C8YLINK_ROOT`` / the hidden ``--root`` option of `tedge init`): tests install
into a temporary directory; the content of the files still names the paths of the running system.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import subprocess
from dataclasses import dataclass, field

from c8ylink.core.errors import C8yLinkError, ConfigError, FileAccessError, ServiceError
from c8ylink.device.install.layout import (
    DIAG_PLUGIN_DIR,
    DIAG_PLUGIN_MODE,
    MOSQUITTO_CONF,
    SM_PLUGIN_DIR,
    SM_PLUGIN_LINKS,
    DirectoryEntry,
    InitSpec,
    add_include_dir,
    build_layout,
    mosquitto_include_dir,
)
from c8ylink.device.install.units import UNIT_DIR, VENDOR_UNIT_DIRS, UnitSpec, render_units
from c8ylink.infra.files import access_error, write_atomic

ROOT_ENV = "C8YLINK_ROOT"
SYSTEMD_RUNNING_MARKER = "/run/systemd/system"  # sd_booted(3): systemd is the running init


@dataclass(frozen=True, slots=True)
class Owner:
    uid: int
    gid: int


@dataclass
class InitReport:
    """What a run changed, and what it left out and why (printed as notes on stderr)."""

    directories_changed: list[str] = field(default_factory=list)
    mosquitto_conf_changed: bool = False
    units_written: list[str] = field(default_factory=list)
    links_changed: list[str] = field(default_factory=list)
    diag_plugins_written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def rooted(root: str, path: str) -> str:
    """``path`` of the running system below ``root`` (``/`` leaves it unchanged)."""
    return os.path.join(root, path.lstrip("/")) if root not in ("", "/") else path


def resolve_owner(user: str, group: str) -> Owner:
    """The ids of ``user`` and ``group``; ``ConfigError`` naming the one that does not exist."""
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        raise ConfigError(
            f"The user '{user}' does not exist: create it (e.g. useradd --system --user-group "
            f"--no-create-home --shell /usr/sbin/nologin {user}) or choose another with --user"
        ) from None
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise ConfigError(
            f"The group '{group}' does not exist: create it (e.g. groupadd --system {group}) or choose "
            "another with --group"
        ) from None
    return Owner(uid, gid)


def run_init(
    spec: InitSpec, *, root: str = "/", bin_dir: str | None = None, relative_links: bool = False
) -> InitReport:
    """Create or correct the directories, include them in mosquitto's configuration, link the components
    to ``tedge`` where they are missing (``links``) and, when systemd is the service manager, install the
    units. Errors say which path failed."""
    owner = resolve_owner(spec.user, spec.group)
    report = InitReport()
    for entry in build_layout(spec):
        if ensure_directory(rooted(root, entry.path), entry, owner):
            report.directories_changed.append(entry.path)
    conf = rooted(root, MOSQUITTO_CONF)
    if os.path.exists(conf):
        report.mosquitto_conf_changed = ensure_include_dir(conf, mosquitto_include_dir(spec.config_dir))
    else:
        report.notes.append(
            f"{MOSQUITTO_CONF} does not exist (is mosquitto installed?): add "
            f"'include_dir {mosquitto_include_dir(spec.config_dir)}' to mosquitto's configuration"
        )
    report.links_changed = link_components(root, bin_dir, relative=relative_links)
    report.links_changed += link_sm_plugins(root, spec.config_dir, bin_dir, relative=relative_links)
    report.diag_plugins_written = install_diag_plugins(rooted(root, DIAG_PLUGIN_DIR))
    if systemd_is_service_manager(root, spec.config_dir):
        units = install_units(spec.user, bin_dir)
        if units is None:
            report.notes.append("tedge-mapper or tedge-agent not found: no systemd units installed")
        else:
            unit_dir = rooted(root, UNIT_DIR)
            vendor = [rooted(root, directory) for directory in VENDOR_UNIT_DIRS]
            report.units_written = write_units(unit_dir, render_units(units), skip_if_in=vendor)
            if report.units_written and root in ("", "/"):
                reload_systemd()
    return report


def link_components(root: str, bin_dir: str | None, *, relative: bool) -> list[str]:
    """The component links next to this install's ``tedge`` (below ``root``); the names changed."""
    from pathlib import Path

    from c8ylink.device.install.links import ensure_links
    from c8ylink.device.services.supervisord_setup import find_program

    tedge = find_program("tedge", Path(bin_dir) if bin_dir else None)
    if tedge is None:
        return []
    link_dir = rooted(root, os.path.dirname(os.path.abspath(tedge)))
    if not os.path.isdir(link_dir):
        return []
    return ensure_links(os.path.abspath(tedge), relative=relative, link_dir=link_dir)


def link_sm_plugins(root: str, config_dir: str, bin_dir: str | None, *, relative: bool) -> list[str]:
    """Link each sm-plugin of this install (``layout.SM_PLUGIN_LINKS``) into ``<config-dir>/sm-plugins``
    when the package manager it drives is on PATH (below ``root``); the plugins changed."""
    from pathlib import Path

    from c8ylink.device.install.links import ensure_plugin_link
    from c8ylink.device.services.supervisord_setup import find_program

    plugin_dir = os.path.join(os.path.normpath(config_dir), SM_PLUGIN_DIR)
    changed: list[str] = []
    for link in SM_PLUGIN_LINKS:
        program = find_program(link.program, Path(bin_dir) if bin_dir else None)
        if program is None or not on_path(root, link.needs):
            continue
        if ensure_plugin_link(
            os.path.abspath(program),
            plugin_dir,
            link.name,
            relative=relative,
            link_dir=rooted(root, plugin_dir),
        ):
            changed.append(f"{SM_PLUGIN_DIR}/{link.name}")
    return changed


def install_diag_plugins(directory: str) -> list[str]:
    """Write the diagnostic plugins c8ylink ships (``device.diag.plugins``) into ``directory`` where
    missing or different (0755; other files there are left alone); the names written."""
    from importlib.resources import files

    from c8ylink.device.diag.plugins import SHIPPED

    try:
        os.makedirs(directory, mode=0o755, exist_ok=True)
    except OSError as exc:
        raise access_error(exc.filename or directory, exc, "create") from None
    source = files("c8ylink.device.diag.plugins")
    written: list[str] = []
    for name in SHIPPED:
        text = source.joinpath(name).read_bytes()
        path = os.path.join(directory, name)
        try:
            with open(path, "rb") as file:
                same = (
                    file.read() == text and stat.S_IMODE(os.fstat(file.fileno()).st_mode) == DIAG_PLUGIN_MODE
                )
        except FileNotFoundError:
            same = False
        except OSError as exc:
            raise access_error(path, exc, "read") from None
        if not same:
            write_atomic(path, text, mode=DIAG_PLUGIN_MODE)
            written.append(name)
    return written


def on_path(root: str, program: str) -> bool:
    """Whether an executable ``program`` is in one of PATH's directories below ``root``."""
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if directory and os.access(rooted(root, os.path.join(directory, program)), os.X_OK):
            return True
    return False


def systemd_is_service_manager(root: str, config_dir: str) -> bool:
    """Whether ``system.toml`` names systemd (or does not exist) and systemd is the running init."""
    from c8ylink.device.services.manager import load_system_config

    if not systemd_is_running(root):
        return False
    return load_system_config(rooted(root, config_dir)).init.name == "systemd"


def ensure_directory(path: str, entry: DirectoryEntry, owner: Owner) -> bool:
    """Create ``path`` (parents as root-owned 0755) or correct its owner and mode; whether it changed."""
    changed = False
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise access_error(path, exc) from None
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise FileAccessError(f"Could not create {path}: it exists and is not a directory", path=path)
    try:
        if info is None:
            parent = os.path.dirname(path)
            if parent and not os.path.isdir(parent):
                os.makedirs(parent, mode=0o755, exist_ok=True)
            os.mkdir(path, entry.mode)
            info = os.stat(path)
            changed = True
        if (info.st_uid, info.st_gid) != (owner.uid, owner.gid):
            os.chown(path, owner.uid, owner.gid)
            changed = True
        if stat.S_IMODE(info.st_mode) != entry.mode:
            os.chmod(path, entry.mode)
            changed = True
    except OSError as exc:
        raise access_error(
            exc.filename or path, exc, "create" if changed or info is None else "change"
        ) from None
    return changed


def ensure_include_dir(conf: str, directory: str) -> bool:
    """Append ``include_dir <directory>`` to the mosquitto configuration ``conf`` once (atomically, keeping
    its mode and owner; a symbolic link is followed, not replaced); whether it changed."""
    conf = os.path.realpath(conf)
    try:
        with open(conf, encoding="utf-8") as file:
            text = file.read()
        info = os.stat(conf)
    except OSError as exc:
        raise access_error(conf, exc, "read") from None
    new_text = add_include_dir(text, directory)
    if new_text is None:
        return False
    write_atomic(conf, new_text, mode=stat.S_IMODE(info.st_mode))
    try:
        if (os.stat(conf).st_uid, os.stat(conf).st_gid) != (info.st_uid, info.st_gid):
            os.chown(conf, info.st_uid, info.st_gid)
    except OSError as exc:
        raise access_error(conf, exc, "change") from None
    return True


def write_units(unit_dir: str, units: dict[str, str], *, skip_if_in: list[str] | None = None) -> list[str]:
    """Write each unit whose text differs into ``unit_dir`` (0644); units a package already ships in one of
    ``skip_if_in`` are left to it. The names written, in order."""
    written: list[str] = []
    try:
        os.makedirs(unit_dir, mode=0o755, exist_ok=True)
    except OSError as exc:
        raise access_error(exc.filename or unit_dir, exc, "create") from None
    for name, text in units.items():
        if any(os.path.exists(os.path.join(directory, name)) for directory in skip_if_in or ()):
            continue
        path = os.path.join(unit_dir, name)
        try:
            with open(path, encoding="utf-8") as file:
                if file.read() == text:
                    continue
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise access_error(path, exc, "read") from None
        write_atomic(path, text, mode=0o644)
        written.append(name)
    return written


def install_units(user: str, bin_dir: str | None = None) -> UnitSpec | None:
    """The units of this install (executables next to this Python, else on PATH); ``None`` if missing."""
    from pathlib import Path

    from c8ylink.device.services.supervisord_setup import find_program

    directory = Path(bin_dir) if bin_dir else None
    mapper, agent = find_program("tedge-mapper", directory), find_program("tedge-agent", directory)
    if mapper is None or agent is None:
        return None
    return UnitSpec(tedge_mapper=os.path.abspath(mapper), tedge_agent=os.path.abspath(agent), user=user)


def systemd_is_running(root: str = "/") -> bool:
    """Whether systemd is the running init (the test of sd_booted(3), below ``root``)."""
    return os.path.isdir(rooted(root, SYSTEMD_RUNNING_MARKER))


def reload_systemd() -> None:
    """``systemctl daemon-reload`` so that systemd sees new or changed units."""
    try:
        completed = subprocess.run(
            ["systemctl", "daemon-reload"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServiceError(f"Could not run systemctl daemon-reload: {exc}") from None
    if completed.returncode != 0:
        reason = completed.stderr.decode(errors="replace").strip()
        raise ServiceError(f"systemctl daemon-reload failed with code {completed.returncode}: {reason}")


def init_failed(exc: C8yLinkError) -> C8yLinkError:
    """Upstream's ``Failed to initialize tedge`` to raise from ``exc`` (sudo hint on access errors)."""
    denied = isinstance(exc, FileAccessError) and any(
        f"(os error {code})" in str(exc)
        for code in (1, 13, 30)  # EPERM, EACCES, EROFS
    )
    hint = " You have to run tedge with sudo." if denied else ""
    return C8yLinkError(f"Failed to initialize tedge.{hint}", exit_code=exc.exit_code)
