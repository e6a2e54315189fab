"""``c8y sessions login --from-cmd "<command>"``: a session from an external command (go-c8y-cli.md §1,
"sessions login"): the command is split with shell quoting, given ``--clear``, ``--loginType=<x>`` and the
picker terms as upstream does, run with stdin and stderr inherited, and its stdout read as a JSON object,
else as dotenv (``C8Y_HOST=...``). Keys are matched case-insensitively, with or without a ``c8y_`` prefix:
``host, tenant, username, password, token, mode, loginType, sessionUri``.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from c8ylink.core.errors import SessionError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.operator.sessions.model import Session, host_name

USER = int(C8yExit.USER)


def build_provider_command(command: str, *, clear: bool, login_type: str, terms: Sequence[str]) -> list[str]:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise SessionError(f"cannot read --from-cmd {command!r}: {exc}", exit_code=USER) from None
    if not argv:
        raise SessionError("--from-cmd is empty: give the command that prints the session", exit_code=USER)
    return [
        *argv,
        *(["--clear"] if clear else []),
        *([f"--loginType={login_type}"] if login_type else []),
        *terms,
    ]


def parse_provider_output(text: str) -> dict[str, Any]:
    """A JSON object, else dotenv lines (``NAME=value``, quotes removed, ``#`` comments skipped)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except ValueError as exc:
            raise SessionError(f"the session command printed invalid JSON: {exc}", exit_code=USER) from None
        if isinstance(document, dict):
            return document
    found: dict[str, Any] = {}
    for raw in stripped.splitlines():
        line = raw.strip().removeprefix("export ")
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found[name.strip()] = value
    return found


def session_from_provider(document: Mapping[str, Any], command: str) -> Session:
    values: dict[str, str] = {}
    for key, value in document.items():
        name = str(key).lower().removeprefix("c8y_").replace("_", "")
        values.setdefault(name, "" if value is None else str(value))
    host = values.get("host") or values.get("url") or values.get("baseurl") or ""
    if not host:
        raise SessionError(f"invalid session. host is empty (from the command {command!r})", exit_code=USER)
    return Session(
        host=host,
        tenant=values.get("tenant", ""),
        username=values.get("username") or values.get("user", ""),
        password=values.get("password", ""),
        token=values.get("token", ""),
        login_type=values.get("logintype", ""),
        mode=values.get("mode", ""),
        authorized=values.get("authorized", "").lower() == "true",
        session_uri=values.get("sessionuri") or f"external://{host_name(host)}",
    )


def run_provider(argv: Sequence[str]) -> str:
    """The command's stdout (stdin and stderr are the user's: it may prompt)."""
    try:
        done = subprocess.run(list(argv), stdout=subprocess.PIPE, text=True, check=False)
    except OSError as exc:
        raise SessionError(
            f"cannot run the session command {argv[0]}: {exc.strerror}", exit_code=USER
        ) from None
    if done.returncode != 0:
        raise SessionError(
            f"the session command {argv[0]} failed (exit code {done.returncode})", exit_code=USER
        )
    return done.stdout
