"""``c8ylink services supervisord``: write a supervisord setup into a directory (the files' I/O).

    spec = build_supervisord_spec(work_dir, config_dir, mosquitto=None, bin_dir=None, env=os.environ)
    missing_programs(spec)                      # ("tedge-agent",) when it cannot be found
    write_supervisord_setup(spec, work_dir, config_dir, env=os.environ)

Writes ``supervisord.conf`` and ``mosquitto.conf`` into the directory (``device.services.supervisord``),
creates ``mosquitto-data`` there (0700, the broker's user's when run as root),
the ``[init]`` table of ``<config-dir>/system.toml`` (other tables of an existing file are kept), and,
when there is none yet, ``<config-dir>/mosquitto-conf/tedge-mosquitto.conf`` so that mosquitto listens
on ``mqtt.bind.port`` from its first start. Programs whose executable cannot be found are left out.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from c8ylink.core.errors import C8yLinkError
from c8ylink.device.certs.config import MOSQUITTO_OWNER
from c8ylink.device.config.store import TedgeConfigStore
from c8ylink.device.connect.bridge import (
    MOSQUITTO_CONF_DIR,
    TEDGE_MOSQUITTO_CONF,
    render_tedge_mosquitto_conf,
)
from c8ylink.device.connect.config import build_listeners
from c8ylink.device.services.supervisord import (
    MOSQUITTO_DATA,
    SYSTEM_TOML,
    SupervisordSpec,
    init_table,
    render_supervisord_setup,
)
from c8ylink.infra.files import access_error, update_toml_document, write_atomic


def build_supervisord_spec(
    work_dir: Path,
    config_dir: Path,
    *,
    mosquitto: str | None,
    bin_dir: Path | None,
    env: Mapping[str, str],
) -> SupervisordSpec:
    """The programs found next to this Python (or in ``bin_dir``), else on PATH, and the cloud profiles."""
    return SupervisordSpec(
        work_dir=str(work_dir),
        config_dir=str(config_dir),
        supervisorctl=find_program("supervisorctl", bin_dir) or "supervisorctl",
        true=shutil.which("true") or "/bin/true",
        mosquitto=mosquitto or shutil.which("mosquitto"),
        tedge_mapper=find_program("tedge-mapper", bin_dir),
        tedge_agent=find_program("tedge-agent", bin_dir),
        profiles=_profiles(config_dir, env),
    )


def missing_programs(spec: SupervisordSpec) -> tuple[str, ...]:
    """The programs supervisord will not run because their executable was not found."""
    programs = (("mosquitto", spec.mosquitto), ("tedge-mapper", spec.tedge_mapper),
                ("tedge-agent", spec.tedge_agent))  # fmt: skip
    return tuple(name for name, path in programs if path is None)


def find_program(name: str, bin_dir: Path | None) -> str | None:
    """``name`` in ``bin_dir``; without one, next to this Python, else on PATH."""
    directory = bin_dir or Path(sys.executable).parent
    candidate = directory / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return None if bin_dir is not None else shutil.which(name)


def _profiles(config_dir: Path, env: Mapping[str, str]) -> tuple[str, ...]:
    try:
        settings = TedgeConfigStore(config_dir, env=env).load()
    except C8yLinkError:
        return ()
    return tuple(settings.profile_names("c8y"))


def write_supervisord_setup(
    spec: SupervisordSpec, work_dir: Path, config_dir: Path, *, env: Mapping[str, str]
) -> None:
    """Write the files (atomically, 0644); an existing ``system.toml`` keeps its other tables."""
    from c8ylink.device.certs.files import give_to  # loads the TLS library: only when writing

    try:
        for directory in (work_dir / "log", config_dir / MOSQUITTO_CONF_DIR):
            directory.mkdir(mode=0o755, parents=True, exist_ok=True)
        data_dir = work_dir / MOSQUITTO_DATA  # the broker's own: it drops root privileges to its user
        data_dir.mkdir(mode=0o700, exist_ok=True)
        give_to(str(data_dir), MOSQUITTO_OWNER)
    except OSError as exc:
        raise access_error(exc.filename or work_dir, exc, "create") from None
    files = render_supervisord_setup(spec)
    system_toml = files.pop(SYSTEM_TOML)
    for name, text in files.items():
        write_atomic(work_dir / name, text, mode=0o644)
    system_path = config_dir / SYSTEM_TOML
    if system_path.exists():
        table = init_table(spec)

        def replace_init(
            document: MutableMapping[str, Any], new_table: Callable[[], MutableMapping[str, Any]]
        ) -> None:
            document["init"] = table

        update_toml_document(system_path, replace_init)
    else:
        write_atomic(system_path, system_toml, mode=0o644)
    listener_conf = config_dir / MOSQUITTO_CONF_DIR / TEDGE_MOSQUITTO_CONF
    if not listener_conf.exists():
        internal, external = build_listeners(TedgeConfigStore(config_dir, env=env).load())
        write_atomic(listener_conf, render_tedge_mosquitto_conf(internal, external), mode=0o644)
