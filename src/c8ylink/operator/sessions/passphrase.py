"""The encryption passphrase: the ``.key`` file, ``C8Y_PASSPHRASE``, prompts (go-c8y-cli.md §3.2-3.5).

``Passphrases.unlock(values)`` returns the passphrase that opens the ``.key`` file (creating it when
missing) and reports which of ``values`` it cannot open:

* ``C8Y_PASSPHRASE_TEXT`` (an encrypted reference) wins over ``.key`` and is written to it;
* ``C8Y_PASSPHRASE`` is tried silently, then the user is asked (2 attempts); a wrong passphrase is a
  ``DecryptionError`` (exit 108) and nothing is written;
* ``.key`` missing (the lost-passphrase procedure is ``rm ~/.cumulocity/.key``): a new passphrase is
  asked twice (or taken from ``C8Y_PASSPHRASE``) and ``.key`` written (0600, atomic). Values that the new
  passphrase does not open are lost: the caller asks for the password again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from c8ylink.infra.files import read_text, write_atomic
from c8ylink.infra.prompts import Prompter
from c8ylink.operator.sessions.secrets import (
    KEY_TEXT,
    DecryptionError,
    RandomBytes,
    check_passphrase_value,
    decrypt_text,
    encrypt_text,
    is_encrypted,
    passphrase_matches,
)

KEY_FILE = ".key"
ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class Unlocked:
    passphrase: str
    key_text: str
    created: bool  # a new .key was written (values it does not open are lost)


class Passphrases:
    def __init__(
        self,
        home: Path,
        env: Mapping[str, str],
        prompter: Prompter,
        random_bytes: RandomBytes = os.urandom,
    ) -> None:
        self.home = home
        self.env = env
        self.prompter = prompter
        self.random_bytes = random_bytes

    @property
    def key_path(self) -> Path:
        return self.home / KEY_FILE

    def load_key_text(self) -> str | None:
        cached = self.env.get("C8Y_PASSPHRASE_TEXT", "")
        if is_encrypted(cached):
            return cached
        text = read_text(self.key_path)
        text = text.strip() if text else None
        return text if text and is_encrypted(text) else None

    def unlock(self, values: Sequence[str] = ()) -> Unlocked:
        reference = self.load_key_text()
        if reference is None:
            return self._create()
        passphrase = self._matching(reference)
        if self.env.get("C8Y_PASSPHRASE_TEXT") == reference and read_text(self.key_path) != reference:
            self._write_key(reference)
        for value in values:
            if is_encrypted(value):
                try:
                    decrypt_text(value, passphrase)
                except DecryptionError as exc:
                    if "wrong passphrase" not in str(exc):
                        raise  # not hex, too short: the message says what is wrong
                    raise DecryptionError(
                        f"cannot decrypt the session's secrets: they were encrypted with another passphrase "
                        f"than the one of {self.key_path}, or the {{encrypted}} value was changed. Put "
                        "the plain-text password in the session file (encrypted again at next set-session)"
                    ) from None
        return Unlocked(passphrase, reference, created=False)

    def _matching(self, reference: str) -> str:
        candidate = self.env.get("C8Y_PASSPHRASE", "")
        if candidate and passphrase_matches(reference, candidate):
            return candidate
        if not self.prompter.interactive:
            reason = "C8Y_PASSPHRASE is wrong" if candidate else "C8Y_PASSPHRASE is not set"
            raise DecryptionError(
                f"the session is encrypted and {reason}: set C8Y_PASSPHRASE to the passphrase "
                f"(lost it? remove {self.key_path} and set the passwords again)"
            )
        for attempt in range(1, ATTEMPTS + 1):
            suffix = f" (Attempt {attempt} of {ATTEMPTS})" if attempt > 1 else ""
            answer = self.prompter.secret(
                f"Session is encrypted, enter passphrase 🔒 [input is hidden]{suffix}"
            )
            check_passphrase_value(answer)
            if passphrase_matches(reference, answer):
                self.prompter.write("✓ Passphrase OK\n")
                return answer
            self.prompter.write("✗ wrong passphrase\n")
        raise DecryptionError(
            f"wrong passphrase: it does not open {self.key_path} "
            f"(lost it? remove {self.key_path} and set the passwords again)"
        )

    def _create(self) -> Unlocked:
        passphrase = self.env.get("C8Y_PASSPHRASE", "")
        if not passphrase:
            if not self.prompter.interactive:
                raise DecryptionError(
                    f"no encryption key yet ({self.key_path}) and no terminal to ask for a passphrase: "
                    "set C8Y_PASSPHRASE, or disable encryption with C8Y_SETTINGS_ENCRYPTION_ENABLED=false"
                )
            self.prompter.write("Creating a encryption key for sessions\n")
            while True:
                passphrase = self.prompter.secret("Enter new encryption passphrase 🔒 [input is hidden]")
                check_passphrase_value(passphrase)
                again = self.prompter.secret("Confirm the encryption passphrase 🔒 [input is hidden]")
                if again == passphrase:
                    break
                self.prompter.write("✗ the passphrases differ, try again\n")
        check_passphrase_value(passphrase)
        key_text = encrypt_text(KEY_TEXT, passphrase, self.random_bytes)
        self._write_key(key_text)
        return Unlocked(passphrase, key_text, created=True)

    def _write_key(self, key_text: str) -> None:
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(self.key_path, key_text, mode=0o600)

    def verify_only(self, passphrase: str) -> str:
        """``--passphrase P`` given on the command line: it must open ``.key`` when there is one."""
        check_passphrase_value(passphrase)
        reference = self.load_key_text()
        if reference is not None and not passphrase_matches(reference, passphrase):
            raise DecryptionError(f"wrong passphrase: it does not open {self.key_path}")
        return passphrase
