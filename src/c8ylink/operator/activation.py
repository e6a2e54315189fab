"""Activating a session (go-c8y-cli.md §1.6, §3.3): ``c8y sessions login`` without the command line.

    activation = activate(ActivationRequest(...), surroundings)
    activation.variables     # C8Y_* to export (§2.1)
    activation.banner        # the "Cumulocity Session" block for stderr

Steps: read the session (file or environment) -> unlock encrypted secrets -> log in -> write back what
changed (tenant, version, token, password; encrypted when enabled; nothing is written when anything
before fails) -> choose the mode -> build the variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from c8ylink.core.errors import SessionError
from c8ylink.operator.auth.flows import CERTIFICATE, NONE, choose_login_type
from c8ylink.operator.auth.login import LoginRequest, LoginResult, run_login
from c8ylink.operator.auth.sso import SsoOptions
from c8ylink.operator.client import TlsOptions
from c8ylink.operator.credentials import BEARER
from c8ylink.operator.environment import Surroundings
from c8ylink.operator.modes import MODE_CHOICES, allowed_summary, is_ci, legacy_mode, parse_mode
from c8ylink.operator.sessions.model import Session, host_domain, host_name, normalize_host
from c8ylink.operator.sessions.passphrase import Passphrases
from c8ylink.operator.sessions.secrets import DecryptionError, decrypt_text, encrypt_text, is_encrypted
from c8ylink.operator.sessions.store import find_session_file, load_session, save_session
from c8ylink.operator.settings import SettingsLayers, env_name


@dataclass(frozen=True, slots=True)
class ActivationRequest:
    session: str = ""  # name or path ("" with from_env / from_cmd)
    from_env: bool = False
    from_cmd: str = ""  # a command that prints the session (operator.sessions.provider)
    terms: tuple[str, ...] = ()  # the picker terms, handed to a --from-cmd command
    login_type: str = ""
    mode: str = ""  # "", a mode, or "prompt"
    clear: bool = False
    tfa_code: str = field(default="", repr=False)
    insecure: bool = False
    proxy: str | None = None  # None: the environment's, "": none (--noProxy)
    browser_callback: str = ""


@dataclass(frozen=True, slots=True)
class Activation:
    session: Session
    result: LoginResult
    mode: str
    variables: dict[str, str]
    banner: str
    passphrase: str = field(default="", repr=False)


def session_from_env(env: dict[str, str] | os._Environ[str]) -> Session:
    """``--from-env``: every variable of go-c8y-cli.md §2.4 that describes a session."""
    host = next((env.get(name, "") for name in ("C8Y_HOST", "C8Y_URL", "C8Y_BASEURL") if env.get(name)), "")
    if not host:
        raise SessionError("invalid session. host is empty: set C8Y_HOST (or C8Y_URL/C8Y_BASEURL)")
    username = env.get("C8Y_USERNAME") or env.get("C8Y_USER") or ""
    return Session(
        host=host,
        tenant=env.get("C8Y_TENANT", ""),
        username=username,
        password=env.get("C8Y_PASSWORD", ""),
        token=env.get("C8Y_TOKEN", ""),
        totp_secret=env.get("C8Y_CREDENTIAL_TOTP_SECRET", ""),
        certificate=env.get("C8Y_CERTIFICATE", ""),
        certificate_key=env.get("C8Y_CERTIFICATE_KEY", ""),
        login_type=env.get(env_name("login.type"), ""),
        mode=env.get("C8Y_MODE", ""),
        session_uri=f"env://{host_name(host)}",
    )


def load_requested_session(request: ActivationRequest, where: Surroundings) -> Session:
    if request.from_env:
        return session_from_env(dict(where.env))
    if request.from_cmd:
        from c8ylink.operator.sessions.provider import (
            build_provider_command,
            parse_provider_output,
            run_provider,
            session_from_provider,
        )

        argv = build_provider_command(
            request.from_cmd, clear=request.clear, login_type=request.login_type, terms=request.terms
        )
        return session_from_provider(parse_provider_output(run_provider(argv)), request.from_cmd)
    path = find_session_file(request.session, where.session_home, where.cwd)
    return load_session(path)


def settings_for(session: Session, where: Surroundings, env: dict[str, str]) -> SettingsLayers:
    return SettingsLayers(env=env, session=session.settings, global_file=where.global_settings())


class _Secrets:
    """Decrypts the session's secrets and encrypts what is written back, with one passphrase."""

    def __init__(self, session: Session, settings: SettingsLayers, where: Surroundings, env: dict[str, str]):
        self.enabled = settings.flag("encryption.enabled")
        self.passphrase = ""
        self.lost: list[str] = []
        values = [session.password, session.token]
        if not any(is_encrypted(v) for v in values) and not (self.enabled and session.path):
            return  # nothing to decrypt, and no file to write encrypted (e.g. --from-env in CI)
        unlocked = Passphrases(where.session_home, env, where.prompter).unlock(
            [] if _is_new_key(where) else values
        )
        self.passphrase = unlocked.passphrase
        self.created = unlocked.created

    def open(self, value: str, what: str) -> str:
        if not is_encrypted(value):
            return value
        try:
            return decrypt_text(value, self.passphrase)
        except DecryptionError:
            if not getattr(self, "created", False):
                raise
            self.lost.append(what)  # the lost-passphrase procedure: .key was removed
            return ""

    def seal(self, value: str) -> str:
        if not value or not self.enabled:
            return value
        return encrypt_text(value, self.passphrase, os.urandom)


