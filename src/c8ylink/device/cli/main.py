"""The `tedge` console script: answers its two hottest invocations before click is imported.

``tedge --help`` and ``tedge config get KEY`` run in scripts and health checks, often in loops, and
importing click costs more than starting the interpreter. This module handles exactly these two, and
only when the answer is the plain success case (a value on stdout, nothing on stderr); anything else,
including every error and warning, goes to the click CLI (``root.main``), which prints it. The output is
the same either way: ``tests/unit/device/cli/test_quick.py`` compares both paths.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # start-up path: see core/records.py
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import NoReturn

HELP_FLAGS = ("-h", "--help")
# the names ``tedge`` answers to when started through a link (``device.install.links``, `tedge init`)
MULTICALL = ("tedge-agent", "tedge-mapper")


def main(args: Sequence[str] | None = None) -> NoReturn:
    if args is None:
        called_as = os.path.basename(sys.argv[0])
        if called_as in MULTICALL:
            run_component(called_as)
    argv = list(sys.argv[1:] if args is None else args)
    answer = quick_answer(argv, os.environ)
    if answer is not None:
        sys.stdout.write(answer)
        sys.stdout.flush()
        sys.exit(0)
    from c8ylink.device.cli.root import main as run_click_cli

    run_click_cli(argv)


def run_component(name: str) -> NoReturn:
    """Run the component ``name`` (one of ``MULTICALL``) with this process's arguments."""
    if name == "tedge-agent":
        from c8ylink.device.cli.agent import main as component_main
    else:
        from c8ylink.device.cli.mapper import main as component_main
    component_main()


def quick_answer(argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """What stdout gets for ``--help`` / ``config get KEY`` in the plain success case, else ``None``."""
    if len(argv) == 1 and argv[0] in HELP_FLAGS:
        from c8ylink.infra.cli.help import help_width

        return render_root_help(help_width(env))
    parsed = _parse_config_get(argv)
    if parsed is None:
        return None
    config_dir, key, profile = parsed
    try:
        return _config_get(config_dir or env.get("TEDGE_CONFIG_DIR") or "/etc/tedge", key, profile, env)
    except Exception:  # any surprise: the full CLI handles (and reports) it
        return None


def render_root_help(width: int) -> str:
    """``tedge --help`` for a text ``width`` (``infra.cli.help.help_width``)."""
    from c8ylink.device.cli.spec import DOC, OPTION_ROWS, PROG, SUBCOMMANDS, USAGE_ARGS
    from c8ylink.infra.cli.help import render_help

    commands = tuple((name, text) for name, (_, text) in sorted(SUBCOMMANDS.items()))
    sections = (("Options", OPTION_ROWS), ("Commands", commands))
    return render_help(PROG, USAGE_ARGS, DOC, sections, width)


def _parse_config_get(argv: Sequence[str]) -> tuple[str | None, str, str | None] | None:
    """``(config dir, key, profile)`` of ``[--config-dir D] config get KEY [--profile P]``, else None."""
    config_dir: str | None = None
    profile: str | None = None
    words: list[str] = []
    items = list(argv)
    while items:
        item = items.pop(0)
        name, eq, inline = item.partition("=")
        if name in ("--config-dir", "--profile"):
            if not eq:
                if not items:
                    return None
                inline = items.pop(0)
            if not inline or (name == "--config-dir" and config_dir is not None):
                return None
            if name == "--config-dir":
                config_dir = inline
            elif profile is None:
                profile = inline
            else:
                return None
        elif item.startswith("-"):
            return None  # --debug, --log-level, --help, ...: the full CLI
        else:
            words.append(item)
    if len(words) != 3 or words[:2] != ["config", "get"]:
        return None
    return config_dir, words[2], profile


def _config_get(config_dir: str, text: str, profile: str | None, env: Mapping[str, str]) -> str | None:
    from c8ylink.core.settings.schema import parse_profile_name
    from c8ylink.device.config.settings import ENV_CLOUD_PROFILE, TEDGE
    from c8ylink.device.config.store import TedgeConfigStore

    parsed = TEDGE.parse_key(text)
    if parsed.warning:
        return None
    ref = parsed.ref
    if profile is not None:
        ref = TEDGE.with_profile(ref, parse_profile_name(profile))
    elif env.get(ENV_CLOUD_PROFILE):
        from_env = parse_profile_name(env[ENV_CLOUD_PROFILE])
        if ref.group is not None and ref.profile is None:
            ref = TEDGE.with_profile(ref, from_env)
    directory = config_dir if config_dir.startswith("/") else os.path.join(os.getcwd(), config_dir)
    if os.path.normpath(directory) != directory:
        return None  # `..`, `.`, `//` or a trailing `/`: let the CLI spell the derived paths
    settings = TedgeConfigStore(directory, env=env).load()
    if settings.warnings:
        return None
    return settings.display(ref) + "\n"
