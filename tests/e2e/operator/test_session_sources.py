"""Sessions from YAML files (read as JSON ones are) and from an external command
(``sessions login --from-cmd``), as processes against the local tenant; PyYAML is imported only when a
YAML file is read; a broken YAML file and a failing command are one-line user errors."""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant

from .conftest import Run, add_user

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def write_yaml(sessions: Path, name: str, tenant: BackgroundTenant, user: tuple[str, str]) -> Path:
    sessions.mkdir(parents=True, exist_ok=True)
    path = sessions / name
    path.write_text(
        f"# a hand-written session\nhost: {tenant.info.https_url}\ntenant: {tenant.info.tenant}\n"
        f"username: {user[0]}\npassword: '{user[1]}'\nsettings:\n  session:\n    mode: dev\n"
    )
    return path


def test_yaml_session_files_are_listed_and_used(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path
) -> None:
    user = add_user(admin)
    path = write_yaml(sessions, "yaml-one.yaml", tenant, user)
    write_yaml(sessions, "yaml-two.yml", tenant, user)
    listed = [json.loads(line) for line in c8y("sessions", "list").stdout.splitlines()]
    assert {(item["name"], item["username"]) for item in listed} >= {
        ("yaml-one", user[0]),
        ("yaml-two", user[0]),
    }
    run = c8y("currentuser", "get", "--select", "userName", env={"C8Y_SESSION": str(path)})
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout) == {"userName": user[0]}
    login = c8y("sessions", "login", "--session", str(path), "--shell", "bash")
    assert login.code == 0, login.stderr
    assert login.env_vars()["C8Y_USER"] == user[0]


def test_broken_yaml_is_a_user_error(c8y: C8y, sessions: Path) -> None:
    sessions.mkdir(parents=True, exist_ok=True)
    broken = sessions / "broken.yaml"
    broken.write_text("host: [unclosed\nusername: x\n")
    run = c8y("devices", "list", env={"C8Y_SESSION": str(broken)})
    assert run.code == 101, run.stderr
    assert "invalid YAML at line" in run.stderr and str(broken) in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_from_cmd_reads_json_or_dotenv_from_a_command(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    user, password = add_user(admin)
    provider = tmp_path / "provider.py"
    host = tenant.info.https_url
    as_json = json.dumps({"host": host, "username": user, "password": password, "mode": "qual"})
    dotenv = f"C8Y_HOST={host}\nC8Y_USER={user}\nC8Y_PASSWORD='{password}'"
    provider.write_text(f"import sys\nprint({dotenv!r} if '--dotenv' in sys.argv else {as_json!r})\n")
    provider.chmod(provider.stat().st_mode | stat.S_IXUSR)
    command = f"{sys.executable} {provider}"
    run = c8y("sessions", "login", "--from-cmd", command, "--shell", "bash", "--clear")
    assert run.code == 0, run.stderr
    exported = run.env_vars()
    assert (exported["C8Y_USER"], exported["C8Y_MODE"]) == (user, "qual")
    assert exported["C8Y_HOST"] == tenant.info.https_url
    dotenv = c8y("sessions", "login", "--from-cmd", f"{command} --dotenv", "--shell", "bash", "--mode", "dev")
    assert dotenv.code == 0, dotenv.stderr
    assert dotenv.env_vars()["C8Y_USER"] == user
    failing = c8y("sessions", "login", "--from-cmd", "false", "--shell", "bash")
    assert failing.code == 101 and "failed (exit code 1)" in failing.stderr
    empty = c8y("sessions", "login", "--from-cmd", f"{sys.executable} -c pass", "--shell", "bash")
    assert empty.code == 101 and "host is empty" in empty.stderr
