"""A renewed certificate waiting in ``<cert>.new``: try it, then make it the active one (tedge.md §3.6).

``tedge cert renew`` writes the new certificate next to the active one; ``tedge connect`` and
``tedge reconnect`` create the device with it (the same direct MQTT connection as the
"Creating device" step). When Cumulocity accepts it, it replaces the active certificate; when it does
not, the active certificate stays and the connect goes on with it (exit code 3 at the end).

Unlike upstream, only an unreachable tenant is tried again: a certificate the tenant refused is not
accepted on the next attempt either, so there is no point in waiting for it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from c8ylink.core.errors import C8yLinkError, NetworkError
from c8ylink.infra.files import access_error

if TYPE_CHECKING:
    from c8ylink.device.connect.connector import Connector

ATTEMPTS = 5
RETRY_DELAY = 2.0


def adopt_new_certificate(connector: Connector, *, offline: bool) -> bool:
    """Validate ``<cert>.new`` and promote it; ``False`` when it was refused (the active one stays)."""
    config, console = connector.config, connector.console
    new_path, active = config.new_cert_path, config.cert_path
    if offline:
        console.line("Offline mode. Skipping new device certificate validation")
        console.line(f"  => keep using the current certificate unchanged {active}")
        console.line(f"  => the new certificate {new_path} is validated by the next `tedge reconnect c8y`")
        return True
    error: C8yLinkError | None = None
    for attempt in range(1, ATTEMPTS + 1):
        label = (
            f"Validating new certificate: {new_path}"
            if attempt == 1
            else (f"Validating new certificate: attempt {attempt} of {ATTEMPTS}")
        )
        with console.step(label, fatal=False) as result:
            connector.checks.create_device(config, new_path)
        if result.ok:
            _promote(new_path, active)
            console.line(f"The new certificate is now the active certificate {active}")
            return True
        error = result.error
        if not isinstance(error, NetworkError) or attempt == ATTEMPTS:
            break
        connector.sleep(RETRY_DELAY)
    console.line(f"Error validating the new certificate: {error}")
    console.line(f"  => keep using the current certificate unchanged {active}")
    return False


def _promote(new_path: str, active: str) -> None:
    try:
        os.replace(new_path, active)
    except OSError as exc:
        raise access_error(active, exc, "replace") from None
