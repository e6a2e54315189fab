"""Prompts in a real terminal (pexpect gives the CLI a pseudo-terminal): sessions create, the session
picker, the passphrase, the password, the TFA code, first-time TOTP setup with a QR code, the mode
prompt and the "Session Mode Mismatch" question of the mode gate (go-c8y-cli.md §1.5, §1.7, §3.3, §4.4,
§5.3). set-session runs through the bash helper, as a person would type it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pyotp
import pytest

from c8ylink.operator.sessions.secrets import decrypt_text
from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant

from .conftest import C8Y, PASSPHRASE, Run, add_user, create_session, read_session, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]
DOWN, ENTER = "\x1b[B", "\r"
TIMEOUT = 30


def _terminal(command: str, env: dict[str, str], cwd: Path) -> pexpect.spawn:
    """``command`` in bash on a pseudo-terminal, with the set-session helpers loaded."""
    rc = cwd / "helpers.bash"
    if not rc.exists():
        from c8ylink.operator.cli.profile import render_profile

        rc.write_text(render_profile("bash"))
    full_env = {
        **env,
        "PATH": f"{Path(sys.executable).parent}:{env['PATH']}",
        "TERM": "xterm",
        "NO_COLOR": "1",
    }
    return pexpect.spawn(
        "bash",
        ["--norc", "--noprofile", "-c", f"source {rc}; {command}"],
        env=full_env,
        cwd=str(cwd),
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 120),
    )


def _done(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus if child.exitstatus is not None else -1)


def test_create_prompts_for_everything(
    base_env: dict[str, str], tenant: BackgroundTenant, tmp_path: Path
) -> None:
    child = _terminal(f"{C8Y} sessions create", base_env, tmp_path)
    child.expect("Enter host")
    child.sendline(tenant.info.https_url)
    child.expect("Select login type")
    child.expect("OAUTH2_INTERNAL")
    assert "Use tenant default" in child.before and "^I" not in child.before  # a tab would show as ^I
    child.send(DOWN)  # auto -> BASIC
    child.send(ENTER)
    child.expect("Enter username")
    child.sendline("dora")
    child.expect("Enter c8y password")
    child.sendline("dora's pw")
    child.expect("Enter tenant id")
    child.sendline("")
    child.expect("Select mode")
    child.expect(r"ci \(no restrictions\)")
    assert "qual (delete disabled)" in child.before and "^I" not in child.before
    child.send(DOWN + DOWN)  # prod -> qual -> dev
    child.send(ENTER)
    child.expect(r"Allow insecure TLS")
    child.sendline("n")
    child.expect(r"Enter session name \[127.0.0.1-dora\]")
    child.sendline("")
    child.expect("Enter description")
    child.sendline("made by hand")
    child.expect(r"/\.cumulocity/127\.0\.0\.1-dora\.json")
    assert _done(child) == 0
    document = read_session(Path(base_env["HOME"]) / ".cumulocity" / "127.0.0.1-dora.json")
    assert (document["username"], document["description"]) == ("dora", "made by hand")
    # encrypted at once with C8Y_PASSPHRASE (issue 16: never in clear in the file)
    assert decrypt_text(document["password"], PASSPHRASE) == "dora's pw"
    assert document["password"].startswith("{encrypted}")
    assert document["settings"]["session"]["mode"] == "dev"
    assert document["settings"]["login"] == {"type": "BASIC"}


def test_picker_selects_among_sessions(
    c8y: C8y, base_env: dict[str, str], tenant: BackgroundTenant, tmp_path: Path
) -> None:
    for name in ("alpha", "beta"):
        assert (
            c8y(
                "sessions",
                "create",
                "--host",
                tenant.info.https_url,
                "--username",
                name,
                "--password",
                "p",
                "--name",
                name,
            ).code
            == 0
        )
    child = _terminal(f"{C8Y} sessions list", base_env, tmp_path)
    child.expect("Select a session")
    child.expect(r"#02 json beta")
    assert "#01 json alpha" in child.before  # the label alone: no path, no tab shown as ^I
    assert "^I" not in child.before and "alpha.json" not in child.before
    child.send(DOWN)
    child.send(ENTER)
    child.expect(r"\.cumulocity/beta\.json")
    assert _done(child) == 0


def _encrypted_session(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient) -> str:
    user, password = add_user(admin)
    name = unique("enc")
    create_session(c8y, tenant.info.https_url, user, password, name=name)
    assert c8y("sessions", "login", "--session", name).code == 0  # encrypts with C8Y_PASSPHRASE
    return name


def test_passphrase_prompt_through_set_session(
    c8y: C8y, base_env: dict[str, str], tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    name = _encrypted_session(c8y, tenant, admin)
    env = {k: v for k, v in base_env.items() if k != "C8Y_PASSPHRASE"}
    child = _terminal(f"set-session --session {name} --clear && echo TENANT=$C8Y_TENANT", env, tmp_path)
    child.expect(r"Session is encrypted, enter passphrase")
    child.sendline("test-passphrase-1")
    child.expect("✓ Passphrase OK")
    child.expect("TENANT=t100")
    assert _done(child) == 0
    wrong = _terminal(f"set-session --session {name} --clear", env, tmp_path)
    wrong.expect(r"enter passphrase")
    wrong.sendline("nope")
    wrong.expect(r"Attempt 2 of 2")
    wrong.sendline("nope again")
    wrong.expect("wrong passphrase: it does not open")
    wrong.expect("Set session failed")
    assert _done(wrong) == 1


def test_password_prompt_when_the_session_has_none(
    c8y: C8y, base_env: dict[str, str], tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    user, password = add_user(admin)
    name = unique("nopw")
    create_session(c8y, tenant.info.https_url, user, None, name=name)
    child = _terminal(f"set-session --session {name} && echo USER=$C8Y_USER", base_env, tmp_path)
    child.expect(rf"Enter c8y password for user \({user}\)")
    child.sendline("wrong-one")
    child.expect(rf"Re-enter c8y password for user \({user}\)")
    child.sendline(password)
    child.expect(f"USER={user}")
    assert _done(child) == 0
    assert read_session(Path(base_env["HOME"]) / ".cumulocity" / f"{name}.json")["password"].startswith(
        "{encrypted}"
    )


def test_tfa_code_prompt(
    c8y: C8y, base_env: dict[str, str], tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    user, password = add_user(admin)
    secret = admin.request("POST", f"/__local__/users/{user}/tfa", {"mode": "enable"})["secret"]
    name = unique("tfa")
    create_session(c8y, tenant.info.https_url, user, password, name=name)
    child = _terminal(
        f"set-session --session {name} && echo TYPE=$C8Y_SETTINGS_LOGIN_TYPE", base_env, tmp_path
    )
    child.expect("Enter Two-Factor code")
    child.sendline("123456")
    child.expect("wrong or expired two-factor code")
    child.expect("Enter Two-Factor code")
    child.sendline(pyotp.TOTP(secret).now())
    child.expect("TYPE=OAUTH2_INTERNAL")
    assert _done(child) == 0


def test_first_time_totp_setup_with_a_qr_code(
    c8y: C8y, base_env: dict[str, str], tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    user, password = add_user(admin)
    admin.request("POST", f"/__local__/users/{user}/tfa", {"mode": "require"})
    name = unique("totp")
    create_session(c8y, tenant.info.https_url, user, password, name=name)
    child = _terminal(f"set-session --session {name} && echo DONE=$C8Y_USER", base_env, tmp_path)
    child.expect("Scan this code with your app")
    child.expect("TOTP Secret: ([A-Z2-7]+)")
    secret = child.match.group(1)
    qr = child.before
    assert qr.count("█") + qr.count("▀") + qr.count("▄") > 100  # drawn with block characters
    child.expect("Enter Two-Factor code")
    child.sendline(pyotp.TOTP(secret).now())
    child.expect("✓ Two-factor authentication is set up")
    child.expect(f"DONE={user}")
    assert _done(child) == 0
    users = {u["username"]: u for u in admin.request("GET", "/__local__/users")["users"]}
    assert users[user]["tfaActive"] is True


def test_mode_prompt_on_activation(
    c8y: C8y, base_env: dict[str, str], tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    user, password = add_user(admin)
    name = unique("mode")
    assert (
        c8y(
            "sessions",
            "create",
            "--host",
            tenant.info.https_url,
            "--username",
            user,
            "--password",
            password,
            "--name",
            name,
            "--mode",
            "prod",
        ).code
        == 0
    )
    child = _terminal(
        f"set-session --session {name} --mode prompt && echo MODE=$C8Y_MODE", base_env, tmp_path
    )
    child.expect("Select session mode")
    child.send(DOWN + DOWN)
    child.send(ENTER)
    child.expect("MODE=dev")
    assert _done(child) == 0


GATE = """
import os, sys
from pathlib import Path
from c8ylink.infra.prompts import terminal_prompter
from c8ylink.operator.active import load_active_session, write_gate
from c8ylink.operator.environment import Surroundings
from c8ylink.operator.gate import CommandIntent
from c8ylink.infra.cli.run import run_cli
where = Surroundings(env=dict(os.environ), cwd=Path.cwd(), user_home=Path(os.environ["HOME"]),
                     prompter=terminal_prompter(), err=sys.stderr)
