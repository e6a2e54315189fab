"""``c8ylink tenant`` as a user runs it: ``serve`` in a process, admin subcommands in others."""

from __future__ import annotations

import json
import os
import queue
import signal
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pyotp
import pytest

pytestmark = pytest.mark.e2e
C8YLINK = [sys.executable, "-c", "from c8ylink.cli.root import main; main()"]
DEADLINE = 60


class Serving:
    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.process = subprocess.Popen(
            [
                *C8YLINK,
                "tenant",
                "serve",
                "--data-dir",
                str(data_dir),
                "--https-port",
                "0",
                "--mtls-port",
                "0",
                "--mqtt-tls-port",
                "0",
                "--mqtt-port",
                "0",
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()

    def _pump(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put("")

    def wait_for(self, text: str) -> None:
        while True:
            line = self.lines.get(timeout=DEADLINE)
            if text in line:
                return
            assert line, f"the tenant exited before printing {text!r}:\n{''.join(self.output)}"

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        code = self.process.wait(timeout=DEADLINE)
        self.close()
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=DEADLINE)
        self._pump_thread.join(timeout=DEADLINE)
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[Serving]:
    running = Serving(tmp_path / "tenant")
    running.wait_for("Press Ctrl-C to stop.")
    yield running
    running.close()


def admin(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "C8YLINK_TENANT_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [*C8YLINK, "tenant", *args], capture_output=True, text=True, env=env, timeout=DEADLINE, check=False
    )


def test_serve_prints_endpoints_writes_tenant_json_and_stops_on_sigterm(serving: Serving) -> None:
    info = json.loads((serving.data_dir / "tenant.json").read_text())
    printed = "".join(serving.output)
    assert info["https_url"] in printed and info["mtls_url"] in printed and info["ca_file"] in printed
    assert info["admin"]["password"] in printed
    assert Path(info["ca_file"]).is_absolute()
    with httpx2.Client(verify=ssl.create_default_context(cafile=info["ca_file"])) as client:
        answer = client.get(
            f"{info['https_url']}/tenant/currentTenant",
            auth=(f"{info['tenant']}/{info['admin']['username']}", info["admin"]["password"]),
        )
        assert answer.json()["name"] == "t100"
    assert serving.stop(signal.SIGTERM) == 0
    assert not (serving.data_dir / "tenant.json").exists()
    assert "Tenant stopped." in "".join(serving.output)


def test_ctrl_c_stops_cleanly_and_a_restart_keeps_the_tenant(serving: Serving) -> None:
    before = json.loads((serving.data_dir / "tenant.json").read_text())
    assert serving.stop(signal.SIGINT) == 0
    again = Serving(serving.data_dir)
    try:
        again.wait_for("Press Ctrl-C to stop.")
        after = json.loads((serving.data_dir / "tenant.json").read_text())
        assert after["admin"] == before["admin"] and after["ca_file"] == before["ca_file"]
    finally:
        assert again.stop(signal.SIGTERM) == 0


def test_admin_subcommands(serving: Serving) -> None:
    data_dir = serving.data_dir
    added = admin(data_dir, "users", "add", "operator", "--role", "user")
    assert added.returncode == 0, added.stderr
    password = json.loads(added.stdout)["password"]
    tfa = admin(data_dir, "users", "enable-tfa", "operator")
    secret = json.loads(tfa.stdout)["secret"]
    info = json.loads((data_dir / "tenant.json").read_text())
    with httpx2.Client(
        verify=ssl.create_default_context(cafile=info["ca_file"]), base_url=info["https_url"]
    ) as client:
        code = pyotp.TOTP(secret).now()
        assert (
            client.get(
                "/user/currentUser", auth=("t100/operator", password), headers={"tfatoken": code}
            ).status_code
            == 200
        )
    assert json.loads(admin(data_dir, "users", "list").stdout)["users"]
    assert (
        admin(
            data_dir, "faults", "inject", "--status", "503", "--count", "1", "--path", "/inventory"
        ).returncode
        == 0
    )
    assert json.loads(admin(data_dir, "faults", "list").stdout)["faults"][0]["status"] == 503
    assert admin(data_dir, "faults", "clear").returncode == 0
    assert json.loads(admin(data_dir, "registrations", "list").stdout) == {"registrations": []}
    described = json.loads(admin(data_dir, "info").stdout)
    assert described["https_url"] == info["https_url"] and "admin" not in described
    duplicate = admin(data_dir, "users", "add", "operator")
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr


def test_admin_commands_without_a_running_tenant_explain_themselves(tmp_path: Path) -> None:
    result = admin(tmp_path, "users", "list")
    assert result.returncode == 1
    assert "No tenant is running" in result.stderr


def test_sso_user_subcommands(serving: Serving) -> None:
    data_dir = serving.data_dir
    added = admin(data_dir, "sso", "users", "add", "carol", "--password", "carol-pass1", "--role", "admin")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"username": "carol", "roles": ["admin"]}
    assert json.loads(admin(data_dir, "sso", "users", "list").stdout)["users"] == [
        {"username": "carol", "roles": ["admin"]}
    ]
    short = admin(data_dir, "sso", "users", "add", "dave", "--password", "x")
    assert short.returncode == 1 and "at least 6 characters" in short.stderr
    assert admin(data_dir, "sso", "users", "remove", "carol").returncode == 0
    assert json.loads(admin(data_dir, "sso", "users", "list").stdout)["users"] == []


def serve_once(data_dir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``tenant serve`` that is expected to stop on its own (it refuses to start)."""
    ports = {"--https-port": "0", "--mtls-port": "0", "--mqtt-tls-port": "0", "--mqtt-port": "0"}
    for name, value in zip(options[::2], options[1::2], strict=True):
        ports[name] = value
    args = [arg for pair in ports.items() for arg in pair]
    return subprocess.run(
        [*C8YLINK, "tenant", "serve", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=DEADLINE, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("option", ["--https-port", "--mtls-port", "--mqtt-tls-port", "--mqtt-port"])
def test_a_port_in_use_is_one_line_naming_the_option(serving: Serving, tmp_path: Path, option: str) -> None:
    info = json.loads((serving.data_dir / "tenant.json").read_text())
    taken = info["https_url"].rsplit(":", 1)[1]
    result = serve_once(tmp_path / "other", option, taken)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: Cannot listen on 127.0.0.1:{taken}: Address already in use; "
        f"stop what uses it or pick another {option} (0: any free port)\n"
    )


def test_an_address_that_is_not_this_machines_is_one_line(tmp_path: Path) -> None:
    result = serve_once(tmp_path / "t", "--host", "192.0.2.1")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Cannot listen on 192.0.2.1:0: Cannot assign requested address;")
    assert "give --host an address of this machine" in result.stderr and "Traceback" not in result.stderr


def test_a_second_tenant_on_the_same_data_dir_is_refused(serving: Serving) -> None:
    before = (serving.data_dir / "tenant.json").read_text()
    result = serve_once(serving.data_dir)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: The data dir {serving.data_dir} is in use by another running tenant; "
        "stop that one or give this one another --data-dir\n"
    )
    assert (serving.data_dir / "tenant.json").read_text() == before  # the running tenant keeps its file


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--domain", "https://t100.example.com", "'https://t100.example.com' is not a host name"),
        ("--domain", "my tenant", "'my tenant' is not a host name"),
        ("--hostname", "edge.local:8443", "'edge.local:8443' is not a host name"),
        ("--tenant-id", "t100/admin", "'t100/admin' is not a tenant id"),
        ("--admin-password", "short", "a password has at least 6 characters"),
    ],
)
def test_names_that_cannot_work_are_refused_before_anything_starts(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    result = serve_once(tmp_path / "t", option, value)
    assert result.returncode == 2
    assert f"Error: Invalid value for '{option}': {message}" in result.stderr
    assert not (tmp_path / "t").exists()
