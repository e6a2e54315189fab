"""`c8y sessions create`: flags, and the prompts of go-c8y-cli.md §1.5 on a terminal."""

from __future__ import annotations

from dataclasses import replace

import click

from c8ylink.core.errors import SessionError
from c8ylink.infra.prompts import Prompter
from c8ylink.operator.cli.options import OperatorContext, global_options, operator_context
from c8ylink.operator.sessions.create import NewSession, build_session, needs_username
from c8ylink.operator.sessions.model import Session

LOGIN_TYPE_HELP = "BASIC, OAUTH2_INTERNAL, OAUTH2, BROWSER, DEVICE, CERTIFICATE or NONE"


@click.command(name="create")
@click.option("--host", default="", help="Cumulocity URL (https:// is added when missing)")
@click.option("--username", default="", help="Username (without tenant prefix)")
@click.option("--password", default="", help="Password (else $C8Y_PASSWORD, or prompted on a terminal)")
@click.option("--token", default="", help="An existing token to store")
@click.option("--tenant", default="", help="Tenant id (found at the first login when missing)")
@click.option("--description", default="", help="Description")
@click.option("--name", default="", help="File name [default: <hostname>-<username>]")
@click.option("--mode", "--type", "mode", default="", help="Session mode: dev, qual, prod, ci")
@click.option("--loginType", "login_type", default="", help=LOGIN_TYPE_HELP)
@click.option("--browserCallback", "browser_callback", default="", help="Callback of the BROWSER login")
@click.option("--noTenantPrefix", "no_tenant_prefix", is_flag=True, help="Basic auth without '<tenant>/'")
@click.option("--noStorage", "no_storage", is_flag=True, help="Store neither password nor token")
@click.option("--encrypt", is_flag=True, help="Encrypt secrets (on by default: encryption.enabled)")
@click.option("--allowInsecure", "allow_insecure", is_flag=True, default=None, help="Skip TLS checks")
@click.option("--prompt", "force_prompt", is_flag=True, help="Prompt even without a terminal")
@global_options
@click.pass_context
def create_cmd(ctx: click.Context, /, force_prompt: bool, **values: object) -> None:
    """Create a session file; prints its path."""
    from c8ylink.operator.sessions.store import ensure_home, save_session

    ops = operator_context(ctx)
    answers = NewSession(**values)  # type: ignore[arg-type]
    prompter = ops.where.prompter
    if prompter.interactive or force_prompt:
        answers = _ask(answers, prompter, ops)
    elif not answers.host:
        raise SessionError("--host is required (no terminal to prompt on)")
    elif not answers.password and not answers.no_storage:  # a script keeps it out of `ps`: C8Y_PASSWORD
        answers = replace(answers, password=ops.where.env.get("C8Y_PASSWORD", ""))
    elif needs_username(answers.login_type) and not answers.username:
        raise SessionError("--username is required for this login type (no terminal to prompt on)")
    name, session = build_session(answers)
    home = ensure_home(ops.where.session_home)
    target = home / name
    if target.exists():
        raise SessionError(f"{target} already exists: choose another --name, or edit or remove that file")
    session = _seal_secrets(session, ops)
    click.echo(str(save_session(session._replace(path=str(target)), target)))


def _seal_secrets(session: Session, ops: OperatorContext) -> Session:
    """Password and token ``{encrypted}`` when encryption is on (the default, or ``--encrypt``): never
    in clear in the file. The passphrase comes from ``C8Y_PASSPHRASE`` or a prompt, as at activation;
    without one the command fails before anything is written."""
    import os

    from c8ylink.operator.sessions.passphrase import Passphrases
    from c8ylink.operator.sessions.secrets import encrypt_text
    from c8ylink.operator.settings import SettingsLayers

    if not (session.password or session.token):
        return session
    where = ops.where
    settings = SettingsLayers(env=where.env, session=session.settings, global_file=where.global_settings())
    asked = session.setting("encryption.enabled") is True  # --encrypt outranks the environment
    if not (asked or settings.flag("encryption.enabled")):
        return session
    passphrase = Passphrases(where.session_home, where.env, where.prompter).unlock().passphrase

    def seal(value: str) -> str:
        return encrypt_text(value, passphrase, os.urandom) if value else ""

    return session._replace(password=seal(session.password), token=seal(session.token))


