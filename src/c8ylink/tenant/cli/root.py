"""``c8ylink tenant``: the command group.

``serve`` runs in the foreground until Ctrl-C/SIGTERM; every other command talks to the running
tenant's ``/__local__`` control API, found through ``<data-dir>/tenant.json``. Heavy modules (aiohttp,
cryptography, ssl) are imported inside the commands so that ``--help`` stays cheap.
"""

from __future__ import annotations

import click

from c8ylink.tenant.cli.admin import faults_cmd, info_cmd, registrations_cmd, sso_cmd, users_cmd
from c8ylink.tenant.cli.serve import serve_cmd


@click.group(name="tenant", context_settings={"help_option_names": ["-h", "--help"]})
def tenant_cmd() -> None:
    """Run and administer the local Cumulocity-compatible tenant."""


for _command in (serve_cmd, info_cmd, users_cmd, registrations_cmd, faults_cmd, sso_cmd):
    tenant_cmd.add_command(_command)
