"""Bad ``tedge.toml`` files: every key of the schema with values of the wrong type, tables that are
values, broken TOML, non-UTF-8 bytes. ``tedge config list`` and ``tedge config set`` (of another key)
fail with ``Error: ...`` naming the file (exit 1), no traceback, and the file is byte-for-byte as
before: ``set`` never rewrites a file that does not check.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.robustness.conftest import assert_clean_error, run_script, snapshot

from c8ylink.device.cli.main import main as tedge_main
from c8ylink.device.config.settings import TEDGE

# wrong TOML values for each kind of key (a kind's own grammar is what the file must hold)
WRONG: dict[str, tuple[str, ...]] = {
    "string": ("5", '["a"]', "{ a = 1 }"),
    "path": ("5", '["/a"]', "true"),
    "bool": ('"maybe"', "5", "[true]"),
    "duration": ('"soon"', '"-5s"', "[1]"),
    "integer": ('"x"', "99999999999", "1.5"),
    "enum": ('"bogus"', "5", "[]"),
    "list": ("5", "{ a = 1 }", "true"),
    "IP address": ('"not-an-ip"', "5", '"999.1.1.1"'),
    "host[:port]": ('"a:b:c"', "5", '"host:99999"'),
    "domain name": ("5", '["a"]', '"http://"'),
    "topic prefix": ("5", '"a/b"', '"#"'),
    "topic id": ("5", '"a/+/b"', "[]"),
    "proxy URL": ("5", '"ftp://x"', '"http://"'),
}
# wrong values that some key of a kind accepts on purpose (upstream's grammar); not errors
ACCEPTED = {("topic prefix", '"a/b"'), ("proxy URL", '"ftp://x"')}

KEY_CASES = [
    (f"{key.name} = {value}", f"{key.name} = {value}\n")
    for key in TEDGE.keys
    if not key.readonly
    for value in WRONG.get(key.type.kind, ())
    if (key.type.kind, value) not in ACCEPTED
]

FILE_CASES = [
    ("c8y is a string", 'c8y = "x"\n'),
    ("c8y is a number", "c8y = 5\n"),
    ("c8y is a list", "c8y = [1]\n"),
    ("mqtt is a string", 'mqtt = "x"\n'),
    ("mqtt.client is a number", "[mqtt]\nclient = 5\n"),
    ("device is a bool", "device = true\n"),
    ("c8y.proxy.bind is a string", '[c8y.proxy]\nbind = "x"\n'),
    ("broken table header", "[c8y\nurl = 'x'\n"),
    ("truncated string", '[c8y]\nurl = "example.com\n'),
    ("duplicate key", '[c8y]\nurl = "a.com"\nurl = "b.com"\n'),
    ("duplicate table", "[c8y]\n[c8y]\n"),
    ("key without value", "[c8y]\nurl =\n"),
    ("value without key", '= "x"\n'),
    ("deep arrays", "x = " + "[" * 5000 + "]" * 5000 + "\n"),
    ("NUL byte", '[c8y]\nurl = "a\x00b"\n'),
    ("profile name invalid", '[c8y.profiles."bad name!"]\nurl = "a.com"\n'),
    ("profiles is a string", '[c8y]\nprofiles = "x"\n'),
    ("moved and current both set", "[mqtt]\nport = 1883\n[mqtt.bind]\nport = 1884\n"),
]


def _run(config_dir: Path, *args: str) -> tuple[int, str]:
    result = run_script("tedge", tedge_main, ["--config-dir", str(config_dir), *args])
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    "text", [c[1] for c in [*KEY_CASES, *FILE_CASES]], ids=[c[0] for c in [*KEY_CASES, *FILE_CASES]]
)
def test_a_bad_tedge_toml_is_refused_and_left_alone(tmp_path: Path, text: str) -> None:
    config_dir = tmp_path / "etc-tedge"
    config_dir.mkdir()
    (config_dir / "tedge.toml").write_text(text, encoding="utf-8")
    before = snapshot(config_dir)
    code, stderr = _run(config_dir, "config", "list")
    assert code == 1, stderr
    assert_clean_error(stderr, first="Error:")
    other = "device.type" if "device.type" not in text else "certificate.organization"
    code, stderr = _run(config_dir, "config", "set", other, "robust")
    assert code == 1, stderr
    assert_clean_error(stderr, first="Error:")
    assert snapshot(config_dir) == before


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe[c8y]\n", b'[c8y]\nurl = "\xc3"\n', b"\x00" * 10],
    ids=["UTF-16 BOM", "cut UTF-8", "NULs"],
)
def test_a_tedge_toml_that_is_not_utf8(tmp_path: Path, raw: bytes) -> None:
    config_dir = tmp_path / "etc-tedge"
    config_dir.mkdir()
    (config_dir / "tedge.toml").write_bytes(raw)
    before = snapshot(config_dir)
    for args in (("config", "list"), ("config", "get", "c8y.url"), ("config", "set", "device.type", "x")):
        code, stderr = _run(config_dir, *args)
        assert code == 1, stderr
        assert_clean_error(stderr)
    assert snapshot(config_dir) == before


def test_setting_the_bad_key_itself_repairs_the_file(tmp_path: Path) -> None:
    config_dir = tmp_path / "etc-tedge"
    config_dir.mkdir()
    (config_dir / "tedge.toml").write_text("[c8y]\nurl = 5\n")
    code, stderr = _run(config_dir, "config", "set", "c8y.url", "example.com")
    assert code == 0, stderr
    assert _run(config_dir, "config", "list")[0] == 0
