"""Finding, loading, saving and listing session files (go-c8y-cli.md §1.1, §1.4, §1.7)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from c8ylink.core.errors import SessionError
from c8ylink.operator.sessions.model import SCHEMA_URL, Session
from c8ylink.operator.sessions.store import (
    find_session_file,
    list_session_files,
    load_session,
    save_session,
    session_home,
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "sessions"
    (home / "customers" / "acme").mkdir(parents=True)
    (home / "dev.json").write_text(json.dumps({"host": "https://dev.example.com", "username": "a"}))
    (home / "customers" / "acme" / "prod-eu.json").write_text(json.dumps({"host": "https://eu.example"}))
    (home / "customers" / "qual.toml").write_text('host = "https://qual.example"\nusername = "q"\n')
    return home


def test_session_home_is_env_or_dot_cumulocity(tmp_path: Path) -> None:
    assert session_home({}, tmp_path) == tmp_path / ".cumulocity"
    assert session_home({"C8Y_SESSION_HOME": "~/s"}, tmp_path) == tmp_path / "s"
    assert session_home({"C8Y_SESSION_HOME": "/x/y"}, tmp_path) == Path("/x/y")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dev", "dev.json"),
        ("dev.json", "dev.json"),
        ("prod-eu", "customers/acme/prod-eu.json"),
        ("prod-*", "customers/acme/prod-eu.json"),
        ("qual", "customers/qual.toml"),
        ("file://dev.json", "dev.json"),
    ],
    ids=["without-ext", "with-ext", "subfolder", "glob", "toml", "file-uri"],
)
def test_lookup_by_name(home: Path, tmp_path: Path, name: str, expected: str) -> None:
    assert find_session_file(name, home, tmp_path) == home / expected


def test_lookup_by_full_and_relative_path(home: Path, tmp_path: Path) -> None:
    target = home / "customers" / "acme" / "prod-eu.json"
    assert find_session_file(str(target), home, Path("/")) == target
    assert find_session_file("sessions/dev", home, tmp_path) == home / "dev.json"
    # a path inside the session home, from anywhere
    assert find_session_file("customers/acme/prod-eu.json", home, Path("/")) == target
    assert find_session_file("customers/acme/prod-eu", home, Path("/")) == target


def test_unknown_session_name_says_how_to_list(home: Path, tmp_path: Path) -> None:
    with pytest.raises(SessionError, match=r"session not found: 'nope'.*c8y sessions list"):
        find_session_file("nope", home, tmp_path)


def test_corrupt_json_names_the_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "host": "https://h"\n  "username": "u"\n}\n')
    with pytest.raises(SessionError, match=r"broken.json: invalid JSON at line 3, column 3"):
        load_session(path)
    path.write_text("[1, 2]")
    with pytest.raises(SessionError, match="expected a JSON object"):
        load_session(path)


def test_save_writes_0600_pretty_json_with_schema(tmp_path: Path) -> None:
    path = save_session(Session(host="https://h", username="u", password="p"), tmp_path / "new" / "s.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert text.startswith('{\n  "$schema": "' + SCHEMA_URL)
    assert load_session(path).password == "p"


def test_listing_skips_key_settings_activity_log_and_unparsable_files(home: Path) -> None:
    (home / ".key").write_text("{encrypted}00")
    (home / "settings.json").write_text(json.dumps({"host": "x"}))
    (home / "activitylog").mkdir()
    (home / "activitylog" / "log.json").write_text(json.dumps({"host": "x"}))
    (home / "broken.json").write_text("{")
    (home / "empty.json").write_text("{}")
    names = sorted(path.name for path, _ in list_session_files(home))
    assert names == ["dev.json", "prod-eu.json", "qual.toml"]