def _is_new_key(where: Surroundings) -> bool:
    return not (where.session_home / ".key").exists() and not is_encrypted(
        where.env.get("C8Y_PASSPHRASE_TEXT", "")
    )


def activate(request: ActivationRequest, where: Surroundings) -> Activation:
    _check_mode_flag(request.mode)  # before anything is unlocked, sent or written
    env = dict(where.env) if request.from_env else where.without_session_env()
    session = load_requested_session(request, where)
    host = normalize_host(session.host)
    settings = settings_for(session, where, env)
    secrets = _Secrets(session, settings, where, env)
    login_request = _login_request(request, session, settings, secrets, host)
    for what in secrets.lost:
        where.prompter.write(
            f"warning: the stored {what} was encrypted with a lost passphrase; enter it again\n"
        )
    insecure = request.insecure or settings.flag("defaults.insecure")
    tls = TlsOptions.from_env(
        env, insecure=insecure, cert=session.certificate, key=session.certificate_key, proxy=request.proxy
    )
    result = run_login(login_request, tls=tls, prompter=where.prompter)
    if session.path:
        session = _write_back(session, result, settings, secrets)
    mode = choose_mode(request.mode, session, env, where)
    variables = build_variables(session, result, mode, settings, secrets.passphrase)
    banner = render_banner(session, result, mode, host, hide=settings.flag("session.hide"))
    return Activation(session, result, mode, variables, banner, secrets.passphrase)


def _login_request(
    request: ActivationRequest, session: Session, settings: SettingsLayers, secrets: _Secrets, host: str
) -> LoginRequest:
    login_type = choose_login_type(
        request.login_type,
        session.login_type,
        settings.text("login.type"),
        has_certificate=bool(session.certificate),
    )
    return LoginRequest(
        host=host,
        username=session.username,
        password=secrets.open(session.password, "password"),
        tenant=session.tenant,
        token=secrets.open(session.token, "token"),
        use_tenant_prefix=session.use_tenant_prefix,
        login_type=login_type,
        tfa_code=request.tfa_code,
        totp_secret=session.totp_secret,
        clear=request.clear,
        # a token handed in (C8Y_TOKEN) is used as long as it is valid: that is what it is for
        token_valid_for=0 if request.from_env else settings.seconds("session.tokenValidFor"),
        certificate_url=settings.text("login.certificateUrl"),
        sso=SsoOptions(
            scopes=settings.text("sso.scopes"),
            audience=settings.text("sso.audience"),
            discovery_url=settings.text("sso.discoveryUrl"),
            callback_url=request.browser_callback or settings.text("sso.browserCallbackUrl"),
        ),
    )


def _write_back(
    session: Session, result: LoginResult, settings: SettingsLayers, secrets: _Secrets
) -> Session:
    stored_token = result.credentials.token if result.credentials.kind == BEARER else ""
    updated = session._replace(
        tenant=result.tenant or session.tenant,
        version=result.version or session.version,
        username=session.username
        or (result.username if result.login_type not in (CERTIFICATE, NONE) else ""),
    )
    if settings.flag("storage.storePassword") and result.password:
        updated = updated._replace(password=_keep_or_seal(session.password, result.password, secrets))
    if settings.flag("storage.storeToken"):
        updated = updated._replace(token=_keep_or_seal(session.token, stored_token, secrets))
    if not secrets.enabled:
        updated = updated._replace(
            password=secrets.open(updated.password, "password"),
            token=secrets.open(updated.token, "token"),
        )
    if updated != session:
        save_session(updated, Path(session.path))
    return updated


