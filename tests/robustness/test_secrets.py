"""Secrets under careless or hostile use: ``c8y sessions create`` never writes a password in clear when
encryption is on, takes it from ``C8Y_PASSWORD`` (not argv), fails before writing without a passphrase;
a URL with credentials is masked in every error; the demo never puts the admin password or the
device's one-time password on a command line (what ``ps`` shows)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from tests.robustness.conftest import assert_clean_error, run_script, snapshot

from c8ylink.operator.cli.main import main as c8y_main

PASSWORD = "Sup3r-$ecret'\"pw\n2"
GENERATED_OTP = "Gen3rated-0tp-#8Zq"
HOST = "https://127.0.0.1:9"


def _create(home: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    argv = ["sessions", "create", "--host", HOST, "--username", "alice", "--name", "s", *args]
    return run_script("c8y", c8y_main, argv, {"HOME": str(home), **(env or {})})


def _stored(home: Path) -> dict[str, Any]:
    return dict(json.loads((home / ".cumulocity" / "s.json").read_text()))


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--password", PASSWORD], {"C8Y_PASSPHRASE": "pass-1"}),
        (["--password", PASSWORD, "--encrypt"], {"C8Y_PASSPHRASE": "pass-1"}),
        (
            ["--password", PASSWORD, "--encrypt"],
            {"C8Y_PASSPHRASE": "pass-1", "C8Y_SETTINGS_ENCRYPTION_ENABLED": "false"},
        ),
        ([], {"C8Y_PASSPHRASE": "pass-1", "C8Y_PASSWORD": PASSWORD}),
        (["--token", "eyJ.secret.token"], {"C8Y_PASSPHRASE": "pass-1"}),
    ],
    ids=["default", "--encrypt", "--encrypt over env", "C8Y_PASSWORD", "token"],
)
def test_sessions_create_encrypts_what_it_stores(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    result = _create(tmp_path, *args, env=env)
    assert result.exit_code == 0, result.stderr
    path = tmp_path / ".cumulocity" / "s.json"
    text = path.read_text()
    assert PASSWORD not in text and "secret.token" not in text
    stored = _stored(tmp_path)
    for name in ("password", "token"):
        assert stored.get(name, "{encrypted}").startswith("{encrypted}")
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / ".cumulocity").stat().st_mode & 0o777 == 0o700


def test_without_a_passphrase_nothing_is_written(tmp_path: Path) -> None:
    result = _create(tmp_path, "--password", PASSWORD)
    assert result.exit_code == 108
    assert_clean_error(result.stderr)
    assert "C8Y_PASSPHRASE" in result.stderr
    assert not (tmp_path / ".cumulocity" / "s.json").exists()


def test_encryption_switched_off_keeps_the_documented_plain_password(tmp_path: Path) -> None:
    result = _create(tmp_path, "--password", PASSWORD, env={"C8Y_SETTINGS_ENCRYPTION_ENABLED": "false"})
    assert result.exit_code == 0, result.stderr
    assert _stored(tmp_path)["password"] == PASSWORD


CREDENTIAL_HOSTS = [
    "https://admin:Hunter2-secret@127.0.0.1:9",
    "ftp://admin:Hunter2-secret@127.0.0.1",
    "https://admin:Hunter2-secret@127.0.0.1:99999",
    "https://admin:Hunter2-secret@127.0.0.1?x=1",
    "admin:Hunter2-secret@127.0.0.1",
]


@pytest.mark.parametrize("host", CREDENTIAL_HOSTS)
@pytest.mark.parametrize(
    "argv",
    [
        ["sessions", "create", "--username", "u", "--password", "p", "--host"],
        ["sessions", "login", "--from-env", "--shell", "bash", "--host"],
        ["devices", "list", "--host"],
    ],
    ids=["create", "login", "rest"],
)
def test_a_url_with_credentials_is_masked_in_errors(tmp_path: Path, host: str, argv: list[str]) -> None:
    env = {"HOME": str(tmp_path), "C8Y_HOST": host, "C8Y_SETTINGS_ENCRYPTION_ENABLED": "false"}
    before = snapshot(tmp_path)
    result = run_script("c8y", c8y_main, [*argv, host], env)
    assert result.exit_code != 0
    assert_clean_error(result.stderr)
    assert "Hunter2-secret" not in result.stderr + result.stdout
    assert {k: v for k, v in snapshot(tmp_path).items() if k in before} == before


class _RecordingShell:
    """Stands in for the demo's shell: records every argv and script, runs nothing."""

    def __init__(self) -> None:
        self.env: dict[str, str] = {}
        self.argvs: list[list[str]] = []
        self.scripts: list[str] = []

    def export(self, name: str, value: str, shown: str | None = None) -> None:
        self.env[name] = value

    def run(self, *args: Any, **_: Any) -> Any:
        argv = [getattr(arg, "value", str(arg)) for arg in args]
        self.argvs.append(argv)
        from c8ylink.demo.shell import Result

        if argv[:3] == ["c8y", "deviceregistration", "register-ca"]:  # c8y prints what it generated
            return Result(0, json.dumps({"id": "1", "password": GENERATED_OTP}) + "\n", "")
        return Result(0, "", "")

    def run_script(self, script: str, **_: Any) -> Any:
        self.scripts.append(script)
        from c8ylink.demo.shell import Result

        return Result(0, "C8Y_SESSION=demo\0C8Y_MODE=dev\0", "")


