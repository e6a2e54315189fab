"""What a ``c8y`` run sees of its surroundings, gathered once by the CLI and passed down.

Nothing below the CLI reads ``os.environ``, the working directory or the terminal state directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from c8ylink.infra.prompts import NoPrompter
from c8ylink.operator.sessions.store import session_home
from c8ylink.operator.settings import load_global_settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple, TextIO

    from c8ylink.infra.prompts import Prompter
else:
    from c8ylink.core.records import NamedTuple  # start-up: no dataclasses, no typing

SESSION_ENV = (
    "C8Y_SESSION",
    "C8Y_HOST",
    "C8Y_URL",
    "C8Y_BASEURL",
    "C8Y_DOMAIN",
    "C8Y_TENANT",
    "C8Y_VERSION",
    "C8Y_USER",
    "C8Y_USERNAME",
    "C8Y_PASSWORD",
    "C8Y_TOKEN",
    "C8Y_HEADER",
    "C8Y_HEADER_AUTHORIZATION",
    "C8Y_SETTINGS_LOGIN_TYPE",
    "C8Y_MODE",
    "C8Y_SETTINGS_SESSION_MODE",
    "C8Y_SETTINGS_SESSION_HIDE",
    "C8Y_CERTIFICATE",
    "C8Y_CERTIFICATE_KEY",
    "C8Y_CREDENTIAL_TOTP_SECRET",
)


class Surroundings(NamedTuple):
    env: Mapping[str, str]
    cwd: Path
    user_home: Path
    stdout_tty: bool = False
    stderr_tty: bool = False
    stdin_tty: bool = False
    prompter: Prompter = NoPrompter()
    err: TextIO | None = None

    @property
    def session_home(self) -> Path:
        return session_home(self.env, self.user_home)

    def global_settings(self) -> dict[str, object]:
        return load_global_settings(self.env, self.user_home, self.cwd)

    def without_session_env(self) -> dict[str, str]:
        """The environment minus what an activated session exported (a new activation starts clean)."""
        return {name: value for name, value in self.env.items() if name.upper() not in SESSION_ENV}
