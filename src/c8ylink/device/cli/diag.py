"""`tedge diag collect`: run the diagnostic plugins and pack what they collect into one ``.tar.gz``.

As thin-edge.io 1.x: the plugins of ``--plugin-dir`` (repeatable, or comma-separated; default
``diag.plugin_paths``) run one after the other with ``collect --output-dir <dir> --config-dir <dir>``;
the archive ``<output-dir>/<name>.tar.gz`` (default ``tmp.path`` and ``tedge-diag-<time>``) holds a
folder per plugin with its ``output.log`` and ``summary.log``. Progress on stderr, the archive's path
on stdout. Exit code 0, 1 when a plugin failed, 2 when there was no plugin (``device.diag``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from c8ylink.device.cli.options import duration_option

if TYPE_CHECKING:
    from c8ylink.core.settings.durations import Duration
    from c8ylink.device.cli.context import TedgeContext

HELP = {"help_option_names": ["-h", "--help"]}


@click.group("diag", context_settings=HELP)
def diag_cmd() -> None:
    """Collect diagnostic information to help with debugging"""


@diag_cmd.command("collect", context_settings=HELP)
@click.option(
    "--plugin-dir", "plugin_dirs", multiple=True,
    help="Directory where diagnostic plugins are stored (repeat it, or separate with commas). The paths "
    "from diag.plugin_paths will be used by default",
)  # fmt: skip
@click.option(
    "--output-dir", default=None, type=click.Path(file_okay=False, path_type=str),
    help="Directory where output tarball and temporary output files are stored. The path from tmp.path "
    "will be used by default",
)  # fmt: skip
@click.option("--name", default=None, help="Filename (without .tar.gz) for the output tarball [default: "
              "tedge-diag-<TIMESTAMP>]")  # fmt: skip
@click.option(
    "--keep-dir", is_flag=True, help="Whether to keep intermediate output files after the tarball is created"
)
@click.option("--timeout", default="60s", show_default=True, callback=duration_option,
              help="Timeout for a graceful plugin shutdown")  # fmt: skip
@click.option("--forceful-timeout", default="60s", show_default=True, callback=duration_option,
              help="Timeout for forced termination, starting after a graceful timeout expires")  # fmt: skip
@click.pass_obj
def collect_cmd(
    tedge: TedgeContext, *, plugin_dirs: tuple[str, ...], output_dir: str | None, name: str | None,
    keep_dir: bool, timeout: Duration, forceful_timeout: Duration,
) -> int:  # fmt: skip
    """Collect diagnostic information by running device-specific scripts"""
    from c8ylink.device.config.store import TedgeConfigStore
    from c8ylink.device.diag.plan import check_name, default_name, split_plugin_dirs
    from c8ylink.device.diag.runner import CollectSpec, collect

    settings = TedgeConfigStore(tedge.config_dir, env=tedge.env).load()
    for warning in settings.warnings:
        tedge.console.warning(warning)
    configured = plugin_dirs or tuple(str(d) for d in settings.value("diag.plugin_paths"))
    spec = CollectSpec(
        plugin_dirs=tuple(os.path.abspath(d) for d in split_plugin_dirs(configured)),
        output_dir=Path(output_dir or str(settings.value("tmp.path"))).absolute(),
        name=check_name(name) if name is not None else default_name(tedge.clock.now()),
        config_dir=tedge.config_dir,
        keep_dir=keep_dir,
        graceful=timeout.seconds,
        forceful=forceful_timeout.seconds,
        env=plugin_environment(tedge.env),
    )
    result = collect(spec, tedge.console)
    if result.tarball is not None:
        click.echo(str(result.tarball))
    return result.exit_code


def plugin_environment(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with the directory of this ``tedge`` at the end of PATH so that the plugins find it (a
    pip install's ``tedge`` need not be on PATH)."""
    environ = dict(env)
    here = os.path.dirname(sys.executable)
    path = environ.get("PATH", os.defpath)
    if here not in path.split(os.pathsep):
        environ["PATH"] = f"{path}{os.pathsep}{here}" if path else here
    return environ