session = load_active_session(where, sys.argv[1])
gate = write_gate(session, where, force="--force" in sys.argv)
try:
    gate.check(CommandIntent("c8y inventory create", "POST", "Create managed object", "name=hello"))
except Exception as exc:
    sys.stderr.write(f"{type(exc).__name__}: {exc}\\n")
    sys.exit(getattr(exc, "exit_code", 1))
print("ALLOWED")
"""


def test_mode_mismatch_prompt_and_confirmation(
    c8y: C8y, base_env: dict[str, str], tenant: BackgroundTenant, tmp_path: Path
) -> None:
    name = unique("prod")
    assert (
        c8y(
            "sessions",
            "create",
            "--host",
            tenant.info.https_url,
            "--username",
            "u",
            "--password",
            "p",
            "--name",
            name,
            "--mode",
            "prod",
        ).code
        == 0
    )
    script = tmp_path / "gate.py"
    script.write_text(GATE)
    child = _terminal(f"{sys.executable} {script} {name}", base_env, tmp_path)
    child.expect("Session Mode Mismatch This command \\(c8y inventory create\\) is disabled in the session")
    child.expect(r"mode         : prod \(allowed commands: read\)")
    child.expect(r"c8y inventory create --sessionMode dev")
    child.expect(r"Confirm: run c8y inventory create anyway")
    child.sendline("y")
    child.expect(r"Create managed object on name=hello\? \[y\] Yes \[a\] Yes to All \[n\] No. Default is 'y'")
    child.sendline("")
    child.expect("ALLOWED")
    assert _done(child) == 0
    declined = _terminal(f"{sys.executable} {script} {name}", base_env, tmp_path)
    declined.expect("Confirm: run c8y inventory create anyway")
    declined.sendline("n")
    assert _done(declined) == 2
    piped = subprocess.run(
        [sys.executable, str(script), name],
        input="",
        capture_output=True,
        text=True,
        env=base_env,
        check=False,
    )
    assert piped.returncode == 101
    expected = (
        'create mode is disabled. create commands are disabled unless the mode is one of: ["dev" "qual" "ci"]'
    )
    assert expected in piped.stderr


def test_write_in_prod_with_piped_stdin_is_refused_even_on_a_terminal(
    c8y: C8y, base_env: dict[str, str], tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    """The mismatch question needs stdin itself to be a terminal: piped input gets the error, exit 101."""
    user, password = add_user(admin)
    path = create_session(c8y, tenant.info.https_url, user, password, mode="prod")
    child = _terminal(
        f"echo | C8Y_SESSION={path} {C8Y} inventory create --name piped-in-prod; echo rc=$?",
        base_env,
        tmp_path,
    )
    child.expect(r"rc=(\d+)")
    assert child.match.group(1) == "101"
    assert "create mode is disabled" in child.before and "Session Mode Mismatch" not in child.before
    assert _done(child) == 0


def test_no_at_a_batch_confirmation_stops_the_batch(
    c8y: C8y, base_env: dict[str, str], tenant: BackgroundTenant, admin: AdminClient, tmp_path: Path
) -> None:
    """Piped names, confirmations on the terminal (go-c8y-cli.md §5.4): `y` creates the first device,
    `n` aborts with exit code 2 and the third name is never sent."""
    user, password = add_user(admin)
    path = create_session(c8y, tenant.info.https_url, user, password, mode="dev")
    names = [unique("batch") for _ in range(3)]
    child = _terminal(
        f"printf '%s\\n' {' '.join(names)} | C8Y_SESSION={path} {C8Y} devices create --select name;"
        " echo rc=$?",
        base_env,
        tmp_path,
    )
    child.expect(rf"Create device on name={names[0]}\? \[y\] Yes \[a\] Yes to All \[n\] No")
    child.sendline("y")
    child.expect(rf"Create device on name={names[1]}\?")
    child.sendline("n")
    child.expect(r"rc=(\d+)")
    assert child.match.group(1) == "2"
    assert _done(child) == 0
    env = {"C8Y_SESSION": str(path)}
    listed = c8y("devices", "list", "--pageSize", "100", "--select", "name", "--output", "csv", env=env)
    created = set(listed.stdout.split())
    assert names[0] in created and names[1] not in created and names[2] not in created
