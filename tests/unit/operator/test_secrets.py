"""The {encrypted} format (go-c8y-cli.md §3.1) and the .key passphrase file (§3.2, §3.5)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from c8ylink.core.errors import SessionError
from c8ylink.infra.prompts import NoPrompter
from c8ylink.operator.sessions.passphrase import Passphrases
from c8ylink.operator.sessions.secrets import (
    KEY_TEXT,
    DecryptionError,
    decrypt_text,
    encrypt_text,
    passphrase_matches,
)

DOCS_VECTOR = (
    "{encrypted}ec5b837a03408ffb731307584eac40ac047989a002951e4b7139fa60189e504b6840bc027cece28b3f36717839"
    "d96af1c5dba8c850b9a9079846066ee1596cc8d26f4138f76ce3"
)


def test_the_docs_example_ciphertext_decrypts() -> None:
    assert decrypt_text(DOCS_VECTOR, "so4methIng-7hat-Matters") == "Hello World"


def test_round_trip_uses_a_fresh_salt_and_nonce_each_time() -> None:
    first = encrypt_text("pa'ss", "phrase", os.urandom)
    second = encrypt_text("pa'ss", "phrase", os.urandom)
    assert first != second and first.startswith("{encrypted}")
    assert len(bytes.fromhex(first.removeprefix("{encrypted}"))) == 12 + 5 + 16 + 32
    assert decrypt_text(first, "phrase") == decrypt_text(second, "phrase") == "pa'ss"


def test_encrypted_input_and_plain_input_pass_through() -> None:
    assert encrypt_text(DOCS_VECTOR, "anything", os.urandom) == DOCS_VECTOR
    assert decrypt_text("plain", "anything") == "plain"


def test_wrong_passphrase_is_exit_108() -> None:
    with pytest.raises(DecryptionError, match="wrong passphrase") as caught:
        decrypt_text(DOCS_VECTOR, "not-it")
    assert caught.value.exit_code == 108


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (DOCS_VECTOR[:-2] + ("00" if not DOCS_VECTOR.endswith("00") else "11"), "damaged"),
        (DOCS_VECTOR.replace("ec5b", "zz5b"), "not hex"),
        ("{encrypted}abcdef", "too short"),
    ],
    ids=["flipped-byte", "not-hex", "too-short"],
)
def test_tampered_values_are_refused(value: str, fragment: str) -> None:
    with pytest.raises(DecryptionError, match=fragment):
        decrypt_text(value, "so4methIng-7hat-Matters")


def test_empty_passphrase_is_refused() -> None:
    with pytest.raises(SessionError, match="passphrase can not be empty"):
        encrypt_text("x", "", os.urandom)


def test_key_file_is_created_from_c8y_passphrase(tmp_path: Path) -> None:
    unlocked = Passphrases(tmp_path, {"C8Y_PASSPHRASE": "pp"}, NoPrompter()).unlock()
    assert unlocked.created
    key = tmp_path / ".key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert passphrase_matches(key.read_text(), "pp")
    assert decrypt_text(key.read_text(), "pp") == KEY_TEXT


def test_wrong_c8y_passphrase_without_terminal_is_108_and_writes_nothing(tmp_path: Path) -> None:
    Passphrases(tmp_path, {"C8Y_PASSPHRASE": "right"}, NoPrompter()).unlock()
    before = (tmp_path / ".key").read_text()
    with pytest.raises(DecryptionError, match="C8Y_PASSPHRASE is wrong") as caught:
        Passphrases(tmp_path, {"C8Y_PASSPHRASE": "wrong"}, NoPrompter()).unlock()
    assert caught.value.exit_code == 108
    assert (tmp_path / ".key").read_text() == before


def test_key_from_another_passphrase_than_the_session_secrets(tmp_path: Path) -> None:
    Passphrases(tmp_path, {"C8Y_PASSPHRASE": "new"}, NoPrompter()).unlock()
    old_secret = encrypt_text("pw", "old", os.urandom)
    with pytest.raises(DecryptionError, match="encrypted with another passphrase"):
        Passphrases(tmp_path, {"C8Y_PASSPHRASE": "new"}, NoPrompter()).unlock([old_secret])


def test_cached_passphrase_text_is_written_to_the_key_file(tmp_path: Path) -> None:
    text = encrypt_text(KEY_TEXT, "pp", os.urandom)
    env = {"C8Y_PASSPHRASE": "pp", "C8Y_PASSPHRASE_TEXT": text}
    assert Passphrases(tmp_path, env, NoPrompter()).unlock().passphrase == "pp"
    assert (tmp_path / ".key").read_text() == text


def test_missing_key_without_passphrase_or_terminal_says_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(DecryptionError, match="set C8Y_PASSPHRASE"):
        Passphrases(tmp_path, {}, NoPrompter()).unlock()
