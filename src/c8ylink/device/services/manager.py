"""Run the service manager of ``system.toml`` (tedge.md §5): start, stop, restart, enable, disable.

    manager = load_service_manager(config_dir)
    manager.check_available()                 # ServiceError with upstream's two-line text
    manager.start_and_enable(mapper_service(profile))
    manager.is_active(MOSQUITTO)              # exit status 0 = running

Commands run directly (no shell) with their output discarded, as upstream does; a failure is a
``ServiceError`` naming the command: ``Service command <"/bin/systemctl stop mosquitto"> failed with
code: 5.``. A command that hangs is stopped after ``COMMAND_TIMEOUT`` seconds instead of hanging tedge.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

from c8ylink.core.errors import ConfigError, FileAccessError, ServiceError
from c8ylink.core.settings.types import rust_debug_str
from c8ylink.device.services.system_config import (
    SYSTEM_CONFIG_FILE,
    SystemConfig,
    build_command,
    parse_system_config,
    render_command,
    syntax_error,
)
from c8ylink.infra.files import load_toml_data

MOSQUITTO = "mosquitto"
AGENT = "tedge-agent"
MAPPER_C8Y = "tedge-mapper-c8y"
COMMAND_TIMEOUT = 120.0


def mapper_service(profile: str | None) -> str:
    """``tedge-mapper-c8y``, or the template instance ``tedge-mapper-c8y@<profile>``."""
    return MAPPER_C8Y if profile is None else f"{MAPPER_C8Y}@{profile}"


def load_system_config(config_dir: str) -> SystemConfig:
    """``<config_dir>/system.toml`` (systemd when there is no file); bad TOML names the file."""
    path = os.path.join(config_dir, SYSTEM_CONFIG_FILE)
    try:
        data = load_toml_data(path)
    except FileAccessError:
        raise
    except ConfigError as exc:  # the TOML reader's error, "Failed to parse <path>: <reason>"
        raise syntax_error(path, str(exc).removeprefix(f"Failed to parse {path}: ")) from None
    return parse_system_config(data, path)


def load_service_manager(config_dir: str) -> ServiceManager:
    return ServiceManager(load_system_config(config_dir))


class ServiceManager:
    def __init__(self, config: SystemConfig, *, timeout: float = COMMAND_TIMEOUT) -> None:
        self.config = config
        self.timeout = timeout

    @property
    def name(self) -> str:
        return self.config.init.name

    def check_available(self) -> None:
        """``ServiceError`` unless the ``is_available`` command succeeds."""
        argv = build_command(self.config, "is_available")
        try:
            code = self._status(argv)
        except ServiceError:
            code = None
        if code != 0:
            raise ServiceError(
                f"Failed to execute '{render_command(argv)}' to check the service manager availability.\n"
                f" Service manager '{self.name}' is not available on the system or elevated permissions "
                "have not been granted."
            )

    def is_available(self) -> bool:
        try:
            self.check_available()
        except ServiceError:
            return False
        return True

    def run(self, action: str, service: str) -> None:
        """Run ``action`` (``start``, ``stop``, ...) for ``service``; ``ServiceError`` if it fails."""
        argv = build_command(self.config, action, service)
        code = self._status(argv)
        if code == 0:
            return
        shown = rust_debug_str(render_command(argv))
        if code < 0:
            raise ServiceError(f"Service command <{shown}> terminated by a signal.")
        raise ServiceError(f"Service command <{shown}> failed with code: {code}.")

    def start(self, service: str) -> None:
        self.run("start", service)

    def stop(self, service: str) -> None:
        self.run("stop", service)

    def restart(self, service: str) -> None:
        self.run("restart", service)

    def enable(self, service: str) -> None:
        self.run("enable", service)

    def disable(self, service: str) -> None:
        self.run("disable", service)

    def start_and_enable(self, service: str) -> None:
        self.start(service)
        self.enable(service)

    def stop_and_disable(self, service: str) -> None:
        self.stop(service)
        self.disable(service)

    def is_active(self, service: str) -> bool:
        """Whether ``is_active`` exits 0 for ``service`` (a missing command is an error)."""
        return self._status(build_command(self.config, "is_active", service)) == 0

    def _status(self, argv: Sequence[str]) -> int:
        """The exit status (negative: killed by that signal); ``ServiceError`` if it cannot run."""
        try:
            completed = subprocess.run(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=self.timeout,
                check=False,
            )
        except (FileNotFoundError, PermissionError, NotADirectoryError):
            raise ServiceError(
                f"Service command <{rust_debug_str(render_command(argv))}> not found.\n"
                f"Check '{self.config.path}' file."
            ) from None
        except subprocess.TimeoutExpired:
            raise ServiceError(
                f"Service command <{rust_debug_str(render_command(argv))}> did not finish within "
                f"{self.timeout:g} s."
            ) from None
        except OSError as exc:
            raise ServiceError(
                f"Service command <{rust_debug_str(render_command(argv))}> could not be run: {exc}"
            ) from None
        return completed.returncode
