"""The session a normal command runs with, its HTTP client and its mode gate (what REST commands use).

    session = load_active_session(where, session_flag)       # --session > C8Y_SETTINGS_DEFAULTS_SESSION
                                                              # > C8Y_SESSION > C8Y_HOST... (env only)
    client = open_client(session, where, insecure=...)        # C8yClient with renewal
    gate = write_gate(session, where, session_mode=..., force=..., dry=...)
    gate.check(CommandIntent("c8y inventory create", "POST", "Create managed object", "name=hello"))

A session named with ``--session`` is read from its file alone; one activated in the shell
(``C8Y_SESSION``) takes the activation's variables (token, tenant, ...) over the file, as upstream.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from c8ylink.core.errors import AuthError, SessionError
from c8ylink.core.exit_codes import C8yExit
from c8ylink.operator.client import DEFAULT_TIMEOUT, C8yClient, ClientConfig, Renewer, TlsOptions
from c8ylink.operator.credentials import BASIC as BASIC_AUTH
from c8ylink.operator.credentials import BEARER, Credentials, token_claims
from c8ylink.operator.environment import Surroundings
from c8ylink.operator.login_types import BASIC, BROWSER, CERTIFICATE, DEVICE, NONE, OAUTH2, choose_login_type
from c8ylink.operator.sessions.model import Session, host_name, normalize_host
from c8ylink.operator.sessions.secrets import DecryptionError, decrypt_text, encrypt_text, is_encrypted
from c8ylink.operator.sessions.store import find_session_file, is_uri_session, load_session, save_session
from c8ylink.operator.settings import LEGACY_CONFIRMATION, SettingsLayers, env_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

    from c8ylink.infra.prompts import Prompter
    from c8ylink.operator.activity_log import ActivityLog
    from c8ylink.operator.gate import WriteGate
    from c8ylink.operator.response_cache import CacheOptions

NO_SESSION = int(C8yExit.NO_SESSION)


def no_session_loaded() -> SessionError:
    """The error of every command that needs a session when none is active (exit 102)."""
    return SessionError("no session loaded: run set-session (or pass --session NAME)", exit_code=NO_SESSION)


def active_session_name(where: Surroundings, session_flag: str | None) -> tuple[str, bool]:
    """``(name, explicit)``: the session to use and whether the command line named it."""
    if session_flag:
        return session_flag, True
    from_settings = where.env.get(env_name("defaults.session"), "")
    if from_settings:
        return from_settings, True
    return where.env.get("C8Y_SESSION", ""), False


def _env_overrides(session: Session, env: dict[str, str] | os._Environ[str]) -> Session:
    host = next((env[n] for n in ("C8Y_HOST", "C8Y_URL", "C8Y_BASEURL") if env.get(n)), "")
    return session._replace(
        host=host or session.host,
        tenant=env.get("C8Y_TENANT") or session.tenant,
        username=env.get("C8Y_USERNAME") or env.get("C8Y_USER") or session.username,
        password=env.get("C8Y_PASSWORD") or session.password,
        token=env.get("C8Y_TOKEN") or session.token,
        login_type=env.get(env_name("login.type")) or session.login_type,
        certificate=env.get("C8Y_CERTIFICATE") or session.certificate,
        certificate_key=env.get("C8Y_CERTIFICATE_KEY") or session.certificate_key,
    )


def load_active_session(where: Surroundings, session_flag: str | None = None) -> Session:
    name, explicit = active_session_name(where, session_flag)
    if name and not is_uri_session(name):
        session = load_session(find_session_file(name, where.session_home, where.cwd))
        if explicit:
            return session
        overridden = _env_overrides(session, dict(where.env))
        env_token = where.env.get("C8Y_TOKEN", "")
        if env_token and session.token and _expires_soon(env_token, session, where):
            # a token renewed into the file outlives the shell's copy (only then is the file's unlocked)
            overridden = overridden._replace(token=pick_token(env_token, _secret(session.token, where)))
        return overridden
    if where.env.get("C8Y_HOST") or where.env.get("C8Y_URL") or where.env.get("C8Y_BASEURL"):
        session = _env_overrides(Session(session_uri=name or "env://"), dict(where.env))
        return session._replace(session_uri=name or f"env://{host_name(session.host)}")
    raise no_session_loaded()


def _expires_soon(token: str, session: Session, where: Surroundings) -> bool:
    import time

    from c8ylink.operator.credentials import token_expiry

    expiry = token_expiry(token)
    renew_before = settings_of(session, where).seconds("session.tokenRenewBefore")
    return expiry is not None and expiry - time.time() <= renew_before


def settings_of(session: Session, where: Surroundings) -> SettingsLayers:
    return SettingsLayers(env=where.env, session=session.settings, global_file=where.global_settings())


def _secret(value: str, where: Surroundings) -> str:
    """A stored secret for a normal command: decrypted with C8Y_PASSPHRASE (no prompt, as upstream)."""
    if not is_encrypted(value):
        return value
    passphrase = where.env.get("C8Y_PASSPHRASE", "")
    if not passphrase:
        return ""
    try:
        return decrypt_text(value, passphrase)
    except DecryptionError:
        return ""


def credentials_of(session: Session, where: Surroundings) -> Credentials:
    token = _secret(session.token, where)
    kind = choose_login_type(session.login_type, has_certificate=bool(session.certificate))
    if kind == NONE:
        return Credentials()
    if token and kind != BASIC:
        # the password is needed only to renew the token: the renewer unlocks it then
        plain = "" if is_encrypted(session.password) else session.password
        return Credentials(BEARER, session.username, session.tenant, plain, token)
    password = _secret(session.password, where)
    if session.username and password:
        return Credentials(
            BASIC_AUTH,
            session.username,
            session.tenant,
            password,
            use_tenant_prefix=session.use_tenant_prefix,
        )
    if token:
        return Credentials(BEARER, session.username, session.tenant, password, token)
    locked = [name for name, value in (("password", session.password), ("token", session.token)) if value]
    if locked and all(is_encrypted(getattr(session, name)) for name in locked):
        raise _locked_error(" and ".join(locked), where)
    raise AuthError("the session has neither a token nor a password: run set-session to log in")


def _locked_error(what: str, where: Surroundings) -> DecryptionError:
    """Encrypted secrets a normal command cannot open (it does not prompt for the passphrase)."""
    several = " and " in what
    if where.env.get("C8Y_PASSPHRASE"):
        reason = f"C8Y_PASSPHRASE does not decrypt {'them' if several else 'it'}"
    else:
        reason = "C8Y_PASSPHRASE is not set"
    return DecryptionError(
        f"the session's {what} {'are' if several else 'is'} encrypted and {reason}: "
        "export C8Y_PASSPHRASE=<your passphrase>, or activate the session with set-session"
    )


def open_client(
    session: Session,
    where: Surroundings,
    *,
    insecure: bool = False,
    timeout: float | None = None,
    proxy: str | None = None,
    log: TextIO | None = None,
    debug: bool = False,
    activity: ActivityLog | None = None,
    cache: CacheOptions | None = None,
) -> C8yClient:
    settings = settings_of(session, where)
    tls = TlsOptions.from_env(
        where.env,
        insecure=insecure or settings.flag("defaults.insecure"),
        cert=session.certificate,
        key=session.certificate_key,
        proxy=proxy,
    )
    config = ClientConfig(
        base_url=normalize_host(session.host),
        credentials=credentials_of(session, where),
        tls=tls,
        domain=session.domain,
        renew_before=settings.seconds("session.tokenRenewBefore"),
        timeout=timeout or DEFAULT_TIMEOUT,
    )
    return C8yClient(
        config,
        renew=_renewer(session, where, settings),
        on_renewed=_store_renewed(session, where, settings),
        log=log,
        debug=debug,
        activity=activity,
        cache=cache,
    )


def _renewer(session: Session, where: Surroundings, settings: SettingsLayers) -> Renewer | None:
    """A new token before the old one expires: password (OAUTH2_INTERNAL) or client certificate."""
    kind = choose_login_type(session.login_type, has_certificate=bool(session.certificate))
    if kind in (DEVICE, OAUTH2, BROWSER):
        return None  # needs a person at a browser: the expiry error says to run set-session

    def renew(config: ClientConfig) -> Credentials:
        from c8ylink.operator.auth.login import LoginRequest, run_login

        password = config.credentials.password or _secret(session.password, where)
        if kind != CERTIFICATE and not password:
            raise AuthError("the session token expires and there is no password to renew it: run set-session")
        request = LoginRequest(
            host=config.base_url,
            username=session.username,
            password=password,
            tenant=session.tenant,
            use_tenant_prefix=session.use_tenant_prefix,
            login_type=kind or "OAUTH2_INTERNAL",
            totp_secret=session.totp_secret,
            clear=True,
            certificate_url=settings.text("login.certificateUrl"),
        )
        result = run_login(request, tls=config.tls, prompter=where.prompter)
        return result.credentials

    return renew


def _store_renewed(
    session: Session, where: Surroundings, settings: SettingsLayers
) -> Callable[[Credentials], None]:
    def store(credentials: Credentials) -> None:
        if where.err is not None:
            where.err.write("✓ renewed the session token (it was about to expire)\n")
        if not session.path or not settings.flag("storage.storeToken"):
            return
        stored = load_session(Path(session.path))
        token = credentials.token
        passphrase = where.env.get("C8Y_PASSPHRASE", "")
        if settings.flag("encryption.enabled"):
            if not passphrase:
                return
            token = encrypt_text(token, passphrase, os.urandom)
        save_session(stored._replace(token=token), Path(session.path))

    return store


def pick_token(env_token: str, file_token: str) -> str:
    """Of two tokens of one session, the one that lives longer (a renewed token in the file wins)."""
    env_exp = token_claims(env_token).get("exp", 0)
    file_exp = token_claims(file_token).get("exp", 0)
    return file_token if isinstance(file_exp, int | float) and file_exp > (env_exp or 0) else env_token


def session_mode(session: Session, where: Surroundings, flag: str | None) -> str:
    from c8ylink.operator.modes import resolve_mode

    return resolve_mode(
        flag=flag, env=where.env, session_settings=session.settings, global_settings=where.global_settings()
    )


def _confirmation(session: Session, settings: SettingsLayers) -> str:
    """``settings.session.confirmation``; a file that has only the [old] ``settings.mode.confirmation``
    (next to the legacy ``mode.enable*`` switches) uses that."""
    from c8ylink.operator.sessions.model import get_setting

    legacy = get_setting(session.settings, LEGACY_CONFIRMATION)
    if legacy is not None and settings.value("session.confirmation", default=_UNSET) is _UNSET:
        return str(legacy)
    return settings.text("session.confirmation")


_UNSET = object()


def write_gate(
    session: Session,
    where: Surroundings,
    *,
    session_mode_flag: str | None = None,
    force: bool = False,
    dry: bool = False,
    confirm: bool = False,
    confirm_text: str = "",
    prompter: Prompter | None = None,
) -> WriteGate:
    """The mode gate + confirmation for one command run. The confirmation asks on a terminal: stdin, or
    the given ``prompter``, e.g. /dev/tty while stdin carries piped input; the "Session Mode Mismatch"
    question only when stdin is a terminal (else the disabled-mode error, exit 101)."""
    from c8ylink.infra.prompts import stdin_prompter
    from c8ylink.operator.gate import GateOptions, WriteGate, parse_confirmation
    from c8ylink.operator.modes import allowed_summary, is_ci

    settings = settings_of(session, where)
    mode = session_mode(session, where, session_mode_flag)
    banner = "\n".join(
        [
            f"mode         : {allowed_summary(mode)}",
            f"host         : {host_name(session.host)}",
            f"tenant       : {session.tenant}",
            f"username     : {session.username}",
        ]
    )
    options = GateOptions(
        mode=mode,
        ci=is_ci(where.env),
        confirmation=parse_confirmation(_confirmation(session, settings)),
        force=force,
        confirm=confirm,
        confirm_text=confirm_text,
        dry=dry,
        banner=banner,
    )
    # the mode mismatch question only when stdin itself is a terminal (piped input: go-c8y-cli's error)
    on_stdin = stdin_prompter() if where.prompter.interactive else where.prompter
    return WriteGate(options, prompter or on_stdin, mode_prompter=on_stdin)
