"""The onboarding flow of the two user docs, step by step, on a fresh local tenant.

Each step is a method of ``DemoRun`` that runs commands through ``Shell`` (shown as typed, output
streamed) and ends with ``✓ <what it achieved>``, or raises ``StepError`` with the reason (the
command-line then prints ``✗ <reason>`` and exits non-zero). ``STEPS`` is the order; the benchmark
(``bench/demo.py``) times each step from the ``TIMING`` lines the demo prints with ``--timings``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shlex
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from c8ylink.demo.shell import Background, Secret, Shell, StepError, parse_env_dump
from c8ylink.demo.transcript import Transcript
from c8ylink.infra.files import write_atomic

DEVICE_ID = "demo-device-01"
SESSION = "demo"
WAIT = 30.0  # seconds a step waits for something to arrive (a measurement, an operation's end)


@dataclass
class Layout:
    """Every file of the demo lives under the work dir."""

    root: Path

    @property
    def tenant(self) -> Path:
        return self.root / "tenant"

    @property
    def tedge(self) -> Path:
        return self.root / "etc-tedge"

    @property
    def sessions(self) -> Path:
        return self.root / "cumulocity"

    @property
    def services(self) -> Path:
        return self.root / "services"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def ca_copy(self) -> Path:
        return self.root / "tenant-ca.pem"

    @property
    def passphrase(self) -> Path:
        return self.root / "session-passphrase"


@dataclass
class DemoRun:
    shell: Shell
    layout: Layout
    transcript: Transcript
    device_id: str = DEVICE_ID
    tenant: dict[str, Any] = field(default_factory=dict)
    tenant_process: Background | None = None
    keep: bool = False  # --keep: the device stays connected, everything keeps running
    supervisord_running: bool = False
    connected: bool = False

    # ---- 1. the local tenant -------------------------------------------------------------------
    def start_tenant(self) -> str:
        data = self.layout.tenant
        self.tenant_process = self.shell.start(
            "c8ylink", "tenant", "serve", "--data-dir", data,
            "--https-port", "0", "--mtls-port", "0", "--mqtt-tls-port", "0", "--mqtt-port", "0",
            log=self.layout.logs / "tenant.log",
        )  # fmt: skip
        info_file = data / "tenant.json"
        deadline = time.monotonic() + WAIT
        while not info_file.exists():
            if not self.tenant_process.running():
                raise StepError(f"the tenant stopped: {self.tenant_process.tail(3)}")
            if time.monotonic() > deadline:
                raise StepError(f"the tenant did not write {info_file} within {WAIT:.0f} s")
            time.sleep(0.05)
        self.tenant = json.loads(info_file.read_text(encoding="utf-8"))
        self.transcript.note(f"the tenant wrote its endpoints and credentials to {info_file}")
        endpoints = (("REST", "https_url"), ("REST, mutual TLS", "mtls_url"), ("MQTT, TLS", "mqtt_tls"))
        for label, key in endpoints:
            self.transcript.output(f"  {label + ':':18} {self.tenant[key]}")
        self.transcript.output(f"  {'CA to trust:':18} {self.tenant['ca_file']}")
        return f"local tenant {self.tenant['tenant']} is up"

    # ---- 2. the operator's session -------------------------------------------------------------
    def operator_session(self) -> str:
        shell, tenant = self.shell, self.tenant
        shell.export("C8Y_SESSION_HOME", str(self.layout.sessions))
        shell.export("SSL_CERT_FILE", tenant["ca_file"])
        self.transcript.note("the admin password of the new tenant (from tenant.json)")
        shell.export("ADMIN_PASSWORD", tenant["admin"]["password"], shown="'********'")
        self.transcript.note(f"the passphrase of the session's secrets (kept in {self.layout.passphrase})")
        passphrase = secrets.token_urlsafe(16)
        write_atomic(self.layout.passphrase, passphrase + "\n", mode=0o600)
        shell.export("C8Y_PASSPHRASE", passphrase, shown=f'"$(cat {self.layout.passphrase})"')
        create = (  # the password reaches c8y in its environment, never on a command line (`ps`)
            f'C8Y_PASSWORD="$ADMIN_PASSWORD" c8y sessions create --host {shlex.quote(self.https_base())} '
            f"--tenant {shlex.quote(tenant['tenant'])} --username {shlex.quote(tenant['admin']['username'])} "
            f"--mode dev --name {SESSION}"
        )
        shell.run_script(create, shown=create)
        login = f'eval "$(c8y sessions login --session {SESSION})"'
        result = self.shell.run_script(f"{login} && env -0", shown=login, show_output=False)
        activated = parse_env_dump(result.stdout)
        for name in ("C8Y_SESSION", "C8Y_HOST", "C8Y_TENANT", "C8Y_USER", "C8Y_TOKEN", "C8Y_MODE"):
            if activated.get(name):
                self.shell.env[name] = activated[name]
            else:
                self.shell.env.pop(name, None)
        if not activated.get("C8Y_SESSION"):
            raise StepError("c8y sessions login did not activate the session")
        return f"session {SESSION} is active (mode {activated.get('C8Y_MODE', '?')})"

    # ---- 3. register the device (Cumulocity certificate authority) ----------------------------
    def register_device(self) -> str:
        """c8y generates the one-time password (never on a command line, where `ps` shows it) and
        prints it; the demo keeps it out of the transcript and hands it on in the environment."""
        self.shell.export("DEVICE_ID", self.device_id)
        self.transcript.note("--force: no confirmation prompt (this demo runs without a terminal)")
        self.transcript.note("c8y generates the one-time password and prints it (not shown here)")
        result = self.shell.run(
            "c8y", "deviceregistration", "register-ca", "--id", Secret(self.device_id, '"$DEVICE_ID"'),
            "--force", show_output=False,
        )  # fmt: skip
        otp = _registered_password(result.stdout)
        self.shell.export("DEVICE_ONE_TIME_PASSWORD", otp, shown="'********'")
        return f"{self.device_id} is registered with a one-time password"

    # ---- 4. the device gets its certificate -----------------------------------------------------
    def device_certificate(self) -> str:
        shell, tenant = self.shell, self.tenant
        shell.export("TEDGE_CONFIG_DIR", str(self.layout.tedge))
        domain = tenant["domain"]
        self.transcript.note("mosquitto reads the CA as its own user: a copy outside the tenant's data dir")
        shell.run("cp", tenant["ca_file"], self.layout.ca_copy)
        settings = [
            ("c8y.url", domain),
            ("c8y.http", f"{domain}:{_port(tenant['https_url'])}"),
            ("c8y.mqtt", f"{domain}:{_port(tenant['mqtt_tls'])}"),
            ("c8y.mtls", f"{domain}:{_port(tenant['mtls_url'])}"),
            ("c8y.root_cert_path", str(self.layout.ca_copy)),
            ("mqtt.bind.port", str(free_port())),
            ("c8y.proxy.bind.port", str(free_port())),
            ("http.bind.port", str(free_port())),
        ]
        self.transcript.note("the tenant's ports, and free local ports for the device's services")
        for key, value in settings:
            shell.run("tedge", "config", "set", key, value)
        self.transcript.note("tedge reads the one-time password from $DEVICE_ONE_TIME_PASSWORD")
        shell.run("tedge", "cert", "download", "c8y", "--device-id", Secret(self.device_id, '"$DEVICE_ID"'))
        return "the device holds a certificate issued by the tenant's CA"

    # ---- 5. connect ----------------------------------------------------------------------------
    def connect(self) -> str:
        services, shell = self.layout.services, self.shell
        conf = services / "supervisord.conf"
        shell.run("c8ylink", "services", "supervisord", "--dir", services, "--config-dir", self.layout.tedge)
        self.transcript.note("this demo must not reboot the machine: a 'reboot' restarts tedge-agent instead")
        run_dir = self.layout.root / "run"
        shell.run("mkdir", "-p", run_dir)
        self.transcript.note("the demo keeps what the device writes in its own folder, not in /run or /var")
        shell.run("tedge", "config", "set", "run.path", run_dir)
        shell.run("tedge", "config", "set", "data.path", self.layout.root / "data")
        shell.run("tedge", "config", "set", "logs.path", self.layout.logs / "tedge")
        reboot = (
            f"rm -f {run_dir}/tedge_agent_restart; "
            f"exec {shell.program('supervisorctl')} -c {conf} restart tedge-agent"
        )
        system = self.layout.tedge / "system.toml"
        table = f"\n[system]\nreboot = {json.dumps(['sh', '-c', reboot])}\n"
        shell.run_script(
            f"cat >> {shlex.quote(str(system))} <<'EOF'\n{table}EOF\n",
            shown=f"cat >> {shlex.quote(str(system))} <<'EOF'{table}EOF",
        )
        shell.run("supervisord", "-c", conf)
        self.supervisord_running = True
        self.shell.run("tedge", "connect", "c8y")
        self.connected = True
        return "the device is connected: bridge, mapper and agent run under supervisord"

    # ---- 6. telemetry ----------------------------------------------------------------------------
    def telemetry(self) -> str:
        run = self.shell.run
        self.transcript.note(
            "the mapper subscribes to the device's topics once it is up: wait for its health"
        )
        self.wait_for(
            (
                "tedge",
                "mqtt",
                "sub",
                "te/device/main/service/tedge-mapper-c8y/status/health",
                "-C",
                "1",
                "-W",
                "2s",
            ),
            lambda out: '"up"' in out,
            what="the mapper",
        )
        run("tedge", "mqtt", "pub", "te/device/main///m/environment", '{"temperature": 21.3}')
        run("tedge", "mqtt", "pub", "te/device/main///e/login_event", '{"text": "A user just logged in"}')
        run(
            "tedge", "mqtt", "pub", "--retain", "te/device/main///a/temperature_high",
            '{"severity": "major", "text": "Temperature is high"}',
        )  # fmt: skip
        return "a measurement, an event and an alarm are published on the device"

    # ---- 7. the operator sees them and restarts the device -------------------------------------
    def operator_checks(self) -> str:
        self.transcript.note("--select and --output table keep the answers short (a terminal gets tables)")
        device = self.device_id
        self.shell.run("c8y", "devices", "list", "--select", "id,name,type,owner,c8y_Connection.status",
                       "--output", "table")  # fmt: skip
        self.wait_for(
            ("c8y", "measurements", "list", "--device", device, "--select",
             "time,type,temperature.temperature.value", "--output", "table"),
            lambda out: "21.3" in out,
            what="the measurement",
        )  # fmt: skip
        for kind, columns, text in (("events", "time,type,text", "logged in"),
                                    ("alarms", "time,severity,type,text,count", "high")):  # fmt: skip
            self.wait_for(
                ("c8y", kind, "list", "--device", device, "--select", columns, "--output", "table"),
                lambda out, text=text: text in out,  # type: ignore[misc]
                what=f"the {kind[:-1]}",
            )
        created = self.shell.run(
            "c8y", "operations", "create", "--device", self.device_id, "--description", "Restart device",
            "--data", "c8y_Restart={}", "--select", "id,status,description", "--force",
        )  # fmt: skip
        operation_id = str(json.loads(created.stdout.strip().splitlines()[-1])["id"])
        self.wait_for(
            ("c8y", "operations", "get", "--id", operation_id, "--select", "id,status,failureReason"),
            lambda out: '"SUCCESSFUL"' in out,
            what="the restart to complete",
            failed=lambda out: '"FAILED"' in out,
        )
        return "the operator sees the device and its measurement; the restart operation is SUCCESSFUL"

    def wait_for(
        self,
        argv: tuple[str, ...],
        done: Callable[[str], bool],
        *,
        what: str,
        failed: Callable[[str], bool] | None = None,
    ) -> str:
        """Run ``argv`` (quietly) until ``done(stdout)``, then show it once; fail after ``WAIT`` s."""
        deadline = time.monotonic() + WAIT
        started = time.monotonic()
        while True:
            result = self.shell.run(*argv, show_output=False, quiet=True)
            if done(result.stdout) or (failed is not None and failed(result.stdout)):
                break
            if time.monotonic() > deadline:
                raise StepError(f"{what} did not arrive within {WAIT:.0f} s")
            time.sleep(0.2)
        self.shell.transcript.command(" ".join(argv))
        self.shell.transcript.output(result.stdout)
        if failed is not None and failed(result.stdout):
            raise StepError(f"{what}: the operation failed")
        self.transcript.note(f"(waited {time.monotonic() - started:.1f} s for {what})")
        return result.stdout

    # ---- 8. disconnect ---------------------------------------------------------------------------
    def disconnect(self) -> str:
        if self.keep:
            self.transcript.note(
                "--keep: the device stays connected (`tedge disconnect c8y` when you are done)"
            )
            return "the device stays connected"
        self.shell.run("tedge", "disconnect", "c8y")
        self.connected = False
        return "the bridge is removed and the mapper stopped"

    def https_base(self) -> str:
        return f"https://{self.tenant['domain']}:{_port(self.tenant['https_url'])}"

    def stop_services(self) -> None:
        """Stop supervisord (mosquitto, mapper, agent) and the tenant; safe to call more than once."""
        if self.supervisord_running:
            services = self.layout.services
            pid = _read_pid(services / "supervisord.pid")
            with contextlib.suppress(StepError):
                self.shell.run("supervisorctl", "-c", services / "supervisord.conf", "shutdown", expect=None)
            if pid is not None:
                _wait_for_exit(pid, WAIT)  # shutdown returns before supervisord has stopped its programs
            self.supervisord_running = False
        self.shell.stop_all()


STEPS: tuple[tuple[str, Callable[[DemoRun], str]], ...] = (
    ("Start the local tenant", DemoRun.start_tenant),
    ("Operator: create and activate a session", DemoRun.operator_session),
    ("Operator: register the device with a one-time password", DemoRun.register_device),
    ("Device: point tedge at the tenant and download its certificate", DemoRun.device_certificate),
    ("Device: connect to Cumulocity", DemoRun.connect),
    ("Device: publish a measurement, an event and an alarm", DemoRun.telemetry),
    ("Operator: see the device and its data, restart it", DemoRun.operator_checks),
    ("Device: disconnect", DemoRun.disconnect),
)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _wait_for_exit(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            return  # not ours any more
        time.sleep(0.05)


def _port(endpoint: str) -> int:
    return int(endpoint.rstrip("/").rsplit(":", 1)[1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _registered_password(stdout: str) -> str:
    """The one-time password in what `c8y deviceregistration register-ca` printed (JSON lines)."""
    for line in stdout.splitlines():
        with contextlib.suppress(ValueError):
            item = json.loads(line)
            password = item.get("password") if isinstance(item, dict) else None
            if isinstance(password, str):
                return password
    raise StepError("c8y deviceregistration register-ca printed no one-time password")
