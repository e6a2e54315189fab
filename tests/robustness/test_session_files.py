"""Bad c8y session files: each is one clear error line (``userError: ...`` for a bad file, exit 101;
a bad ``{encrypted}`` value exits 108), never exit 100 "internal error", and no file is changed.

Cases are ``(id, file text, command, exit code)``; the command reads the file with ``--session``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.robustness.conftest import assert_clean_error, run_script, snapshot

from c8ylink.operator.cli.main import main as c8y_main
from c8ylink.operator.sessions.secrets import KEY_TEXT, encrypt_text

PASSPHRASE = "a-passphrase"
KEY = encrypt_text(KEY_TEXT, PASSPHRASE, os.urandom)  # the .key file (scrypt once, not per case)
GET = ("sessions", "get")
LIST = ("devices", "list", "--dry")  # reads defaults.pageSize
LOGIN = ("sessions", "login", "--shell", "bash")


def _doc(**fields: object) -> str:
    return json.dumps({"host": "https://127.0.0.1:9", "username": "u", "password": "p", **fields})


def _nested(depth: int) -> str:
    return '{"host":"https://example.com","settings":{"x":' + "[" * depth + "]" * depth + "}}"


FILES: list[tuple[str, str]] = [
    ("empty", ""),
    ("blank", "  \n"),
    ("truncated object", '{"host": "https://example.com"'),
    ("truncated key", '{"host'),
    ("only a brace", "{"),
    ("null", "null"),
    ("array", "[]"),
    ("string", '"https://example.com"'),
    ("number", "1"),
    ("true", "true"),
    ("BOM", "\ufeff" + _doc()),
    ("NaN", '{"host":"https://example.com","x":NaN}'),
    ("Infinity", '{"host":"https://example.com","x":Infinity}'),
    ("-Infinity", '{"host":"https://example.com","x":-Infinity}'),
    ("1e999 top level", '{"host":"https://example.com","pageSize":1e999}'),
    ("1e999 in settings", '{"host":"https://example.com","settings":{"defaults":{"pageSize":1e999}}}'),
    ("-1e999 in settings", '{"host":"https://example.com","settings":{"defaults":{"pageSize":-1e999}}}'),
    ("nested 65", _nested(65)),
    ("nested 1000", _nested(1000)),
    ("nested 100000", _nested(100_000)),
    ("settings is a list", _doc(settings=[])),
    ("settings is a string", _doc(settings="x")),
    ("settings is a number", _doc(settings=5)),
    ("host is a list", _doc(host=["https://example.com"])),
    ("host is an object", _doc(host={"url": "https://example.com"})),
    ("username is a list", _doc(username=["u"])),
    ("password is an object", _doc(password={"p": 1})),
    ("tenant is a list", _doc(tenant=["t1"])),
    ("loginType bogus", _doc(loginType="BOGUS")),
    ("loginType number", _doc(loginType=5)),
    ("loginType list", _doc(loginType=["BASIC"])),
    ("loginType OAUTH3", _doc(loginType="OAUTH3")),
    ("unterminated string", '{"host":"https://example.com'),
    ("trailing garbage", _doc() + "x"),
    ("two objects", _doc() + _doc()),
    ("single quotes", "{'host': 'https://example.com'}"),
    ("comment", '// c\n{"host":"https://example.com"}'),
    ("control character in string", '{"host":"https://exa\x01mple.com"}'),
]
LOGIN_FILES: list[tuple[str, str]] = [
    ("host ftp", _doc(host="ftp://example.com")),
    ("host with credentials", _doc(host="https://admin:S3cret-pw@example.com")),
    ("host with query", _doc(host="https://example.com?x=1")),
    ("host port too big", _doc(host="https://example.com:99999")),
    ("host port not a number", _doc(host="https://example.com:abc")),
    ("host only scheme", _doc(host="https://")),
]
SETTING_FILES: list[tuple[str, str]] = [
    ("pageSize string", _doc(settings={"defaults": {"pageSize": "many"}})),
    ("pageSize float", _doc(settings={"defaults": {"pageSize": 1.5}})),
    ("pageSize bool", _doc(settings={"defaults": {"pageSize": True}})),
    ("pageSize list", _doc(settings={"defaults": {"pageSize": [5]}})),
    ("pageSize object", _doc(settings={"defaults": {"pageSize": {"n": 5}}})),
    ("pageSize dotted string", _doc(settings={"defaults.pageSize": "x"})),
    ("dryFormat... pageSize hex", _doc(settings={"defaults": {"pageSize": "0x10"}})),
]
ENCRYPTED: list[tuple[str, str]] = [
    ("encrypted not hex", _doc(password="{encrypted}zzzz")),
    ("encrypted too short", _doc(password="{encrypted}00")),
    ("encrypted odd length", _doc(password="{encrypted}abc")),
    ("encrypted damaged", _doc(password="{encrypted}" + "00" * 80)),
]

CASES: list[tuple[str, str, tuple[str, ...], int]] = [
    *(
        (f"{name} / {' '.join(cmd[:2])}", text, cmd, 101)
        for name, text in FILES
        for cmd in (GET, LIST, LOGIN)
    ),
    *(
        (f"{name} / {' '.join(cmd[:2])}", text, cmd, 101)
        for name, text in LOGIN_FILES
        for cmd in (LIST, LOGIN)
    ),
    *((name, text, LIST, 101) for name, text in SETTING_FILES),
    ("host empty / sessions login", _doc(host=""), LOGIN, 101),
    *((name, text, LOGIN, 108) for name, text in ENCRYPTED),
]


@pytest.mark.parametrize(("text", "command", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_session_file_is_one_clear_error(
    tmp_path: Path, text: str, command: tuple[str, ...], code: int
) -> None:
    home = tmp_path / "home"
    sessions = home / ".cumulocity"
    sessions.mkdir(parents=True)
    session = sessions / "bad.json"
    session.write_text(text, encoding="utf-8")
    (sessions / ".key").write_text(KEY)
    before = snapshot(home)
    env = {"HOME": str(home), "C8Y_PASSPHRASE": PASSPHRASE, "C8Y_SETTINGS_ACTIVITYLOG_ENABLED": "false"}
    result = run_script("c8y", c8y_main, [*command, "--session", str(session)], env)
    assert result.exit_code == code, result.stderr
    assert_clean_error(result.stderr)
    assert "S3cret-pw" not in result.stderr + result.stdout
    after = snapshot(home)
    assert {
        k: v for k, v in after.items() if k in before
    } == before  # nothing changed (a new .key may appear)


def test_a_session_file_that_is_not_utf8(tmp_path: Path) -> None:
    session = tmp_path / "bad.json"
    session.write_bytes(b'{"host":"https://example.com","username":"\xff\xfe"}')
    before = snapshot(session)
    result = run_script(
        "c8y", c8y_main, ["sessions", "get", "--session", str(session)], {"HOME": str(tmp_path)}
    )
    assert result.exit_code not in {0, 100}
    assert_clean_error(result.stderr)
    assert snapshot(session) == before


@pytest.mark.parametrize("suffix", [".toml"])
@pytest.mark.parametrize(
    "text",
    ["host = ", "[settings\nx=1", "host = 'a'\nhost = 'b'", "a = " + "[" * 10_000 + "]" * 10_000, "\xff"],
)
def test_a_bad_toml_session_file(tmp_path: Path, text: str, suffix: str) -> None:
    session = tmp_path / f"bad{suffix}"
    session.write_text(text, encoding="utf-8")
    result = run_script(
        "c8y", c8y_main, ["sessions", "get", "--session", str(session)], {"HOME": str(tmp_path)}
    )
    assert result.exit_code == 101, result.stderr
    assert_clean_error(result.stderr)
