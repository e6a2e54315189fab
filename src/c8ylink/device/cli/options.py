"""Options shared by several commands: ``--profile`` / ``TEDGE_CLOUD_PROFILE`` (tedge), and the options
of the two services, `tedge-mapper` and `tedge-agent` (``--config-dir``, ``--debug``, ``--log-level``,
``-V``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from c8ylink.core.errors import ConfigError
from c8ylink.core.settings.durations import Duration, parse_duration
from c8ylink.core.settings.errors import ProfileError, ValueParseError
from c8ylink.core.settings.schema import parse_profile_name
from c8ylink.core.settings.types import rust_debug_str
from c8ylink.device.cli.errors import invalid_value
from c8ylink.device.cli.spec import LOG_LEVELS
from c8ylink.device.config.settings import ENV_CLOUD_PROFILE

F = TypeVar("F", bound=Callable[..., Any])


def service_options(command: F) -> F:
    """``--config-dir``, ``--debug`` and ``--log-level`` of the services, as upstream lists them."""
    command = click.option(
        "--log-level",
        type=click.Choice(LOG_LEVELS, case_sensitive=False),
        default=None,
        help="Configures the logging level",
    )(command)
    command = click.option(
        "--debug", is_flag=True, help="Turn-on the DEBUG log level. If off only reports ERROR, WARN, and INFO"
    )(command)
    return click.option(
        "--config-dir",
        type=click.Path(file_okay=False, readable=False, path_type=str),
        default=None,
        help="[env: TEDGE_CONFIG_DIR] [default: /etc/tedge]",
    )(command)


def service_version(prog_name: str) -> Callable[[F], F]:
    """``-V, --version`` printing ``<prog_name> <version>``."""
    return click.version_option(
        None, "-V", "--version", package_name="c8ylink", prog_name=prog_name, message="%(prog)s %(version)s"
    )


def profile_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--profile",
        "profile",
        default=None,
        metavar="PROFILE",
        help=f"{help_text} [env: {ENV_CLOUD_PROFILE}]",
    )


def option_profile(value: str | None) -> str | None:
    """The ``--profile`` value, validated and lower-cased (a usage error, exit 2, when invalid)."""
    if value is None:
        return None
    try:
        return parse_profile_name(value)
    except ProfileError as exc:
        raise invalid_value(value, "--profile <PROFILE>", str(exc)) from None


def env_profile(env: Mapping[str, str]) -> str | None:
    """``TEDGE_CLOUD_PROFILE`` when set and not empty."""
    value = env.get(ENV_CLOUD_PROFILE, "")
    if not value:
        return None
    try:
        return parse_profile_name(value)
    except ProfileError as exc:
        raise ConfigError(
            f"Parsing profile from environment variable {ENV_CLOUD_PROFILE}={rust_debug_str(value)}"
        ) from exc


def selected_profile(option: str | None, env: Mapping[str, str]) -> str | None:
    """``--profile`` if given, else ``TEDGE_CLOUD_PROFILE``, else ``None`` (the default profile)."""
    return option_profile(option) if option is not None else env_profile(env)


def duration_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Duration | None:
    """A click callback: the option's duration (``60``, ``60s``, ``1min``), else upstream's error."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueParseError as exc:
        name = (param.name or "").replace("_", "-")
        raise invalid_value(value, f"--{name} <{name.upper().replace('-', '_')}>", str(exc)) from None
