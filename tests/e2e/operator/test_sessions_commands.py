"""The other session commands as the user docs show them: list (piped), get, clone, clear, settings list
--select session.home, settings update mode, `c8y session login` and `eval "$(...)"` recipes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant

from .conftest import C8Y, Run, add_user, create_session, read_session, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def _active(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient) -> tuple[str, dict[str, str]]:
    user, password = add_user(admin)
    name = unique("act")
    create_session(c8y, tenant.info.https_url, user, password, name=name)
    run = c8y("sessions", "login", "--session", name)
    assert run.code == 0, run.stderr
    return name, run.env_vars()


def test_list_piped_is_json_lines(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path
) -> None:
    name, _ = _active(c8y, tenant, admin)
    run = c8y("sessions", "list")
    assert run.code == 0
    entries = [json.loads(line) for line in run.stdout.splitlines()]
    assert [e["name"] for e in entries] == [name]
    assert entries[0]["path"] == str(sessions / f"{name}.json") and entries[0]["mode"] == "dev"
    assert "password" not in entries[0] and "token" not in entries[0]


def test_get_shows_the_active_session_without_secrets(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    _, env = _active(c8y, tenant, admin)
    run = c8y("sessions", "get", env=env)
    assert run.code == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["tenant"] == "t100" and document["path"] == env["C8Y_SESSION"]
    assert document["password"] == "********" and document["token"] == "********"
    selected = c8y("sessions", "get", "--select", "host,tenant", "--output", "csv", env=env)
    assert selected.stdout == f"{tenant.info.https_url},t100\n"
    env_only = c8y("sessions", "get", env={"C8Y_HOST": tenant.info.https_url, "C8Y_TENANT": "t9"})
    assert json.loads(env_only.stdout)["sessionUri"] == "env://127.0.0.1"
    none = c8y("sessions", "get")
    assert none.code == 102 and "no session loaded: run set-session" in none.stderr


def test_clone_the_active_session_with_another_mode(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path
) -> None:
    name, env = _active(c8y, tenant, admin)
    run = c8y("sessions", "clone", "--newName", "customer-qual", "--type", "qual", env=env)
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == str(sessions / "customer-qual.json")
    original, copy = read_session(sessions / f"{name}.json"), read_session(sessions / "customer-qual.json")
    assert copy["password"] == original["password"] and copy["password"].startswith("{encrypted}")
    assert copy["settings"]["session"]["mode"] == "qual"
    again = c8y("sessions", "clone", "--newName", "customer-qual", env=env)
    assert again.code == 101 and "already exists" in again.stderr


def test_clear_unsets_everything(c8y: C8y) -> None:
    run = c8y("sessions", "clear")
    assert run.stdout.splitlines()[0] == "unset C8Y_BASEURL" and "unset C8Y_TOKEN" in run.stdout
    fish = c8y("sessions", "clear", "--shell", "fish")
    assert fish.stdout.splitlines()[0] == "set -e C8Y_BASEURL"


def test_settings_list_select_session_home(c8y: C8y, sessions: Path) -> None:
    csv = c8y("settings", "list", "--select", "session.home", "--output", "csv")
    assert csv.code == 0 and csv.stdout == f"{sessions}\n"
    table = c8y("settings", "list", "--select", "session.home", "--output", "table")
    assert table.stdout.splitlines()[0].startswith("| session.home")
    assert table.stdout.splitlines()[2] == f"| {sessions} |"
    custom = c8y(
        "settings", "list", "--select", "session.home", "-o", "csv", env={"C8Y_SESSION_HOME": "/tmp/x"}
    )
    assert custom.stdout == "/tmp/x\n"
    # JSON keeps the nesting (as every --select does); an alias is a top-level name
    nested = c8y("settings", "list", "--select", "session.home,on:encryption.enabled", "-o", "json")
    assert json.loads(nested.stdout) == {"session": {"home": str(sessions)}, "on": True}
    everything = json.loads(c8y("settings", "list").stdout)
    assert everything["encryption"]["enabled"] is True and everything["session"]["tokenValidFor"] == "8h"


def test_settings_update_mode(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path) -> None:
    name, env = _active(c8y, tenant, admin)
    run = c8y("settings", "update", "mode", "qual", env=env)
    assert run.code == 0, run.stderr
    assert read_session(sessions / f"{name}.json")["settings"]["session"]["mode"] == "qual"
    shell = c8y("settings", "update", "--shell", "bash", "mode", "prod", env=env)
    assert shell.stdout == "export C8Y_MODE='prod'\n"
    bad = c8y("settings", "update", "mode", "yolo", env=env)
    assert bad.code == 2 and "invalid mode 'yolo'" in bad.stderr
    unknown = c8y("settings", "update", "colour", "red", env=env)
    assert unknown.code == 2 and "unknown setting 'colour'" in unknown.stderr


def test_eval_recipes_from_the_user_docs(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, base_env: dict[str, str], sessions: Path
) -> None:
    name, _ = _active(c8y, tenant, admin)
    path = sessions / f"{name}.json"
    env = {**base_env, "PATH": f"{Path(sys.executable).parent}:{base_env['PATH']}"}
    script = (
        f'eval "$(c8y session login --session {name})" && echo "A=$C8Y_TENANT" && '
        f'eval "$( c8y sessions login --shell=auto --session "{path}" )" && echo "B=$C8Y_SESSION"'
    )
    done = subprocess.run(
        ["bash", "--norc", "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["A=t100", f"B={path}"]


def test_login_json_and_dotenv_formats(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient) -> None:
    name, _ = _active(c8y, tenant, admin)
    document = json.loads(c8y("sessions", "login", "--session", name, "--output-format", "json").stdout)
    assert document["tenant"] == "t100" and document["token"] and "password" not in document
    dotenv = c8y("sessions", "login", "--session", name, "--output-format", "dotenv").stdout
    assert "C8Y_TENANT=t100\n" in dotenv and "C8Y_PASSWORD" not in dotenv
    both = c8y("sessions", "login", "--session", name, "--output-format", "json", "--shell", "bash")
    assert both.code == 2 and "cannot be used together" in both.stderr


def test_login_without_a_name_picks_the_only_session_or_asks_for_one(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    none = c8y("sessions", "login")
    assert none.code == 101 and "no sessions found in" in none.stderr
    name, _ = _active(c8y, tenant, admin)
    only = c8y("sessions", "login")
    assert only.code == 0 and only.env_vars()["C8Y_SESSION"].endswith(f"{name}.json")
    _active(c8y, tenant, admin)
    several = c8y("sessions", "login")
    assert several.code == 101 and "2 sessions match: name one with --session NAME" in several.stderr
    filtered = c8y("sessions", "login", name)
    assert filtered.code == 0, filtered.stderr


def test_login_on_a_terminal_warns_and_hides_secrets(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, base_env: dict[str, str]
) -> None:
    import pexpect

    name, env = _active(c8y, tenant, admin)
    child = pexpect.spawn(
        C8Y,
        ["sessions", "login", "--session", name],
        env=base_env,
        encoding="utf-8",
        timeout=30,
    )
    output = child.read()
    child.close()
    assert "running 'c8y sessions login' directly does not change your shell" in output
    assert "Session is not active (see previous warning)" in output
    assert (
        "c8y cli install --shell bash|zsh|fish|powershell" in output
    )  # `c8y cli install` alone is a usage error
    assert "export C8Y_TOKEN='********'" in output and env["C8Y_TOKEN"] not in output


def test_ci_mode_is_detected_and_set_prints_json(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    name, _ = _active(c8y, tenant, admin)
    ci = c8y("sessions", "login", "--session", name, "--mode", "prod", env={"CI": "true"})
    assert ci.env_vars()["C8Y_MODE"] == "ci" and "mode         : ci (allowed commands:" in ci.stderr
    not_ci = c8y("sessions", "login", "--session", name, "--mode", "prod", env={"CI": "false"})
    assert not_ci.env_vars()["C8Y_MODE"] == "prod"
    document = json.loads(c8y("sessions", "set", "--session", name, "--output", "json").stdout)
    assert document["mode"] == "dev" and document["path"].endswith(f"{name}.json")


def test_cached_passphrase_and_hidden_banner(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path
) -> None:
    user, password = add_user(admin)
    created = c8y(
        "sessions",
        "create",
        "--host",
        tenant.info.https_url,
        "--username",
        user,
        "--password",
        password,
        "--name",
        "cached",
        "--mode",
        "dev",
        "--encrypt",
    )
    assert created.code == 0
    path = sessions / "cached.json"
    document = read_session(path)
    document["settings"]["session"]["hide"] = True
    path.write_text(json.dumps(document))
    run = c8y("sessions", "login", "--session", "cached")
    assert run.code == 0, run.stderr
    exported = run.env_vars()
    assert exported["C8Y_PASSPHRASE"] == "test-passphrase-1"
    assert exported["C8Y_PASSPHRASE_TEXT"].startswith("{encrypted}")
    assert "Cumulocity Session (sensitive info is hidden)" in run.stderr
    assert "username     : {username}" in run.stderr and user not in run.stderr
    again = c8y(
        "sessions",
        "login",
        "--session",
        "cached",
        "--clear",
        env={"C8Y_PASSPHRASE": None, "C8Y_PASSPHRASE_TEXT": exported["C8Y_PASSPHRASE_TEXT"]},
    )
    assert again.code == 108  # the reference text alone is not the passphrase: no terminal to ask on


@pytest.mark.parametrize(
    "command",
    [("sessions", "clone", "--newName", "copy"), ("settings", "update", "mode", "dev")],
    ids=["sessions-clone", "settings-update"],
)
def test_commands_on_the_session_file_without_a_session_exit_102(c8y: C8y, command: tuple[str, ...]) -> None:
    run = c8y(*command)
    assert run.code == 102, run.stderr
    assert "run set-session" in run.stderr
