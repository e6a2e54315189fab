"""``tedge connect c8y`` and ``--test``: the steps, in upstream's order (tedge.md §3.4-3.7).

The caller (``device.cli.connect``) resolves a ``ConnectConfig`` and prints the summary block; this
module runs the steps with ``✓``/``✗`` lines on the console and returns the exit code. What needs the
cloud (device creation over MQTT, the check through the bridge, the tenant check) is behind the
``CloudChecks`` protocol (``device.connect.c8y_checks``); the service manager is ``device.services.manager``.

    Creating device in Cumulocity cloud... ✓          (skipped with --offline)
    Restarting mosquitto... ✓                         (files written before: tedge-mosquitto.conf, the bridge)
    Waiting for mosquitto to be listening for connections... ✓
    Verifying device is connected to cloud... ✓       (retried; a failure is a warning and exit 1)
    Enabling tedge-mapper-c8y... ✓
    Checking Cumulocity is connected to intended tenant... ✓
    Enabling tedge-agent... ✓
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from c8ylink.core.errors import C8yLinkError, FileAccessError, StepFailed, error_chain
from c8ylink.core.exit_codes import TedgeExit
from c8ylink.device.certs.config import MOSQUITTO_OWNER, TEDGE_OWNER
from c8ylink.device.certs.files import give_to
from c8ylink.device.connect.bridge import (
    TEDGE_MOSQUITTO_CONF,
    render_bridge_conf,
    render_tedge_mosquitto_conf,
)
from c8ylink.device.connect.config import ConnectConfig
from c8ylink.device.connect.mosquitto import check_port_free, wait_until_listening
from c8ylink.device.services.manager import AGENT, MOSQUITTO, ServiceManager, mapper_service
from c8ylink.infra.cli.steps import Console
from c8ylink.infra.files import access_error, write_atomic

T = TypeVar("T")
MAX_RETRY_DELAY = 30.0  # between connection checks (c8y.connection_check.* set the rest)
ALREADY_CONNECTED = (
    "Connection is already established. To remove the existing connection, run `{command}` and try again."
)
NO_SERVICE_MANAGER = (
    "'tedge connect' configured the necessary tedge components, but you will have to start the required "
    "services on your own.",
    "Start/restart mosquitto and other thin edge components.",
    "thin-edge.io works seamlessly with 'systemd'.",
)
NO_BUILT_IN_BRIDGE = (
    "mqtt.bridge.built_in is true, but c8ylink has no built-in bridge: run "
    "`tedge config set mqtt.bridge.built_in false` to connect with the mosquitto bridge"
)
NO_AGENT = "Info: Software management is not installed. So, skipping enabling related components."


class CloudChecks(Protocol):
    """The steps that talk to Cumulocity (``device.connect.c8y_checks.MqttCloudChecks``)."""

    def create_device(self, config: ConnectConfig, cert_path: str) -> None:
        """``100,<id>,<type>`` on ``s/us`` over a direct MQTT connection, acknowledged."""

    def check_connection(self, config: ConnectConfig) -> None:
        """One check through the local bridge (``71`` or ``124`` received), else ``C8yLinkError``."""

    def connected_tenant(self, config: ConnectConfig) -> str:
        """The tenant host the bridge reaches (the ``iss`` of a token obtained through it)."""


@dataclass
class Connector:
    config: ConnectConfig
    services: ServiceManager
    console: Console
    checks: CloudChecks
    stdout: Callable[[str], None]
    which: Callable[[str], str | None]
    sleep: Callable[[float], None]

    # -- tedge connect c8y ----------------------------------------------------------------------------------
    def connect(self, *, offline: bool) -> int:
        """Run the connect steps; the exit code (0, 1 when the check failed, 3 without the new cert)."""
        config = self.config
        if config.connection.built_in_bridge:
            raise C8yLinkError(NO_BUILT_IN_BRIDGE)
        if os.path.exists(config.bridge_path):
            raise C8yLinkError(ALREADY_CONNECTED.format(command=self.disconnect_command))
        check_bridge_trust(config)
        new_cert_refused = self._adopt_new_certificate(offline)
        available = Background(self.services.is_available)  # runs while the device is created
        self._create_device(offline)
        if not available.result():
            self.console.warning(f"'{self.services.name}' service manager is not available on the system.")
        self._write_files()
        if not available.result():
            for line in NO_SERVICE_MANAGER:
                self.stdout(line)
            return TedgeExit.OK
        self._warn_when_the_broker_cannot_read()
        self._with_clean_up(self._restart_mosquitto)
        checked = offline or self._check_with_retries()
        agent = self._start_agent()  # meanwhile: the mapper and the tenant check
        self._enable_mapper()
        if checked and not offline and not config.basic_auth:
            self._check_tenant()
        self._report_agent(agent)
        if not checked:
            self.console.error("Connection check failed")
            return TedgeExit.ERROR
        if new_cert_refused:
            self.console.warning("Successfully connected, however not using the new certificate")
            return TedgeExit.NEW_CERT_NOT_ADOPTED
        return TedgeExit.OK

    @property
    def disconnect_command(self) -> str:
        profile = self.config.profile
        return "tedge disconnect c8y" + (f" --profile {profile}" if profile else "")

    def _create_device(self, offline: bool) -> None:
        if offline:
            self.console.line("Offline mode. Skipping device creation in Cumulocity cloud.")
            return
        with self.console.step("Creating device in Cumulocity cloud"):
            self.checks.create_device(self.config, self.config.cert_path)

    def _adopt_new_certificate(self, offline: bool) -> bool:
        """Validate and promote ``<cert>.new`` (certificate auth); ``True`` when it was refused."""
        from c8ylink.device.certs.new_certificate import adopt_new_certificate

        if self.config.basic_auth or not os.path.exists(self.config.new_cert_path):
            return False
        return not adopt_new_certificate(self, offline=offline)

    # -- tedge refresh-bridges -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Write the bridge file (and tedge-mosquitto.conf) again from the current configuration, without
        checking the connection; the caller restarts mosquitto once for every bridge."""
        check_bridge_trust(self.config)
        self._write_files()

    # -- files ----------------------------------------------------------------------------------------------
    def _write_files(self) -> None:
        """tedge-mosquitto.conf (when mqtt.bind.enabled) and the bridge file, atomically, mode 0644
        (0600 when the bridge file holds a password)."""
        config = self.config
        directory = config.mosquitto_conf_dir
        try:
            if not os.path.isdir(directory):
                os.makedirs(directory, mode=0o755, exist_ok=True)
            if config.bind_enabled:
                conf = render_tedge_mosquitto_conf(config.internal_listener, config.external_listener)
                write_atomic(os.path.join(directory, TEDGE_MOSQUITTO_CONF), conf, mode=0o644)
            secret = config.bridge.basic is not None  # remote_password in it: for its reader only
            mode = 0o600 if secret else 0o644
            write_atomic(config.bridge_path, render_bridge_conf(config.bridge), mode=mode)
            if secret:  # as root: owned by the broker's user, who reads it again on a reload
                give_to(config.bridge_path, MOSQUITTO_OWNER)
        except FileAccessError as exc:
            with contextlib.suppress(FileAccessError):  # a directory we cannot write we may not search
                self._remove_bridge_file()
            raise C8yLinkError(
                f"{exc}\ntedge connect must be able to write the bridge configuration to {directory}: "
                "check the permissions of that directory (e.g. `chmod 755`, owned by the user running "
                "tedge connect)"
            ) from None
        except OSError as exc:
            raise access_error(directory, exc, "create") from None

    def _remove_bridge_file(self) -> None:
        remove_if_present(self.config.bridge_path)

    def _with_clean_up(self, step: Callable[[], None]) -> None:
        """Run ``step``; when it fails remove the bridge file again (``Cleaning up ...``) and stop."""
        try:
            step()
        except StepFailed:
            with self.console.step(f"Cleaning up {self.config.bridge_path} due to failure", fatal=False):
                self._remove_bridge_file()
            raise

    # -- mosquitto ------------------------------------------------------------------------------------------
    def _restart_mosquitto(self) -> None:
        config = self.config
        with self.console.step("Restarting mosquitto"):
            self.services.stop(MOSQUITTO)
            self._give_device_files_to_the_broker()
            if config.bind_enabled:
                listener = config.internal_listener
                check_port_free(listener.address or "", listener.port or 0)
            self.services.restart(MOSQUITTO)
        with self.console.step("Waiting for mosquitto to be listening for connections"):
            wait_until_listening(
                config.local.host, config.local.port, still_running=lambda: self._is_active(MOSQUITTO)
            )
        try:  # no line of its own when it works (upstream)
            self.services.enable(MOSQUITTO)
        except C8yLinkError as exc:
            self.console.error(": ".join(error_chain(exc)))
            raise StepFailed(str(exc)) from exc

    def _warn_when_the_broker_cannot_read(self) -> None:
        from c8ylink.device.connect.broker_access import blocked_for_broker

        config = self.config
        own = [] if config.basic_auth else [config.cert_path, config.connection.key_path]
        blocked = blocked_for_broker(own, [config.bridge.root_cert_path])
        if blocked is not None:
            self.console.warning(
                f"mosquitto runs as the user 'mosquitto', who cannot read {blocked.path} ({blocked.blocker} "
                "is closed to it: e.g. `chmod o+x` a directory, `chmod o+r` a file): the bridge cannot "
                "connect until it can"
            )

    def _give_device_files_to_the_broker(self) -> None:
        """As root: the certificate and key to the broker's user (mosquitto bridge) or tedge (built-in)."""
        if self.config.basic_auth:
            return
        owner = TEDGE_OWNER if self.config.connection.built_in_bridge else MOSQUITTO_OWNER
        for path in (self.config.cert_path, self.config.connection.key_path):
            if os.path.exists(path):
                give_to(path, owner)

    def _is_active(self, service: str) -> bool:
        try:
            return self.services.is_active(service)
        except C8yLinkError:
            return True  # cannot tell: keep waiting for the port

    # -- checks ---------------------------------------------------------------------------------------------
    def _check_with_retries(self) -> bool:
        policy = self.config.check
        delay = policy.retry_interval
        for attempt in range(1, policy.attempts + 1):
            with self.console.step("Verifying device is connected to cloud", fatal=False) as result:
                self.checks.check_connection(self.config)
            if result.ok:
                return True
            if attempt < policy.attempts:
                self.console.line(f"Connection test failed, attempt {attempt} of {policy.attempts}\n")
                self.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY)
        self.console.warning("Bridge has been configured, but Cumulocity connection check failed.")
        return False

    def _check_tenant(self) -> None:
        with self.console.step("Checking Cumulocity is connected to intended tenant", fatal=False) as result:
            tenant = self.checks.connected_tenant(self.config)
        warning = tenant_mismatch(tenant, self.config) if result.ok else None
        if warning is not None:
            self.console.warning(warning)

    # -- services -------------------------------------------------------------------------------------------
    def _enable_mapper(self) -> None:
        if self.which("tedge-mapper") is None:
            self.console.warning("tedge-mapper is not installed.")
            return
        service = mapper_service(self.config.profile)
        with self.console.step(f"Enabling {service}", fatal=False):
            self.services.start_and_enable(service)

    def _start_agent(self) -> Background[None] | None:
        """Start and enable tedge-agent in the background (``None``: it is not installed)."""
        if self.which("tedge-agent") is None:
            return None
        return Background(lambda: self.services.start_and_enable(AGENT))

    def _report_agent(self, agent: Background[None] | None) -> None:
        if agent is None:
            self.stdout(NO_AGENT)
            self.stdout("")
            return
        with self.console.step(f"Enabling {AGENT}", fatal=False):
            agent.result()

    # -- tedge connect c8y --test ---------------------------------------------------------------------------
    def test(self) -> int:
        if not os.path.exists(self.config.bridge_path):
            self.console.error("Device is not connected to Cumulocity cloud")
            return TedgeExit.ERROR
        with self.console.step("Verifying device is connected to cloud"):
            self.checks.check_connection(self.config)
        if not self.config.basic_auth:
            self._check_tenant()
        self.console.line("Connection check to c8y cloud is successful.")
        return TedgeExit.OK


