"""The BROWSER login (authorization code + PKCE) in a real headless Chromium: the CLI opens the
authorization URL (through $BROWSER), the browser fills the tenant's SSO login page and lands on the
CLI's local callback (go-c8y-cli.md §4.6). Bad inputs: state mismatch, error callback, port in use."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant

from .chromium import BINARY, Chromium, spki_hash
from .conftest import C8Y, Run, unique

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(BINARY is None, reason="chromium is not installed: run scripts/bootstrap.sh browser"),
]
C8y = Callable[..., Run]
DEADLINE = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sso_user(admin: AdminClient) -> tuple[str, str]:
    name, password = unique("web"), "web-pass-1"
    admin.request("POST", "/__local__/sso/users", {"username": name, "password": password})
    return name, password


@pytest.fixture
def browser_env(base_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """$BROWSER records the URL the CLI opens (the test's browser then opens it, as a person would)."""
    opened = tmp_path / "opened-url"
    script = tmp_path / "record-url"
    script.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}.tmp && mv {opened}.tmp {opened}\n')
    script.chmod(0o755)
    yield {**base_env, "BROWSER": f"{script} %s"}, opened


def _wait_file(path: Path, process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if path.exists():
            return path.read_text()
        if process.poll() is not None:
            raise AssertionError(f"c8y exited early: {process.communicate()}")
        time.sleep(0.05)  # polling for the file $BROWSER writes; bounded by the deadline
    raise AssertionError("the CLI never opened a browser")


def _login(c8y: C8y, tenant: BackgroundTenant, env: dict[str, str], port: int) -> subprocess.Popen[str]:
    name = unique("browser")
    callback = f"http://127.0.0.1:{port}/callback"
    created = c8y(
        "sessions",
        "create",
        "--host",
        tenant.info.https_url,
        "--loginType",
        "BROWSER",
        "--browserCallback",
        callback,
        "--name",
        name,
        "--mode",
        "dev",
    )
    assert created.code == 0, created.stderr
    return subprocess.Popen(
        [C8Y, "sessions", "login", "--session", name],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _browser(tenant: BackgroundTenant, tmp_path: Path) -> Chromium:
    parts = urlsplit(tenant.info.https_url)
    return Chromium(tmp_path, trust_spki=[spki_hash(parts.hostname or "127.0.0.1", parts.port or 443)])


def _fill_login(browser: Chromium, user: tuple[str, str], button: str = "submit") -> None:
    browser.wait_for("document.getElementById('username') !== null")
    browser.run(f"document.getElementById('username').value = {user[0]!r}")
    browser.run(f"document.getElementById('password').value = {user[1]!r}")
    browser.run(f"document.getElementById('{button}').click()")


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, out, err


def test_browser_login_in_headless_chromium(
    c8y: C8y,
    tenant: BackgroundTenant,
    sso_user: tuple[str, str],
    browser_env: tuple[dict[str, str], Path],
    tmp_path: Path,
) -> None:
    env, opened = browser_env
    port = _free_port()
    process = _login(c8y, tenant, env, port)
    url = _wait_file(opened, process)
    assert "code_challenge_method=S256" in url and f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}" in url
    with _browser(tenant, tmp_path) as browser:
        browser.open(url)
        assert browser.run("document.title") == "Cumulocity SSO"
        _fill_login(browser, sso_user)
        browser.wait_for(f"location.href.startsWith('http://127.0.0.1:{port}/callback?code=')")
        browser.wait_for("document.body.innerText.includes('Login successful')")
    code, out, err = _finish(process)
    assert code == 0, err
    assert "✓ Session is using BROWSER" in err
    assert f"export C8Y_USER='{sso_user[0]}'" in out and "export C8Y_TOKEN='" in out


def test_wrong_sso_password_stays_on_the_login_page(
    c8y: C8y,
    tenant: BackgroundTenant,
    sso_user: tuple[str, str],
    browser_env: tuple[dict[str, str], Path],
    tmp_path: Path,
) -> None:
    env, opened = browser_env
    process = _login(c8y, tenant, env, _free_port())
    url = _wait_file(opened, process)
    with _browser(tenant, tmp_path) as browser:
        browser.open(url)
        _fill_login(browser, (sso_user[0], "wrong-password"))
        browser.wait_for("document.getElementById('error') !== null")
        assert browser.run("document.getElementById('error').innerText") == "Invalid username or password"
        _fill_login(browser, sso_user, button="cancel")  # then the user gives up: error callback
        browser.wait_for("document.body.innerText.includes('Login failed')")
    code, _, err = _finish(process)
    assert code == 1
    assert "SSO error: The user cancelled the login (access_denied)" in err


def test_state_mismatch_is_refused(
    c8y: C8y,
    tenant: BackgroundTenant,
    sso_user: tuple[str, str],
    browser_env: tuple[dict[str, str], Path],
    tmp_path: Path,
) -> None:
    env, opened = browser_env
    process = _login(c8y, tenant, env, _free_port())
    url = _wait_file(opened, process)
    forged = url.replace("state=", "state=forged", 1)
    with _browser(tenant, tmp_path) as browser:
        browser.open(forged)
        _fill_login(browser, sso_user)
        browser.wait_for("document.body.innerText.includes('the state does not match this login')")
    code, _, err = _finish(process)
    assert code == 1
    assert "the callback's state does not match this login" in err


def test_callback_port_in_use(
    c8y: C8y, tenant: BackgroundTenant, browser_env: tuple[dict[str, str], Path]
) -> None:
    env, _ = browser_env
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = _finish(_login(c8y, tenant, env, port))
    assert code == 1
    assert f"cannot listen for the SSO callback on 127.0.0.1:{port}" in err
    assert "choose another address with --browserCallback" in err
