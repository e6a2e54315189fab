"""Bad command lines: unknown flags, values of the wrong kind for every ``tedge config`` key, huge and
non-UTF-8 arguments, bad ``c8y`` flag values. Each ends with one clear error and its documented exit
code (tedge: 1 for errors, 2 for usage; c8y: 101 user error, 2 for click usage errors), no traceback,
and no file is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.robustness.conftest import assert_clean_error, run_script, snapshot

from c8ylink.device.cli.main import main as tedge_main
from c8ylink.device.config.settings import TEDGE
from c8ylink.operator.cli.main import main as c8y_main

# values of the wrong kind for `tedge config set KEY VALUE`, by the key's kind
WRONG_TEXT: dict[str, tuple[str, ...]] = {
    "bool": ("maybe", "2", ""),
    "integer": ("x", "99999999999999999999", "1.5"),
    "duration": ("soon", "5x", "5 parsecs"),
    "enum": ("bogus",),
    "IP address": ("not-an-ip", "999.1.1.1", "1.2.3"),
    "host[:port]": ("a:b:c", "host:99999", "host:-1"),
    "domain name": ("http://", "a b", "https://x/?q"),
    "topic id": ("a/+/b", "#"),
    "proxy URL": ("http://", "http://x:99999"),
}
SET_CASES = [
    (f"{key.name} {value!r}", key.name, value)
    for key in TEDGE.keys
    if not key.readonly and key.derived is None
    for value in WRONG_TEXT.get(key.type.kind, ())
]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "etc-tedge"
    directory.mkdir()
    (directory / "tedge.toml").write_text('[device]\ntype = "robust"\n')
    return directory


def _tedge(config_dir: Path, *args: str) -> tuple[int, str]:
    result = run_script("tedge", tedge_main, ["--config-dir", str(config_dir), *args])
    return result.exit_code, result.stderr


@pytest.mark.parametrize(("key", "value"), [c[1:] for c in SET_CASES], ids=[c[0] for c in SET_CASES])
def test_a_value_of_the_wrong_kind_is_refused(config_dir: Path, key: str, value: str) -> None:
    before = snapshot(config_dir)
    code, stderr = _tedge(config_dir, "config", "set", key, value)
    assert code == 1, stderr
    assert_clean_error(stderr, first="Error:")
    assert snapshot(config_dir) == before


TEDGE_USAGE = [
    ("unknown flag", ["--bogus"]),
    ("unknown command", ["bogus"]),
    ("unknown config subcommand", ["config", "bogus"]),
    ("set without value", ["config", "set", "c8y.url"]),
    ("get without key", ["config", "get"]),
    ("too many arguments", ["config", "get", "c8y.url", "extra"]),
    ("mqtt pub without message", ["mqtt", "pub", "a/b"]),
    ("profile without value", ["config", "get", "c8y.url", "--profile"]),
]
TEDGE_ERRORS = [
    ("cert create without an id", ["cert", "create"]),
    ("unknown key", ["config", "get", "c8y.bogus"]),
    ("unknown key set", ["config", "set", "c8y.bogus", "x"]),
    ("read-only key", ["config", "set", "device.id.bogus", "x"]),
    ("profile on a key without profiles", ["config", "get", "device.type", "--profile", "x"]),
    ("bad profile name", ["config", "set", "c8y.url", "a.com", "--profile", "bad name!"]),
    ("unknown profile", ["config", "get", "c8y.url", "--profile", "nope"]),
    ("huge key", ["config", "get", "c" * 100_000]),
    ("non-UTF-8 key", ["config", "get", "c8y.\udcff"]),
    ("NUL in key", ["config", "get", "c8y.\x00url"]),
    ("empty key", ["config", "get", ""]),
    ("dots only", ["config", "get", "..."]),
    ("mqtt pub to a wildcard", ["mqtt", "pub", "a/+/b", "x"]),
    ("mqtt pub to #", ["mqtt", "pub", "#", "x"]),
    ("mqtt pub to an empty topic", ["mqtt", "pub", "", "x"]),
    ("mqtt pub qos 3", ["mqtt", "pub", "a/b", "x", "--qos", "3"]),
    ("mqtt sub qos -1", ["mqtt", "sub", "a/b", "--qos", "-1"]),
]


@pytest.mark.parametrize("args", [c[1] for c in TEDGE_USAGE], ids=[c[0] for c in TEDGE_USAGE])
def test_tedge_usage_errors_exit_2(config_dir: Path, args: list[str]) -> None:
    before = snapshot(config_dir)
    code, stderr = _tedge(config_dir, *args)
    assert code == 2, stderr
    assert_clean_error(stderr)
    assert snapshot(config_dir) == before


@pytest.mark.parametrize("args", [c[1] for c in TEDGE_ERRORS], ids=[c[0] for c in TEDGE_ERRORS])
def test_tedge_errors_exit_1_or_2(config_dir: Path, args: list[str]) -> None:
    before = snapshot(config_dir)
    code, stderr = _tedge(config_dir, *args)
    assert code in (1, 2), stderr
    assert_clean_error(stderr)
    assert snapshot(config_dir) == before


C8Y_CASES = [
    ("unknown flag", ["devices", "list", "--bogus"], 2),
    ("unknown command", ["bogus"], 2),
    ("unknown subcommand", ["devices", "bogus"], 2),
    ("pageSize not a number", ["devices", "list", "--pageSize", "abc"], 2),
    ("pageSize huge", ["devices", "list", "--pageSize", "9" * 50], 2),
    ("output bogus", ["devices", "list", "--output", "bogus"], 2),
    ("timeout not a duration", ["devices", "list", "--timeout", "soon"], 2),
    ("session missing", ["devices", "list", "--session", "does-not-exist"], 101),
    ("non-UTF-8 session name", ["devices", "list", "--session", "\udcff"], 101),
    ("NUL in session name", ["devices", "list", "--session", "a\x00b"], 101),
    (
        "sessions create bad mode",
        ["sessions", "create", "--host", "h", "--username", "u", "--mode", "bogus"],
        2,
    ),
    (
        "sessions create bad login type",
        ["sessions", "create", "--host", "h", "--username", "u", "--loginType", "X"],
        101,
    ),
    (
        "sessions create bad name",
        ["sessions", "create", "--host", "h", "--username", "u", "--name", ".."],
        101,
    ),
    ("sessions create without host", ["sessions", "create", "--username", "u"], 101),
    ("shell bogus", ["sessions", "login", "--shell", "tcsh"], 2),
    ("settings update unknown key", ["settings", "update", "bogus.key", "1"], 2),
]


@pytest.mark.parametrize(("args", "code"), [c[1:] for c in C8Y_CASES], ids=[c[0] for c in C8Y_CASES])
def test_c8y_bad_arguments(tmp_path: Path, args: list[str], code: int) -> None:
    env = {
        "HOME": str(tmp_path),
        "C8Y_SETTINGS_ENCRYPTION_ENABLED": "false",
        "C8Y_HOST": "https://127.0.0.1:9",
    }
    before = snapshot(tmp_path)
    result = run_script("c8y", c8y_main, args, env)
    assert result.exit_code == code, result.stderr
    assert_clean_error(result.stderr)
    assert {k: v for k, v in snapshot(tmp_path).items() if k in before} == before
