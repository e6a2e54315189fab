"""The set-session helpers of `c8y cli install`, evaluated by the real shells (go-c8y-cli.md §1.6, §2.2).

A password with quotes, a backslash and ``$`` must arrive unchanged in the shell (upstream does not
escape). PowerShell (pwsh) is in neither Debian's nor PyPI's registries, so its helper and quoting are
checked as text only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from c8ylink.operator.cli.profile import BEGIN, render_profile
from c8ylink.operator.sessions.env import render_env
from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant

from .conftest import Run, add_user, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]
TRICKY = 'it\'s "quoted" \\ $HOME `x` é'

SCRIPTS = {
    "bash": ["bash", "--norc", "--noprofile", "-c"],
    "zsh": ["zsh", "-f", "-c"],
    "fish": ["fish", "--no-config", "-c"],
}
CHECK = {
    "bash": 'source "$1"; set-session --session "$2" --loginType BASIC 2>/dev/null || exit 9; '
    'printf "%s\\n" "$C8Y_PASSWORD" "$C8Y_TENANT" "$C8Y_MODE"; set-c8ymode qual; printf "%s\\n" "$C8Y_MODE"; '
    'clear-session; printf "[%s]\\n" "${C8Y_TENANT:-}"; '
    'set-session --session no-such-session 2>&1; echo "rc=$?"',
    "fish": "source $argv[1]; set-session --session $argv[2] --loginType BASIC 2>/dev/null; or exit 9; "
    'printf "%s\\n" "$C8Y_PASSWORD" "$C8Y_TENANT" "$C8Y_MODE"; set-c8ymode qual; printf "%s\\n" "$C8Y_MODE"; '
    'clear-session; printf "[%s]\\n" "$C8Y_TENANT"; '
    'set-session --session no-such-session 2>&1; echo "rc=$status"',
}
CHECK["zsh"] = CHECK["bash"]


def _session(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path) -> str:
    user, _ = add_user(admin, password=TRICKY)
    name = unique("shell")
    created = c8y(
        "sessions",
        "create",
        "--host",
        tenant.info.https_url,
        "--username",
        user,
        "--password",
        TRICKY,
        "--name",
        name,
        "--mode",
        "dev",
    )
    assert created.code == 0, created.stderr
    path = sessions / f"{name}.json"
    document = json.loads(path.read_text())
    document["settings"]["session"]["alwaysIncludePassword"] = True
    path.write_text(json.dumps(document))
    return name


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_set_session_in_the_real_shell(
    shell: str,
    c8y: C8y,
    tenant: BackgroundTenant,
    admin: AdminClient,
    sessions: Path,
    base_env: dict[str, str],
    tmp_path: Path,
) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed: run scripts/bootstrap.sh shells")
    name = _session(c8y, tenant, admin, sessions)
    rc = tmp_path / f"rc.{shell}"
    installed = c8y("cli", "install", "--shell", shell, "--file", str(rc))
    assert installed.code == 0, installed.stderr
    env = {**base_env, "PATH": f"{Path(sys.executable).parent}:{base_env['PATH']}"}
    zeroth = [] if shell == "fish" else ["helper"]  # fish -c has no $0: the arguments are $argv
    done = subprocess.run(
        [*SCRIPTS[shell], CHECK[shell], *zeroth, str(rc), name],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[:5] == [TRICKY, "t100", "dev", "qual", "[]"], done.stdout
    assert "Set session failed" in done.stdout and lines[-1] == "rc=1"
    assert "Enabled qual mode (temporarily)" in done.stderr


def test_install_is_idempotent_and_keeps_the_rest_of_the_file(c8y: C8y, tmp_path: Path) -> None:
    rc = tmp_path / ".bashrc"
    rc.write_text("export KEEP=1\n")
    assert c8y("cli", "install", "--shell", "bash", "--file", str(rc)).code == 0
    assert c8y("cli", "install", "--shell", "bash", "--file", str(rc)).code == 0
    text = rc.read_text()
    assert text.startswith("export KEEP=1\n") and text.count(BEGIN) == 1
    assert c8y("cli", "profile", "--shell", "bash").stdout == render_profile("bash")
    assert c8y("cli", "profile", "--shell", "tcsh").code == 2


def test_powershell_helper_and_quoting_as_text() -> None:
    """pwsh cannot be installed from the package registries here: the text is what it would run."""
    profile = render_profile("powershell")
    assert "$c8yenv = c8y sessions login --shell powershell @args" in profile
    assert "$c8yenv | Out-String | Invoke-Expression" in profile
    assert render_env({"C8Y_PASSWORD": TRICKY, "C8Y_TOKEN": ""}, "powershell") == (
        "$env:C8Y_PASSWORD = 'it''s \"quoted\" \\ $HOME `x` é'\n$env:C8Y_TOKEN = $null\n"
    )


# passwords an attacker (or a password generator) may choose: each must arrive byte for byte and run
# nothing ({pwned} is a file a command substitution would create)
HOSTILE = [
    "$(touch {pwned})",
    "`touch {pwned}`",
    'it\'s "q" \\ $HOME ${HOME} $((1+2)) %s',
    "line1\nline2\n",
    "a'; touch {pwned}; echo '",
    "\\'\\\"; exit 3 #",
]
LOAD = {  # run the login's output as a user does, then write the password as the shell sees it
    "bash": 'eval "$(cat "$1")" && printf "%s" "$C8Y_PASSWORD" > "$2"',
    "zsh": 'eval "$(cat "$1")" && printf "%s" "$C8Y_PASSWORD" > "$2"',
    # fish: `set -e` of an unset variable leaves status 4 for the rest of the script, so no `and`
    "fish": 'source $argv[1]; printf "%s" "$C8Y_PASSWORD" > $argv[2]',
}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_sessions_login_output_is_safe_to_eval_with_hostile_passwords(
    shell: str, c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path, tmp_path: Path
) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed: run scripts/bootstrap.sh shells")
    pwned = tmp_path / "pwned"
    for number, template in enumerate(HOSTILE):
        password = template.replace("{pwned}", str(pwned))
        user, _ = add_user(admin, password=password)
        name = unique("hostile")
        args = ["sessions", "create", "--host", tenant.info.https_url, "--username", user, "--name", name]
        created = c8y(*args, "--mode", "dev", env={"C8Y_PASSWORD": password})
        assert created.code == 0, created.stderr
        path = sessions / f"{name}.json"
        document = json.loads(path.read_text())
        document["settings"]["session"]["alwaysIncludePassword"] = True
        path.write_text(json.dumps(document))
        login = c8y("sessions", "login", "--session", name, "--loginType", "BASIC", "--shell", shell)
        assert login.code == 0, login.stderr
        script, seen = tmp_path / f"login-{number}.{shell}", tmp_path / f"seen-{number}"
        script.write_text(login.stdout)
        zeroth = [] if shell == "fish" else ["load"]
        done = subprocess.run(
            [*SCRIPTS[shell], LOAD[shell], *zeroth, str(script), str(seen)],
            capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, (password, done.stdout + done.stderr)
        assert seen.read_bytes() == password.encode(), (password, login.stdout)
        assert not pwned.exists(), (password, login.stdout)