def test_the_demo_passes_the_admin_password_in_the_environment(tmp_path: Path) -> None:
    from c8ylink.demo.flow import DemoRun, Layout
    from c8ylink.demo.transcript import Transcript

    shell = _RecordingShell()
    run = DemoRun(shell, Layout(tmp_path), Transcript(io.StringIO()))  # type: ignore[arg-type]
    secret = "Admin-Password-Xyz-1"
    run.tenant = {
        "tenant": "t100",
        "domain": "localhost",
        "https_url": "https://127.0.0.1:1",
        "ca_file": str(tmp_path / "ca.pem"),
        "admin": {"username": "admin", "password": secret},
    }
    run.operator_session()
    assert shell.env["ADMIN_PASSWORD"] == secret
    assert all(secret not in arg for argv in shell.argvs for arg in argv)
    assert all(secret not in script for script in shell.scripts)
    assert any('C8Y_PASSWORD="$ADMIN_PASSWORD" c8y sessions create' in script for script in shell.scripts)


def test_the_demo_hands_the_one_time_password_on_in_the_environment(tmp_path: Path) -> None:
    """Registration and certificate download: the one-time password c8y generated reaches tedge in
    ``DEVICE_ONE_TIME_PASSWORD``, never in an argv or the transcript."""
    from c8ylink.demo.flow import DemoRun, Layout
    from c8ylink.demo.transcript import Transcript

    shell = _RecordingShell()
    transcript = io.StringIO()
    run = DemoRun(shell, Layout(tmp_path), Transcript(transcript))  # type: ignore[arg-type]
    urls = {"https_url": "https://127.0.0.1:1", "mtls_url": "https://127.0.0.1:2", "mqtt_tls": "127.0.0.1:3"}
    run.tenant = {"tenant": "t100", "domain": "localhost", "ca_file": str(tmp_path / "ca.pem"), **urls}
    run.register_device()
    run.device_certificate()
    assert shell.env["DEVICE_ONE_TIME_PASSWORD"] == GENERATED_OTP
    assert ["c8y", "deviceregistration", "register-ca", "--id", run.device_id, "--force"] in shell.argvs
    assert any(argv[:4] == ["tedge", "cert", "download", "c8y"] for argv in shell.argvs)
    assert all(GENERATED_OTP not in arg for argv in shell.argvs for arg in argv)
    assert all("--one-time-password" not in argv for argv in shell.argvs)
    assert GENERATED_OTP not in transcript.getvalue()