def _keep_or_seal(stored: str, plain: str, secrets: _Secrets) -> str:
    """Keep the stored (encrypted) value when it still holds ``plain``; else store ``plain`` anew."""
    if stored and is_encrypted(stored) and secrets.enabled and secrets.passphrase:
        try:
            if decrypt_text(stored, secrets.passphrase) == plain:
                return stored
        except DecryptionError:
            pass
    return secrets.seal(plain)


def _check_mode_flag(flag: str) -> None:
    wanted = flag.strip().lower()
    if wanted and wanted != "prompt" and parse_mode(wanted) is None:
        raise SessionError(f"invalid mode {flag!r}: use dev, qual, prod, ci or prompt")


def choose_mode(flag: str, session: Session, env: dict[str, str], where: Surroundings) -> str:
    if is_ci(env):
        return "ci"
    wanted = flag.strip().lower()
    if wanted and wanted != "prompt":
        _check_mode_flag(flag)
        return str(parse_mode(wanted))
    configured = (
        parse_mode(session.mode)
        or parse_mode(str(session.setting("session.mode") or ""))
        or legacy_mode(session.settings)
    )
    if configured is not None and wanted != "prompt":
        return configured
    if where.prompter.interactive:
        return where.prompter.select("Select session mode", list(MODE_CHOICES), default=configured or "prod")
    return configured or ""


def build_variables(
    session: Session, result: LoginResult, mode: str, settings: SettingsLayers, passphrase: str
) -> dict[str, str]:
    credentials = result.credentials
    host = normalize_host(session.host)
    bearer = credentials.kind == BEARER
    password = result.password or ""
    if bearer and not settings.flag("session.alwaysIncludePassword"):
        password = ""
    authorization = credentials.authorization
    variables = {
        "C8Y_SESSION": session.path or session.session_uri,
        "C8Y_HOST": host,
        "C8Y_URL": host,
        "C8Y_BASEURL": host,
        "C8Y_DOMAIN": session.domain or host_domain(host),
        "C8Y_TENANT": result.tenant,
        "C8Y_VERSION": result.version,
        "C8Y_USER": result.username,
        "C8Y_USERNAME": result.username,
        "C8Y_PASSWORD": password,
        "C8Y_TOKEN": credentials.token if bearer else "",
        "C8Y_HEADER_AUTHORIZATION": authorization,
        "C8Y_HEADER": f"Authorization: {authorization}" if authorization else "",
        env_name("login.type"): result.login_type,
        "C8Y_MODE": mode,
    }
    if settings.flag("encryption.cachePassphrase") and passphrase:
        from c8ylink.operator.sessions.secrets import KEY_TEXT

        variables["C8Y_PASSPHRASE"] = passphrase
        variables["C8Y_PASSPHRASE_TEXT"] = encrypt_text(KEY_TEXT, passphrase, os.urandom)
    return variables


def render_banner(session: Session, result: LoginResult, mode: str, host: str, *, hide: bool = False) -> str:
    """The "Cumulocity Session" block; ``hide`` (``settings.session.hide``) masks host, tenant, user."""
    source = f"    path: {session.path}" if session.path else f"    source: {session.session_uri}"
    values = {"host": host_name(host), "tenant": result.tenant, "username": result.username}
    if hide:
        values = {key: "{" + key + "}" for key in values}
        source = "    path: {path}" if session.path else "    source: {source}"
    rows = [
        ("mode", allowed_summary(mode or "prod")),
        ("host", values["host"]),
        ("tenant", values["tenant"]),
        ("version", result.version or "unknown"),
        ("username", values["username"]),
        ("authType", result.credentials.auth_type),
    ]
    title = "Cumulocity Session (sensitive info is hidden)" if hide else "Cumulocity Session"
    lines = ["", f"---------------------  {title}  ---------------------", "", source, "", ""]
    lines += [f"{label:<12} : {value}" for label, value in rows]
    return "\n".join(lines) + "\n"
