"""Options shared by several `tedge` commands: ``--profile`` / ``TEDGE_CLOUD_PROFILE``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from c8ylink.core.errors import ConfigError
from c8ylink.core.settings.errors import ProfileError
from c8ylink.core.settings.schema import parse_profile_name
from c8ylink.core.settings.types import rust_debug_str
from c8ylink.device.cli.errors import invalid_value
from c8ylink.device.settings import ENV_CLOUD_PROFILE

F = TypeVar("F", bound=Callable[..., Any])


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
