"""`c8y sessions login` / `set`: activate a session and print the shell code that exports it
(go-c8y-cli.md §1.6, §2). People-facing text goes to stderr; stdout is for ``eval``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from c8ylink.core.errors import UsageError
from c8ylink.operator.cli.options import OperatorContext, global_options, operator_context
from c8ylink.operator.flags import proxy_of

SECRET_VARIABLES = (
    "C8Y_PASSWORD",
    "C8Y_TOKEN",
    "C8Y_HEADER",
    "C8Y_HEADER_AUTHORIZATION",
    "C8Y_PASSPHRASE",
    "C8Y_PASSPHRASE_TEXT",
)
TTY_WARNING = """\
warning: running 'c8y sessions login' directly does not change your shell. Use one of:
    bash/zsh/sh:  eval "$(c8y sessions login)"
    fish:         c8y sessions login | source
    PowerShell:   c8y sessions login | Out-String | Invoke-Expression
  (or install the set-session helper: c8y cli install --shell bash|zsh|fish|powershell)
"""


def activation_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--from-env", "from_env", is_flag=True, help="Read the session from C8Y_* variables"),
        click.option(
            "--from-cmd",
            "from_cmd",
            default="",
            help="Read the session from a command's output (JSON or dotenv)",
        ),
        click.option("--loginType", "login_type", default="", help="Force a login type (e.g. DEVICE)"),
        click.option("--mode", default="", help="Session mode for this shell: dev, qual, prod, ci or prompt"),
        click.option("--clear", is_flag=True, help="Ignore a stored token: log in again"),
        click.option("--tfaCode", "tfa_code", default="", help="Two-factor code"),
        click.option("--shell", default=None, help="auto, bash, zsh, fish or powershell [default: auto]"),
        click.option(
            "--output-format",
            "output_format",
            type=click.Choice(["json", "dotenv"]),
            default=None,
            help="Print the session as JSON or dotenv instead of shell code",
        ),
        click.option(
            "--browserCallback", "browser_callback", default="", help="Callback of the BROWSER login"
        ),
        click.option("--sessionFilter", "session_filter", default="", help="Filter for the session picker"),
        click.argument("terms", nargs=-1),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def run_activation(ctx: click.Context, **values: Any) -> None:
    from c8ylink.operator.activation import ActivationRequest, activate

    ops = operator_context(ctx)
    shell, output_format = values["shell"], values["output_format"]
    if output_format is None and ops.flags.output in ("json", "dotenv"):
        output_format = ops.flags.output  # `sessions set --output json`, as the upstream provider is called
    if shell and output_format:
        raise UsageError("--shell and --output-format cannot be used together")
    if not output_format:
        from c8ylink.operator.sessions.env import choose_shell

        shell = choose_shell(shell or "auto", ops.where.env)  # a bad --shell fails before the login
    stdout_tty = ops.where.stdout_tty
    if stdout_tty:
        click.echo(TTY_WARNING * 1, err=True, nl=False)
    session = ops.flags.session or ""
    if values["from_env"] and values["from_cmd"]:
        raise UsageError("--from-env and --from-cmd cannot be used together")
    if not values["from_env"] and not values["from_cmd"] and not session:
        from c8ylink.operator.cli.sessions import pick_session

        session = str(pick_session(ops, [*values["session_filter"].split(), *values["terms"]]))
    request = ActivationRequest(
        session=session,
        from_env=values["from_env"],
        from_cmd=values["from_cmd"],
        terms=tuple(values["terms"]),
        login_type=values["login_type"],
        mode=values["mode"],
        clear=values["clear"],
        tfa_code=values["tfa_code"],
        insecure=ops.flags.insecure,
        proxy=proxy_of(ops.flags),
        browser_callback=values["browser_callback"],
    )
    activation = activate(request, ops.where)
    status = "Session is not active (see previous warning)" if stdout_tty else "✓ Session is now active"
    click.echo(status, err=True)
    click.echo(f"✓ Session is using {activation.result.login_type or 'BASIC'}", err=True)
    click.echo(activation.banner, err=True)
    variables = dict(activation.variables)
    if stdout_tty:  # never show secrets on a screen
        variables = {k: ("********" if v and k in SECRET_VARIABLES else v) for k, v in variables.items()}
    click.echo(_render(variables, activation, shell, output_format, ops), nl=False)


def _render(
    variables: dict[str, str],
    activation: Any,
    shell: str | None,
    output_format: str | None,
    ops: OperatorContext,
) -> str:
    from c8ylink.operator.sessions.env import choose_shell, render_dotenv, render_env

    if output_format == "dotenv":
        return render_dotenv(variables)
    if output_format == "json":
        document = {
            "host": variables["C8Y_HOST"],
            "tenant": variables["C8Y_TENANT"],
            "version": variables["C8Y_VERSION"],
            "username": variables["C8Y_USERNAME"],
            "password": variables["C8Y_PASSWORD"],
            "token": variables["C8Y_TOKEN"],
            "mode": activation.mode,
            "loginType": activation.result.login_type,
            "path": activation.session.path,
            "sessionUri": activation.session.session_uri,
        }
        if document["token"]:
            document.pop("password")
        return json.dumps(document, indent=2) + "\n"
    return render_env(variables, choose_shell(shell or "auto", ops.where.env))


@click.command(name="login")
@activation_options
@global_options
@click.pass_context
def login_cmd(ctx: click.Context, /, **values: Any) -> None:
    """Activate a session: pick one (or --session/--from-env), log in, print the variables to eval."""
    run_activation(ctx, **values)


@click.command(name="set")
@activation_options
@global_options
@click.pass_context
def set_cmd(ctx: click.Context, /, **values: Any) -> None:
    """Pick a session and activate it (the same as login)."""
    run_activation(ctx, **values)
