"""``tedge.toml`` on disk: load the effective settings (file + environment), change the file.

Reads use the standard library's fast TOML parser; only writes load tomlkit (which keeps comments and
order) and go through an atomic replace with mode 0644. A file that does not parse is reported with its
name and line and is never overwritten.

Other code gets the resolved settings with::

    settings = load_tedge_settings(config_dir, env)          # env: a mapping such as os.environ
    settings.value("c8y.url")                                 # typed value, ConfigNotSetError if unset
    settings.value("c8y.mqtt", profile="second").port
"""

from __future__ import annotations

import os

from c8ylink.core.errors import ConfigError, FileAccessError
from c8ylink.core.settings.resolve import Settings, build_settings
from c8ylink.device.config.settings import CERTIFICATE_CN, CONFIG_FILE, TEDGE
from c8ylink.infra.files import access_error, load_toml_data, update_toml_document

TYPE_CHECKING = False  # reading settings is on every command's start-up path: see core/records.py
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, MutableMapping
    from pathlib import Path
    from typing import Any

    from c8ylink.core.settings.resolve import Deriver

    FileChange = Callable[
        [Callable[[], Settings], MutableMapping[str, Any], Callable[[], MutableMapping[str, Any]]], None
    ]
    """Edits the document; gets a function returning the file-only settings (no environment) the edit
    may start from (it raises if the file holds an invalid value)."""


def _read_common_name(path: Any) -> str:
    from c8ylink.infra.cert_subject import read_common_name

    return read_common_name(str(path))


DERIVERS: dict[str, Deriver] = {CERTIFICATE_CN: _read_common_name}


class TedgeConfigStore:
    """The ``tedge.toml`` of one configuration directory.

    Reading goes through ``os.path`` only (no ``pathlib``: start-up time); ``path`` is a ``Path``.
    """

    def __init__(
        self, config_dir: Path | str, *, env: Mapping[str, str], cwd: Path | str | None = None
    ) -> None:
        self.config_dir = config_dir
        self.env = env
        self.cwd = os.fspath(cwd) if cwd is not None else os.getcwd()
        self._file = os.path.join(os.fspath(config_dir), CONFIG_FILE)

    @property
    def path(self) -> Path:
        from pathlib import Path

        return Path(self._file)

    def load(self, *, with_env: bool = True) -> Settings:
        """The effective settings: schema defaults < tedge.toml < ``TEDGE_*`` variables."""
        return self._settings(self._read(), self.env if with_env else {})

    def update(self, change: FileChange) -> tuple[str, ...]:
        """Apply ``change`` to tedge.toml (created with its directory when missing); returns warnings."""
        warnings: list[str] = []

        def edit(
            document: MutableMapping[str, Any], new_table: Callable[[], MutableMapping[str, Any]]
        ) -> None:
            unwrap = getattr(document, "unwrap", None)
            data = unwrap() if callable(unwrap) else dict(document)
            current: Settings | ConfigError
            try:
                current = self._settings(data, {})
            except ConfigError as exc:
                current = exc
            else:
                warnings.extend(current.warnings)

            def current_settings() -> Settings:
                if isinstance(current, ConfigError):
                    raise current
                return current

            change(current_settings, document, new_table)
            # the file is written only when all of it is valid afterwards: a wrong type elsewhere is
            # an error naming that key (fix it first), while setting or unsetting the bad key repairs it
            self._settings(unwrap() if callable(unwrap) else dict(document), {})

        self._check_directory()
        try:
            os.makedirs(self.config_dir, exist_ok=True)
        except OSError as exc:
            raise access_error(self.config_dir, exc, "create") from None
        update_toml_document(self._file, edit, mode=0o644)
        return tuple(warnings)

    def _read(self) -> dict[str, Any] | None:
        self._check_directory()
        return load_toml_data(self._file)

    def _check_directory(self) -> None:
        """Name the directory, not the file, when the directory itself cannot be read."""
        directory = os.fspath(self.config_dir)
        if os.path.isdir(directory) and not os.access(directory, os.R_OK | os.X_OK):
            raise FileAccessError(
                f"Could not access {directory}: Permission denied (os error 13)", path=str(directory)
            )

    def _settings(self, data: Mapping[str, Any] | None, env: Mapping[str, str]) -> Settings:
        return build_settings(
            TEDGE,
            file_data=data,
            file_name=self._file,
            env=env,
            config_dir=os.fspath(self.config_dir),
            cwd=self.cwd,
            derivers=DERIVERS,
        )


def load_tedge_settings(config_dir: Path, env: Mapping[str, str], *, cwd: Path | None = None) -> Settings:
    """The effective tedge settings of ``config_dir`` with ``env`` applied (see the module docstring)."""
    return TedgeConfigStore(config_dir, env=env, cwd=cwd).load()
