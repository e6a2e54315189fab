"""``TenantServer``: the local tenant as an async context manager, composing pluggable listeners.

    async with TenantServer(TenantConfig.on_free_ports(path)) as server:
        server.info.https_url, server.info.ca_file, server.info.admin.password
        server.service.state ...         # the shared tenant (same event loop only)

On entry: open (or create) the tenant in ``data_dir`` (SQLite), make sure the TLS material exists,
start every listener (port 0 picks a free port), then write ``<data_dir>/tenant.json`` atomically.
On exit: stop the listeners, close the database, remove ``tenant.json``.

A listener is anything with ``name``, ``async start(context) -> dict`` (keys it adds to tenant.json)
and ``async stop()``. The REST listener (HTTPS + mutual-TLS ports) is always there, the MQTT
listener (``mqtt_tls`` + ``mqtt`` ports) unless ``mqtt=False``; more can be passed as
``listeners=[...]``. Listeners share ``context.service`` (state, commits,
signals) and ``context.client_trust`` (client CAs for mutual TLS, kept in sync with trusted certs).
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import json
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from c8ylink.core.clock import Clock, SystemClock
from c8ylink.core.errors import C8yLinkError, NetworkError
from c8ylink.infra.files import access_error, write_atomic
from c8ylink.tenant.pki import ClientTrust, ServerTls, ensure_server_tls
from c8ylink.tenant.service import DEFAULT_TENANT_ID, Credentials, TenantService, TenantSetup
from c8ylink.tenant.state.ids import SecretSource, SystemSecrets
from c8ylink.tenant.state.lockout import LockoutPolicy
from c8ylink.tenant.state.signals import TenantEvent, TrustedCertificateAdded

INFO_FILE = "tenant.json"
LOCK_FILE = "tenant.lock"


@dataclass(frozen=True, slots=True)
class TenantConfig:
    """How to run the tenant. ``data_dir=None``: a fresh temporary directory, removed on exit."""

    data_dir: Path | None = None
    host: str = "127.0.0.1"
    https_port: int = 8443
    mtls_port: int = 9443
    mqtt_tls_port: int = 8883
    mqtt_port: int = 11883  # never 1883: the device's own mosquitto listens there
    mqtt: bool = True  # start the MQTT listener (tests of the REST side alone may switch it off)
    hostnames: tuple[str, ...] = ()
    tenant_id: str = DEFAULT_TENANT_ID
    domain: str = "localhost"
    admin_password: str | None = field(default=None, repr=False)
    strict_basic: bool = False
    device_ca: bool = True
    max_body_bytes: int = 1024 * 1024
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)  # when wrong passwords lock a login
    handshake_timeout: float = 10.0  # seconds for a TLS handshake (REST and MQTT over TLS)
    request_head_timeout: float = 30.0  # seconds for a REST request's line and headers to arrive
    sweep_interval: float = 60.0  # seconds between housekeeping sweeps (bulk operations, retention); 0: none

    @classmethod
    def on_free_ports(cls, data_dir: Path | None = None, **fields: Any) -> TenantConfig:
        """Every listener on a port the system picks (tests, tools that run several tenants)."""
        ports = {"https_port": 0, "mtls_port": 0, "mqtt_tls_port": 0, "mqtt_port": 0}
        return cls(data_dir=data_dir, **{**ports, **fields})


@dataclass(frozen=True, slots=True)
class TenantInfo:
    """What ``tenant.json`` holds: how clients reach and log in to the tenant."""

    tenant: str
    domain: str
    https_url: str
    mtls_url: str
    ca_file: Path
    admin: Credentials
    bootstrap: Credentials
    data_dir: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        _, _, admin_user = self.admin.username.partition("/")
        boot_tenant, _, boot_user = self.bootstrap.username.partition("/")
        return {
            "tenant": self.tenant,
            "domain": self.domain,
            "https_url": self.https_url,
            "mtls_url": self.mtls_url,
            "ca_file": str(self.ca_file),
            "admin": {"username": admin_user, "password": self.admin.password},
            "bootstrap": {"tenant": boot_tenant, "username": boot_user, "password": self.bootstrap.password},
            "data_dir": str(self.data_dir),
            "pid": os.getpid(),
            **self.extra,
        }


@dataclass(slots=True)
class ListenerContext:
    config: TenantConfig
    service: TenantService
    tls: ServerTls
    client_trust: ClientTrust
    info: dict[str, Any]  # tenant.json without the passwords, filled in once every listener is up


class Listener(Protocol):
    name: str

    async def start(self, context: ListenerContext) -> dict[str, Any]:
        """Start serving; return the keys to add to tenant.json (e.g. ``{"https_url": ...}``)."""
        ...

    async def stop(self) -> None: ...


def bind_socket(host: str, port: int, option: str) -> socket.socket:
    """A listening TCP socket (port 0: any free port), so the real port is known before serving;
    ``NetworkError`` naming the address and the ``serve`` option to change when it cannot listen."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=128)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).split(" (while attempting", 1)[0]
        if exc.errno is not None and (exc.errno < 0 or exc.errno == errno.EADDRNOTAVAIL):  # < 0: name lookup
            hint = "give --host an address of this machine, e.g. 127.0.0.1 or 0.0.0.0"
        else:
            hint = f"stop what uses it or pick another {option} (0: any free port)"
        raise NetworkError(f"Cannot listen on {url_host(host)}:{port}: {reason}; {hint}") from None


def url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class TenantServer:
    def __init__(
        self,
        config: TenantConfig,
        *,
        clock: Clock | None = None,
        secrets: SecretSource | None = None,
        listeners: Sequence[Listener] = (),
    ) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        self.secrets = secrets or SystemSecrets()
        self._extra_listeners = list(listeners)
        self._started: list[Listener] = []
        self._temporary: Path | None = None
        self._lock: int | None = None
        self._unsubscribe: Any = None
        self.service: TenantService
        self.info: TenantInfo
        self.client_trust = ClientTrust()

    @property
    def data_dir(self) -> Path:
        return self.info.data_dir

    async def __aenter__(self) -> TenantServer:
        data_dir = self.config.data_dir
        if data_dir is None:
            data_dir = self._temporary = Path(tempfile.mkdtemp(prefix="c8ylink-tenant-"))
        data_dir = data_dir.resolve()
        try:
            data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            if data_dir.stat().st_mode & 0o077:  # keys, the database, tenant.json: for its user only
                data_dir.chmod(0o700)
            self._lock = _lock_data_dir(data_dir)
            (data_dir / INFO_FILE).unlink(missing_ok=True)
        except OSError as exc:  # read-only, not ours: the tenant writes its state there
            raise access_error(exc.filename or data_dir, exc, "write to") from None
        try:
            await self._start(data_dir)
        except BaseException:
            await self._stop()
            raise
        return self

    async def _start(self, data_dir: Path) -> None:
        from c8ylink.tenant.housekeeping import HousekeepingListener
        from c8ylink.tenant.mqtt.listener import MqttListener
        from c8ylink.tenant.rest_listener import RestListener

        setup = TenantSetup(
            tenant_id=self.config.tenant_id,
            domain=self.config.domain,
            admin_password=self.config.admin_password,
            device_ca=self.config.device_ca,
        )
        self.service = TenantService.open(data_dir, setup, clock=self.clock, secrets=self.secrets)
        tls = ensure_server_tls(data_dir / "tls", self.config.hostnames, now=self.clock.now())
        for trusted in self.service.state.trust.all():
            self.client_trust.add(trusted.fingerprint, trusted.pem)
        self._unsubscribe = self.service.subscribe(self._on_signal)
        public_info: dict[str, Any] = {}
        context = ListenerContext(self.config, self.service, tls, self.client_trust, public_info)
        endpoints: dict[str, Any] = {}
        defaults: list[Listener] = [
            RestListener(),
            *([MqttListener()] if self.config.mqtt else []),
            HousekeepingListener(),
        ]
        for listener in [*defaults, *self._extra_listeners]:
            endpoints.update(await listener.start(context))
            self._started.append(listener)
        self.info = TenantInfo(
            tenant=self.service.state.tenant_id,
            domain=self.service.state.domain,
            https_url=endpoints.pop("https_url"),
            mtls_url=endpoints.pop("mtls_url"),
            ca_file=tls.ca_file.resolve(),
            admin=self.service.admin,
            bootstrap=self.service.bootstrap,
            data_dir=data_dir,
            extra=endpoints,
        )
        public_info.update(
            {key: value for key, value in self.info.to_json().items() if key not in ("admin", "bootstrap")}
        )
        write_atomic(data_dir / INFO_FILE, json.dumps(self.info.to_json(), indent=2) + "\n", mode=0o600)

    def _on_signal(self, signal: TenantEvent) -> None:
        if isinstance(signal, TrustedCertificateAdded):
            self.client_trust.add(signal.fingerprint, signal.pem)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self._stop()

    async def _stop(self) -> None:
        for listener in reversed(self._started):
            await listener.stop()
        self._started.clear()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        service = getattr(self, "service", None)
        if service is not None:
            service.close()
        info = getattr(self, "info", None)
        if info is not None:
            (info.data_dir / INFO_FILE).unlink(missing_ok=True)
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _lock_data_dir(data_dir: Path) -> int:
    """Hold ``DIR/tenant.lock`` while serving: two tenants on one data dir would corrupt each other's
    state and tenant.json. The lock goes with the process (also when it is killed)."""
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise C8yLinkError(
            f"The data dir {data_dir} is in use by another running tenant; "
            "stop that one or give this one another --data-dir"
        ) from None
    return fd


def load_tenant_info(data_dir: Path) -> dict[str, Any]:
    """The ``tenant.json`` of a running tenant (``FileNotFoundError`` while it is not up)."""
    return dict(json.loads((data_dir / INFO_FILE).read_text(encoding="utf-8")))


async def serve_until_stopped(
    config: TenantConfig, on_ready: Callable[[TenantInfo], None], *, listeners: Sequence[Listener] = ()
) -> None:
    """Run the tenant until SIGINT or SIGTERM, then stop cleanly (``on_ready`` sees the endpoints)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with TenantServer(config, listeners=listeners) as server:
            on_ready(server.info)
            await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
