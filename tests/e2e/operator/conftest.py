"""`c8y` as a process against a local tenant on loopback (real HTTPS, real TLS trust via SSL_CERT_FILE).

``tenant``: one tenant for the module's tests (tests create uniquely named users); ``c8y(*args)`` runs
the console script with HOME in a temp dir, the tenant's CA trusted and ``C8Y_PASSPHRASE`` set unless
a test removes it; ``admin`` talks to the tenant's control API.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant
from c8ylink.tenant.server import TenantConfig

C8Y = str(Path(sys.executable).parent / "c8y")
PASSPHRASE = "test-passphrase-1"
_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def env_vars(self) -> dict[str, str]:
        """The variables a bash ``eval`` of stdout would set (only ``export NAME='value'`` lines)."""
        found: dict[str, str] = {}
        for line in self.stdout.splitlines():
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").partition("=")
                found[name] = value[1:-1].replace("'\\''", "'")
        return found


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundTenant]:
    config = TenantConfig.on_free_ports(tmp_path_factory.mktemp("tenant"))
    with BackgroundTenant(config) as running:
        yield running


@pytest.fixture(scope="module")
def admin(tenant: BackgroundTenant) -> AdminClient:
    return AdminClient.from_data_dir(tenant.info.data_dir)


@pytest.fixture
def home(isolation: Path) -> Path:
    return isolation


@pytest.fixture
def base_env(home: Path, tenant: BackgroundTenant) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HOME=str(home), SSL_CERT_FILE=str(tenant.info.ca_file), C8Y_PASSPHRASE=PASSPHRASE)
    return env


@pytest.fixture
def c8y(base_env: dict[str, str]) -> Callable[..., Run]:
    def run(*args: str, env: Mapping[str, str | None] | None = None, stdin: str = "") -> Run:
        full = dict(base_env)
        for key, value in (env or {}).items():
            if value is None:
                full.pop(key, None)
            else:
                full[key] = value
        done = subprocess.run(
            [C8Y, *args], env=full, input=stdin, capture_output=True, text=True, timeout=120, check=False
        )
        return Run(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def sessions(home: Path) -> Path:
    return home / ".cumulocity"


def read_session(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def create_session(
    c8y: Callable[..., Run],
    host: str,
    username: str,
    password: str | None,
    *extra: str,
    name: str | None = None,
    mode: str | None = "dev",
    env: Mapping[str, str | None] | None = None,
) -> Path:
    """`c8y sessions create` for ``username`` on ``host`` (mode dev unless told); returns the file."""
    args = ["sessions", "create", "--host", host, "--username", username]
    if password is not None:
        args += ["--password", password]
    args += ["--name", name or unique("s")]
    if mode is not None:
        args += ["--mode", mode]
    run = c8y(*args, *extra, env=env)
    assert run.code == 0, run.stderr
    return Path(run.stdout.strip())


def add_user(admin: AdminClient, *, password: str = "pass-word-1", role: str = "admin") -> tuple[str, str]:
    name = unique("user")
    admin.request("POST", "/__local__/users", {"username": name, "password": password, "roles": [role]})
    return name, password


@pytest.fixture(scope="module")
def start_strict_tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundTenant]:
    """A tenant that refuses Basic credentials without the ``<tenant>/`` prefix."""
    config = TenantConfig.on_free_ports(tmp_path_factory.mktemp("strict"), strict_basic=True)
    with BackgroundTenant(config) as running:
        yield running


@pytest.fixture(scope="module")
def rest_user(admin: AdminClient) -> tuple[str, str]:
    """A tenant admin for the REST command tests of one module."""
    return add_user(admin, role="admin")


def write_session(
    sessions: Path, name: str, tenant: BackgroundTenant, user: tuple[str, str], *, mode: str = "dev"
) -> Path:
    """A BASIC session file as a user writes one by hand (plain password; REST commands read it as is)."""
    sessions.mkdir(parents=True, exist_ok=True)
    path = sessions / f"{name}.json"
    document = {
        "host": tenant.info.https_url,
        "tenant": tenant.info.tenant,
        "username": user[0],
        "password": user[1],
        "loginType": "BASIC",
        "settings": {"session": {"mode": mode}},
    }
    path.write_text(json.dumps(document, indent=2))
    return path


@pytest.fixture
def rest(
    c8y: Callable[..., Run], sessions: Path, tenant: BackgroundTenant, rest_user: tuple[str, str]
) -> Callable[..., Run]:
    """``c8y`` with a dev-mode session of ``rest_user`` active (``C8Y_SESSION``), as after set-session."""
    path = write_session(sessions, "ops", tenant, rest_user)

    def run(*args: str, env: Mapping[str, str | None] | None = None, stdin: str = "") -> Run:
        return c8y(*args, env={"C8Y_SESSION": str(path), **(env or {})}, stdin=stdin)

    return run


Start = Callable[..., subprocess.Popen[str]]
STREAM_DEADLINE = 30.0


@pytest.fixture
def start(
    base_env: dict[str, str], sessions: Path, tenant: BackgroundTenant, rest_user: tuple[str, str]
) -> Iterator[Start]:
    """``start(*args)``: a long-running ``c8y`` (a subscription) in the background with the REST
    user's session; killed after the test if it is still running."""
    env = {**base_env, "C8Y_SESSION": str(write_session(sessions, "stream", tenant, rest_user))}
    started: list[subprocess.Popen[str]] = []

    def run(*args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [C8Y, *args], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


def wait_until(probe: Callable[[], bool], what: str, timeout: float = STREAM_DEADLINE) -> None:
    """Poll ``probe()`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def finish(process: subprocess.Popen[str]) -> tuple[int, list[Any], str]:
    """Wait for a started ``c8y``: its exit code, its stdout as JSON lines, its stderr."""
    stdout, stderr = process.communicate(timeout=STREAM_DEADLINE)
    return process.returncode, [json.loads(line) for line in stdout.splitlines() if line.strip()], stderr


# -- git, for extensions installed from a local repository --------------------------------------------------
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(folder: Path, *args: str) -> str:
    """Run git in ``folder`` as a fixed author (no system configuration); its output, stripped."""
    done = subprocess.run(
        ["git", *args], cwd=folder, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()