class Background(Generic[T]):
    """``function()`` run in a thread; ``result()`` waits for it and returns or raises what it did."""

    def __init__(self, function: Callable[[], T]) -> None:
        self._function = function
        self._outcome: tuple[bool, object] | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._outcome = (True, self._function())
        except BaseException as exc:  # handed to the caller of result()
            self._outcome = (False, exc)

    def result(self) -> T:
        self._thread.join()
        assert self._outcome is not None
        ok, value = self._outcome
        if not ok:
            assert isinstance(value, BaseException)
            raise value
        return value  # type: ignore[return-value]


def tenant_mismatch(tenant: str, config: ConnectConfig) -> str | None:
    """The warning when the bridge reaches another tenant than ``c8y.mqtt``/``c8y.http`` name."""
    connection = config.connection
    if tenant in (connection.mqtt.host, connection.http.host):
        return None
    command = "tedge reconnect c8y" + (f" --profile {config.profile}" if config.profile else "")
    return (
        f"The device is connected to {tenant}, but the configured URL is "
        f"(mqtt={connection.mqtt.host}, http={connection.http.host}).\n"
        f"    To connect the device to the intended tenant, remove the device certificate from {tenant}, "
        f"and then run {command}"
    )


def check_bridge_trust(config: ConnectConfig) -> None:
    """A ``c8y.root_cert_path`` directory must be one OpenSSL can search (hash links), as mosquitto's
    ``bridge_capath`` only looks certificates up by hash; tedge's own connections read any directory, so
    without this the device is created and only the bridge fails, after every check attempt."""
    from c8ylink.infra.tls.contexts import is_hashed_directory

    path = config.bridge.root_cert_path
    if config.bridge.root_cert_is_dir and not is_hashed_directory(path):
        raise C8yLinkError(
            f"c8y.root_cert_path ({path}) is a directory without OpenSSL hash links, so mosquitto's bridge "
            f"cannot find the tenant's CA in it: run `openssl rehash {path}`, or set the CA file itself with "
            "`tedge config set c8y.root_cert_path <file>`"
        )


def remove_if_present(path: str) -> None:
    """Delete ``path`` if it is there (a ``FileAccessError`` naming it when that is not allowed)."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise access_error(path, exc, "remove") from None
