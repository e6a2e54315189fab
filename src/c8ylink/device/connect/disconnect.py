"""``tedge disconnect c8y`` (tedge.md §3.8): remove the bridge file, restart mosquitto, stop the mapper.

It needs only the configuration directory, the profile and the service manager, so a device whose
certificate is gone can still be disconnected. ``tedge-mosquitto.conf``, the certificates and the agent
are left alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.exit_codes import TedgeExit
from c8ylink.device.connect.bridge import LEGACY_MQTT_SERVICE_BRIDGE, MOSQUITTO_CONF_DIR, bridge_file_name
from c8ylink.device.connect.connector import remove_if_present
from c8ylink.device.services.manager import MOSQUITTO, ServiceManager, mapper_service
from c8ylink.infra.cli.steps import Console

NOT_CONNECTED = "Bridge doesn't exist. Device is already disconnected from Cumulocity."


@dataclass
class Disconnector:
    config_dir: str
    profile: str | None
    services: ServiceManager
    console: Console
    stdout: Callable[[str], None]
    which: Callable[[str], str | None]

    @property
    def bridge_path(self) -> str:
        return os.path.join(self.config_dir, MOSQUITTO_CONF_DIR, bridge_file_name(self.profile))

    def disconnect(self) -> int:
        with self.console.step("Removing bridge config file"):
            existed = os.path.exists(self.bridge_path)
            remove_if_present(self.bridge_path)
            if self.profile is None:
                legacy = os.path.join(self.config_dir, MOSQUITTO_CONF_DIR, LEGACY_MQTT_SERVICE_BRIDGE)
                remove_if_present(legacy)
        if not existed:
            self.stdout(NOT_CONNECTED)
            return TedgeExit.OK
        if not self.services.is_available():
            self.stdout(
                f"Service manager '{self.services.name}' is not available, skipping stopping/disabling of "
                "tedge components."
            )
            return TedgeExit.OK
        self._restart_mosquitto()
        if self.which("tedge-mapper") is not None:
            service = mapper_service(self.profile)
            with self.console.step(f"Disabling {service}", fatal=False):
                self.services.stop_and_disable(service)
        return TedgeExit.OK

    def _restart_mosquitto(self) -> None:
        """Restart mosquitto when it runs, so that it drops the bridge (a failure is shown, not fatal)."""
        try:
            active = self.services.is_active(MOSQUITTO)
        except C8yLinkError:
            active = True  # cannot tell: the restart shows what is wrong
        if active:
            with self.console.step("Restarting mosquitto to apply configuration", fatal=False):
                self.services.restart(MOSQUITTO)
