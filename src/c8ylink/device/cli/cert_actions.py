"""The local `tedge cert` commands: create, create-csr, show, needs-renewal, remove (tedge.md §2.2-2.5).

stdout gets the certificate block (data); stderr the messages for people. Imported only when one of
these commands runs (it pulls in cryptography through ``device.certs.actions``).
"""

from __future__ import annotations

import click

from c8ylink.core.errors import C8yLinkError, ConfigError
from c8ylink.core.exit_codes import TedgeExit
from c8ylink.device.certs import actions as certs
from c8ylink.device.certs.actions import CertificateView, view_certificate
from c8ylink.device.certs.config import CertConfig, build_cert_config
from c8ylink.device.certs.device_id import NO_DEVICE_ID
from c8ylink.device.certs.status import (
    Painter,
    Validity,
    ValidityStatus,
    render_certificate,
    render_status_line,
)
from c8ylink.device.cli.cert import Target
from c8ylink.device.cli.context import TedgeContext
from c8ylink.device.cli.errors import failing_to
from c8ylink.device.config.store import TedgeConfigStore

_GREEN, _YELLOW, _RED, _RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[0m"
_COLOURS = {
    Validity.VALID: _GREEN,
    Validity.EXPIRES_SOON: _YELLOW,
    Validity.EXPIRED: _RED,
    Validity.NOT_VALID_YET: _RED,
}


def load_config(tedge: TedgeContext, target: Target) -> CertConfig:
    settings = TedgeConfigStore(tedge.config_dir, env=tedge.env).load()
    for warning in settings.warnings:
        tedge.console.warning(warning)
    return build_cert_config(settings, cloud=target.cloud, profile=target.profile)


def painter(tedge: TedgeContext) -> Painter:
    def paint(status: ValidityStatus, text: str) -> str:
        return f"{_COLOURS[status.validity]}{text}{_RESET}" if tedge.console.color else text

    return paint


def print_certificate(tedge: TedgeContext, view: CertificateView) -> None:
    click.echo(render_certificate(view.path, view.info, view.status, painter(tedge)))


def resolve_device_id(option: str | None, config: CertConfig) -> str:
    device_id = option if option is not None else config.device_id
    if device_id is None:
        raise ConfigError(NO_DEVICE_ID)
    return device_id


def create(tedge: TedgeContext, target: Target, *, device_id: str | None) -> None:
    with failing_to("create a test certificate for the device."):
        config = load_config(tedge, target)
        chosen = resolve_device_id(device_id, config)
    with failing_to(f"create a test certificate for the device {chosen}."):
        path = certs.create_certificate(config, chosen, now=tedge.clock.now())
        view = view_certificate(path, config, now=tedge.clock.now())
    console = tedge.console
    console.line("Certificate created successfully")
    console.line("    => the certificate has to be uploaded to the cloud")
    console.line("    => before the device can be connected")
    console.line()
    print_certificate(tedge, view)


def create_csr(
    tedge: TedgeContext, target: Target, *, device_id: str | None, output_path: str | None
) -> None:
    with failing_to("create a certificate signing request for the device."):
        config = load_config(tedge, target)
        chosen = resolve_device_id(device_id, config)
    with failing_to(f"create a certificate signing request for the device {chosen}."):
        certs.create_csr(config, chosen, output_path=output_path)
    tedge.console.line("Certificate Signing Request was successfully created.")


def _certificate_path(config: CertConfig, cert_path: str | None, new: bool = False) -> str:
    path = cert_path or config.paths.cert_path
    return path + ".new" if new else path


def show(tedge: TedgeContext, target: Target, *, cert_path: str | None, new: bool) -> None:
    with failing_to("show the device certificate"):
        config = load_config(tedge, target)
        view = view_certificate(_certificate_path(config, cert_path, new), config, now=tedge.clock.now())
    print_certificate(tedge, view)


def needs_renewal(tedge: TedgeContext, target: Target, *, cert_path: str | None) -> int:
    """Exit 0 when the certificate should be renewed, 1 while it is fine, 2 when it cannot be checked."""
    try:
        config = load_config(tedge, target)
        view = view_certificate(_certificate_path(config, cert_path), config, now=tedge.clock.now())
    except C8yLinkError as exc:
        raise C8yLinkError("Cannot check the certificate", exit_code=2) from exc
    tedge.console.line(render_status_line(view.status, painter(tedge)))
    return int(TedgeExit.OK) if view.status.needs_renewal else int(TedgeExit.ERROR)


def remove(tedge: TedgeContext, target: Target) -> None:
    with failing_to("remove the device certificate"):
        removed = certs.remove_certificate(load_config(tedge, target))
    tedge.console.line(
        "Certificate was successfully removed" if removed else "There is no certificate to remove"
    )
