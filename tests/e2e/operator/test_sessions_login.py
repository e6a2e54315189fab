"""Sessions against the local tenant: create, BASIC and OAUTH2_INTERNAL login, token reuse and
revocation, encryption on activation, and the bad inputs of the issue (go-c8y-cli.md §1, §3, §4)."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from c8ylink.core.jwt import decode_jwt_claims
from c8ylink.operator.sessions.secrets import decrypt_text
from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant

from .conftest import PASSPHRASE, Run, add_user, create_session, read_session

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def _create(c8y: C8y, tenant: BackgroundTenant, user: str, password: str, *extra: str) -> Path:
    return create_session(c8y, tenant.info.https_url, user, password, *extra)


def test_create_writes_the_upstream_file_format(c8y: C8y, tenant: BackgroundTenant, sessions: Path) -> None:
    path = _create(c8y, tenant, "alice", "s3cret")
    assert path.parent == sessions and path.suffix == ".json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = read_session(path)
    assert document["$schema"].endswith("/tools/schema/session.schema.json")
    assert document["host"] == tenant.info.https_url
    assert (document["username"], document["useTenantPrefix"]) == ("alice", True)
    # encryption is on by default: the password is never written in clear (issue 16)
    assert document["password"].startswith("{encrypted}") and "s3cret" not in path.read_text()
    assert decrypt_text(document["password"], PASSPHRASE) == "s3cret"
    assert document["settings"]["session"] == {"mode": "dev", "confirmation": "PUT POST DELETE"}
    assert document["settings"]["activityLog"] == {"enabled": True}


def test_create_without_scheme_gets_https_and_refuses_bad_hosts(c8y: C8y, tenant: BackgroundTenant) -> None:
    host = tenant.info.https_url.removeprefix("https://")
    run = c8y("sessions", "create", "--host", host + "/", "--username", "u", "--password", "p", "--name", "x")
    assert run.code == 0, run.stderr
    assert read_session(Path(run.stdout.strip()))["host"] == tenant.info.https_url
    refused = c8y("sessions", "create", "--host", "ftp://example.com", "--username", "u", "--password", "p")
    assert refused.code == 101
    assert (
        "userError: invalid host 'ftp://example.com': the scheme must be https:// or http://"
        in refused.stderr
    )
    query = c8y("sessions", "create", "--host", tenant.info.https_url + "/x?y=1", "--username", "u")
    assert query.code == 101 and "remove the query" in query.stderr


def test_host_with_a_path_prefix_is_kept(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient) -> None:
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    document = read_session(path)
    document["host"] = tenant.info.https_url + "/"
    path.write_text(__import__("json").dumps(document))
    run = c8y("sessions", "login", "--session", str(path), "--loginType", "BASIC")
    assert run.code == 0, run.stderr
    assert run.env_vars()["C8Y_HOST"] == tenant.info.https_url


def test_basic_login_exports_the_upstream_variables(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path
) -> None:
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    run = c8y("sessions", "login", "--session", path.stem, "--loginType", "BASIC")
    assert run.code == 0, run.stderr
    names = [line.split()[1].split("=")[0] for line in run.stdout.splitlines()]
    assert names == sorted(names)
    env = run.env_vars()
    basic = __import__("base64").b64encode(f"t100/{user}:{password}".encode()).decode()
    assert env["C8Y_HEADER_AUTHORIZATION"] == f"Basic {basic}"
    assert env["C8Y_HEADER"] == f"Authorization: Basic {basic}"
    assert (env["C8Y_HOST"], env["C8Y_URL"], env["C8Y_BASEURL"]) == (tenant.info.https_url,) * 3
    assert env["C8Y_DOMAIN"] == tenant.info.https_url.removeprefix("https://")
    assert (env["C8Y_TENANT"], env["C8Y_USER"], env["C8Y_USERNAME"]) == ("t100", user, user)
    assert (env["C8Y_SETTINGS_LOGIN_TYPE"], env["C8Y_MODE"], env["C8Y_SESSION"]) == (
        "BASIC",
        "dev",
        str(path),
    )
    assert env["C8Y_PASSWORD"] == password and env["C8Y_VERSION"]
    assert "unset C8Y_TOKEN" in run.stdout
    assert "✓ Session is now active" in run.stderr and "✓ Session is using BASIC" in run.stderr
    assert f"    path: {path}" in run.stderr and "mode         : dev (allowed commands:" in run.stderr
    stored = read_session(path)
    assert stored["tenant"] == "t100" and stored["password"].startswith(
        "{encrypted}"
    )  # encrypted on activation
    assert (sessions / ".key").exists()


def test_basic_tenant_prefix_rules(
    c8y: C8y, start_strict_tenant: BackgroundTenant, base_env: dict[str, str]
) -> None:
    strict = start_strict_tenant
    env = {"SSL_CERT_FILE": str(strict.info.ca_file)}
    admin_password = strict.info.admin.password
    run = c8y(
        "sessions",
        "create",
        "--host",
        strict.info.https_url,
        "--username",
        "admin",
        "--password",
        admin_password,
        "--name",
        "strict",
        env=env,
    )
    assert run.code == 0, run.stderr
    ok = c8y("sessions", "login", "--session", "strict", "--loginType", "BASIC", "--mode", "dev", env=env)
    assert ok.code == 0, ok.stderr  # tenant unknown at first: learnt from the login options
    assert ok.env_vars()["C8Y_TENANT"] == "t100"
    bare = c8y(
        "sessions",
        "create",
        "--host",
        strict.info.https_url,
        "--username",
        "admin",
        "--password",
        admin_password,
        "--name",
        "bare",
        "--noTenantPrefix",
        env=env,
    )
    assert bare.code == 0
    refused = c8y("sessions", "login", "--session", "bare", "--loginType", "BASIC", "--mode", "dev", env=env)
    assert refused.code == 1
    assert "wrong username or password for admin" in refused.stderr


def test_oauth_internal_token_is_reused_then_cleared(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    first = c8y("sessions", "login", "--session", str(path))
    assert first.code == 0, first.stderr
    env = first.env_vars()
    assert env["C8Y_SETTINGS_LOGIN_TYPE"] == "OAUTH2_INTERNAL"
    assert env["C8Y_HEADER_AUTHORIZATION"] == f"Bearer {env['C8Y_TOKEN']}"
    assert "unset C8Y_PASSWORD" in first.stdout  # blanked when a token exists
    assert decode_jwt_claims(env["C8Y_TOKEN"])["sub"] == user
    assert read_session(path)["token"].startswith("{encrypted}")
    again = c8y("sessions", "login", "--session", str(path))
    assert again.env_vars()["C8Y_TOKEN"] == env["C8Y_TOKEN"]
    cleared = c8y("sessions", "login", "--session", str(path), "--clear")
    assert cleared.env_vars()["C8Y_TOKEN"] != env["C8Y_TOKEN"]


def test_a_revoked_token_is_noticed_and_replaced(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    token = c8y("sessions", "login", "--session", str(path)).env_vars()["C8Y_TOKEN"]
    tenant.call(lambda: tenant.service.state.tokens.revoke(token, now=tenant.service.state.now()))
    run = c8y("sessions", "login", "--session", str(path))
    assert run.code == 0, run.stderr
    assert "the stored token was not accepted (Invalid credentials! : User has been logged out)" in run.stderr
    assert run.env_vars()["C8Y_TOKEN"] != token


def test_wrong_password_without_terminal(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient) -> None:
    user, _ = add_user(admin)
    path = _create(c8y, tenant, user, "not-the-password")
    before = path.read_text()
    run = c8y("sessions", "login", "--session", str(path))
    assert run.code == 1
    assert f"userError: wrong username or password for {user} on 127.0.0.1 (Bad credentials)" in run.stderr
    assert run.stdout == "" and path.read_text() == before


def test_no_password_without_terminal_says_where_to_put_it(c8y: C8y, tenant: BackgroundTenant) -> None:
    path = create_session(c8y, tenant.info.https_url, "someone", None)
    run = c8y("sessions", "login", "--session", str(path))
    assert (run.code, run.stdout) == (1, "")
    assert run.stderr == (
        "userError: username or password is empty and the interactive prompt is disabled: put the "
        "password in the session file (or C8Y_PASSWORD with --from-env), or run set-session on a "
        "terminal to be asked\n"
    )


def test_unknown_and_corrupt_sessions(c8y: C8y, sessions: Path) -> None:
    unknown = c8y("sessions", "login", "--session", "nope")
    assert unknown.code == 101
    assert "session not found: 'nope'" in unknown.stderr and "c8y sessions list" in unknown.stderr
    sessions.mkdir(exist_ok=True)
    (sessions / "broken.json").write_text('{"host": "https://h"\n"username": "u"}')
    corrupt = c8y("sessions", "login", "--session", "broken")
    assert corrupt.code == 101
    assert (
        f"cannot read session file {sessions / 'broken.json'}: invalid JSON at line 2, column 1"
        in corrupt.stderr
    )
    assert "Traceback" not in corrupt.stderr


def test_bad_activation_flags_fail_before_the_login(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    """A bad --mode or --shell is reported before anything is unlocked, sent or written back."""
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    before = path.read_text()
    for flags, code, said in (
        (["--mode", "bogus"], 101, "userError: invalid mode 'bogus': use dev, qual, prod, ci or prompt"),
        (
            ["--shell", "tcsh"],
            2,
            "userError: invalid --shell 'tcsh': use auto, bash, zsh, fish or powershell",
        ),
    ):
        run = c8y("sessions", "login", "--session", str(path), *flags)
        assert (run.code, run.stderr, run.stdout) == (code, said + "\n", "")
    assert path.read_text() == before  # not logged in: the plain password was not even encrypted


def test_wrong_passphrase_is_108_and_rewrites_nothing(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path
) -> None:
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    assert c8y("sessions", "login", "--session", str(path)).code == 0
    before, key = path.read_text(), (sessions / ".key").read_text()
    run = c8y("sessions", "login", "--session", str(path), "--clear", env={"C8Y_PASSPHRASE": "wrong"})
    assert run.code == 108
    assert "C8Y_PASSPHRASE is wrong" in run.stderr and run.stdout == ""
    assert path.read_text() == before and (sessions / ".key").read_text() == key


def test_encrypted_session_for_one_command_needs_the_passphrase(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    """`c8y devices list --session NAME` on a session set-session encrypted: C8Y_PASSPHRASE opens it;
    without it (or a wrong one) the error says so (108), not that the session has no password."""
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    assert c8y("sessions", "login", "--session", str(path)).code == 0  # encrypts password and token
    assert c8y("devices", "list", "--session", path.stem).code == 0
    for passphrase, reason in (
        (None, "C8Y_PASSPHRASE is not set"),
        ("wrong", "C8Y_PASSPHRASE does not decrypt"),
    ):
        run = c8y("devices", "list", "--session", path.stem, env={"C8Y_PASSPHRASE": passphrase})
        assert run.code == 108, run.stderr
        assert run.stderr.startswith(
            "userError: the session's password and token are encrypted and " + reason
        )
        assert "export C8Y_PASSPHRASE=" in run.stderr and len(run.stderr.splitlines()) == 1


def test_tampered_encrypted_value_is_108(c8y: C8y, tenant: BackgroundTenant, admin: AdminClient) -> None:
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    assert c8y("sessions", "login", "--session", str(path), "--loginType", "BASIC").code == 0
    document = read_session(path)
    value = document["password"]
    document["password"] = value[:-4] + ("0000" if not value.endswith("0000") else "1111")
    path.write_text(__import__("json").dumps(document))
    before = path.read_text()
    run = c8y("sessions", "login", "--session", str(path), "--loginType", "BASIC")
    assert run.code == 108
    assert "encrypted with another passphrase than the one of" in run.stderr
    assert "or the {encrypted} value was changed" in run.stderr
    assert path.read_text() == before


def test_key_from_another_passphrase_is_108(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path
) -> None:
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    assert c8y("sessions", "login", "--session", str(path), "--loginType", "BASIC").code == 0
    (sessions / ".key").unlink()
    other = c8y("sessions", "encryptText", "--text", "x", env={"C8Y_PASSPHRASE": "another-one"})
    assert other.code == 0  # a new .key for another passphrase
    run = c8y(
        "sessions",
        "login",
        "--session",
        str(path),
        "--loginType",
        "BASIC",
        env={"C8Y_PASSPHRASE": "another-one"},
    )
    assert run.code == 108
    assert "encrypted with another passphrase" in run.stderr


def test_lost_passphrase_procedure(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path
) -> None:
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    assert c8y("sessions", "login", "--session", str(path), "--loginType", "BASIC").code == 0
    (sessions / ".key").unlink()  # rm ~/.cumulocity/.key
    run = c8y(
        "sessions", "login", "--session", str(path), "--loginType", "BASIC", env={"C8Y_PASSPHRASE": "new-one"}
    )
    assert run.code == 1
    assert "the stored password was encrypted with a lost passphrase; enter it again" in run.stderr
    document = read_session(path)
    document["password"] = password  # the user types it into the file again
    path.write_text(__import__("json").dumps(document))
    again = c8y(
        "sessions", "login", "--session", str(path), "--loginType", "BASIC", env={"C8Y_PASSPHRASE": "new-one"}
    )
    assert again.code == 0, again.stderr
    decrypted = c8y(
        "sessions", "decryptText", "--text", read_session(path)["password"], env={"C8Y_PASSPHRASE": "new-one"}
    )
    assert decrypted.stdout.strip() == password


def test_encryption_disabled_keeps_and_restores_plain_text(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient
) -> None:
    user, password = add_user(admin)
    path = _create(c8y, tenant, user, password)
    off = {"C8Y_SETTINGS_ENCRYPTION_ENABLED": "false"}
    assert c8y("sessions", "login", "--session", str(path), "--loginType", "BASIC", env=off).code == 0
    assert read_session(path)["password"] == password
    assert c8y("sessions", "login", "--session", str(path), "--loginType", "BASIC").code == 0
    assert read_session(path)["password"].startswith("{encrypted}")
    assert c8y("sessions", "login", "--session", str(path), "--loginType", "BASIC", env=off).code == 0
    assert read_session(path)["password"] == password  # decrypted back: encryption is off


def test_encrypt_and_decrypt_text(c8y: C8y) -> None:
    encrypted = c8y("sessions", "encryptText", "--text", "Hello World")
    assert encrypted.code == 0 and encrypted.stdout.startswith("Password: {encrypted}")
    raw = c8y("sessions", "encryptText", "--text", "Hello World", "--raw").stdout.strip()
    assert c8y("sessions", "decryptText", "--text", raw).stdout == "Hello World\n"
    docs = (
        "{encrypted}ec5b837a03408ffb731307584eac40ac047989a002951e4b7139fa60189e504b6840bc027cece28b3f36717839"
        "d96af1c5dba8c850b9a9079846066ee1596cc8d26f4138f76ce3"
    )
    vector = c8y(
        "sessions",
        "decryptText",
        "--text",
        docs,
        "--passphrase",
        "so4methIng-7hat-Matters",
        env={"C8Y_PASSPHRASE": None},
    )
    assert vector.code == 0 and vector.stdout == "Hello World\n"
    wrong = c8y("sessions", "decryptText", "--text", raw, "--passphrase", "nope")
    assert wrong.code == 108


def test_rotate_passphrase_re_encrypts_every_session(
    c8y: C8y, tenant: BackgroundTenant, admin: AdminClient, sessions: Path
) -> None:
    paths = []
    for _ in range(2):
        user, password = add_user(admin)
        paths.append((_create(c8y, tenant, user, password), password))
        assert c8y("sessions", "login", "--session", str(paths[-1][0]), "--loginType", "BASIC").code == 0
    before = [path.read_text() for path, _ in paths], (sessions / ".key").read_text()
    dry = c8y("sessions", "rotatePassphrase", "--newPassphrase", "rotated-1", "--dry")
    assert dry.code == 0 and dry.stderr.splitlines() == [f"would re-encrypt {path}" for path, _ in paths]
    assert ([path.read_text() for path, _ in paths], (sessions / ".key").read_text()) == before
    run = c8y("sessions", "rotatePassphrase", "--newPassphrase", "rotated-1")
    assert run.code == 0, run.stderr
    assert "✓ Passphrase changed (2 session files re-encrypted)" in run.stderr
    assert "C8Y_PASSPHRASE still holds the old passphrase" in run.stderr
    for path, password in paths:
        value = read_session(path)["password"]
        out = c8y("sessions", "decryptText", "--text", value, env={"C8Y_PASSPHRASE": "rotated-1"})
        assert out.stdout.strip() == password
    assert c8y("sessions", "encryptText", "--text", "x", env={"C8Y_PASSPHRASE": PASSPHRASE}).code == 108