def _ask(answers: NewSession, prompter: Prompter, ops: OperatorContext) -> NewSession:
    from c8ylink.operator.modes import MODE_CHOICES
    from c8ylink.operator.sessions.model import default_session_name, normalize_host
    from c8ylink.operator.settings import env_name

    host = answers.host or prompter.text("Enter host")
    normalize_host(host)
    login_type = answers.login_type or _ask_login_type(host, prompter, ops, answers.allow_insecure)
    username, password = answers.username, answers.password
    if needs_username(login_type):
        default_user = str(ops.where.env.get(env_name("session.defaultUsername"), ""))
        username = username or prompter.text("Enter username", default=default_user)
        if not password and not answers.no_storage:
            password = prompter.secret("Enter c8y password")
    tenant = answers.tenant or prompter.text("Enter tenant id (empty: found at login)", required=False)
    callback = answers.browser_callback
    if login_type == "BROWSER" and not callback:
        callback = prompter.text("Enter browser callback", default="http://localhost:5001/callback")
    mode = answers.mode or prompter.select(
        "Select mode", [(m, _MODE_LABELS[m]) for m, _ in MODE_CHOICES], default="prod"
    )
    insecure = answers.allow_insecure
    if insecure is None:
        insecure = prompter.confirm("Allow insecure TLS (skip certificate checks)?", default=False) or None
    name = answers.name or prompter.text(
        "Enter session name", default=default_session_name(host, username).removesuffix(".json")
    )
    description = answers.description or prompter.text("Enter description", required=False)
    return replace(
        answers,
        host=host,
        login_type="" if login_type == "auto" else login_type,
        username=username,
        password=password,
        tenant=tenant,
        browser_callback=callback,
        mode=mode,
        allow_insecure=insecure,
        name=name,
        description=description,
    )


_MODE_LABELS = {
    "prod": "prod (read only)",
    "qual": "qual (delete disabled)",
    "dev": "dev (no restrictions)",
    "ci": "ci (no restrictions)",
}


def _ask_login_type(host: str, prompter: Prompter, ops: OperatorContext, insecure: bool | None) -> str:
    """ "Select login type": what the tenant's loginOptions offer (plus BROWSER/DEVICE, CERTIFICATE)."""
    from c8ylink.core.errors import C8yLinkError
    from c8ylink.infra.net.http import HttpClient
    from c8ylink.operator.auth.login import login_types_offered
    from c8ylink.operator.client import TlsOptions
    from c8ylink.operator.flags import proxy_of
    from c8ylink.operator.sessions.model import normalize_host

    tls = TlsOptions.from_env(
        ops.where.env, insecure=bool(insecure or ops.flags.insecure), proxy=proxy_of(ops.flags)
    )
    options: list[dict[str, object]] = []
    try:
        with HttpClient(normalize_host(host), ssl_context=tls.context(), timeout=15, proxy=tls.proxy) as http:
            answer = http.request("GET", "/tenant/loginOptions", headers={"Accept": "application/json"})
            body = answer.json_or_none() if answer.ok else None
            options = list(body.get("loginOptions", [])) if isinstance(body, dict) else []
    except C8yLinkError as exc:
        prompter.write(f"warning: cannot read the tenant's login options ({exc}); offering all types\n")
    offered = (
        login_types_offered(options)
        if options
        else ["BASIC", "OAUTH2_INTERNAL", "BROWSER", "DEVICE", "CERTIFICATE"]
    )
    choices = [("auto", "Use tenant default"), *((kind, "") for kind in offered)]
    return prompter.select("Select login type", choices, default="auto")
