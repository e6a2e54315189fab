"""A new session file from ``c8y sessions create`` answers (go-c8y-cli.md §1.5); no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from c8ylink.core.errors import SessionError
from c8ylink.operator.auth.flows import PASSWORD_TYPES, parse_login_type
from c8ylink.operator.modes import DEFAULT_CONFIRMATION, check_mode_name
from c8ylink.operator.sessions.model import Session, default_session_name, normalize_host, session_file_name


@dataclass(frozen=True, slots=True)
class NewSession:
    host: str
    username: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    tenant: str = ""
    description: str = ""
    name: str = ""
    mode: str = ""
    login_type: str = ""
    browser_callback: str = ""
    no_tenant_prefix: bool = False
    no_storage: bool = False
    encrypt: bool = False
    allow_insecure: bool | None = None


def needs_username(login_type: str) -> bool:
    return parse_login_type(login_type) in PASSWORD_TYPES


def build_session(answers: NewSession) -> tuple[str, Session]:
    """``(file name, session)`` as go-c8y-cli writes it (password in plain text until activation)."""
    host = normalize_host(answers.host)
    login_type = parse_login_type(answers.login_type)
    if needs_username(login_type) and not answers.username:
        raise SessionError("a username is required for this login type: pass --username")
    settings: dict[str, object] = {"activityLog": {"enabled": True}}
    session = Session(
        host=host,
        tenant=answers.tenant,
        username=answers.username,
        password="" if answers.no_storage else answers.password,
        token="" if answers.no_storage else answers.token,
        description=answers.description,
        use_tenant_prefix=not answers.no_tenant_prefix,
        settings=settings,
    )
    if answers.mode:
        session = session.with_setting("session.mode", check_mode_name(answers.mode))
        session = session.with_setting("session.confirmation", DEFAULT_CONFIRMATION)
    if login_type:
        session = session.with_setting("login.type", login_type)
    if answers.browser_callback:
        session = session.with_setting("sso.browserCallbackUrl", answers.browser_callback)
    if answers.no_storage:
        session = session.with_setting("storage", {"storePassword": False, "storeToken": False})
    if answers.encrypt:
        session = session.with_setting("encryption", {"enabled": True, "cachePassphrase": True})
    if answers.allow_insecure is not None:
        session = session.with_setting("defaults.insecure", answers.allow_insecure)
    name = session_file_name(answers.name) if answers.name else default_session_name(host, answers.username)
    return name, session
