"""The `tedge cert` commands that talk to Cumulocity: upload c8y, download c8y, renew (tedge.md §2.6-2.8).

Imported only when one of them runs (cryptography, the HTTP client). Secrets (the user's password, the
one-time password) are read from options, the environment or a no-echo prompt, used for the request
and never printed; a generated one-time password is printed because the operator must enter it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from c8ylink.core.errors import C8yLinkError, ConfigError, NetworkError, TlsError
from c8ylink.core.settings.durations import Duration
from c8ylink.core.settings.hosts import HostPort
from c8ylink.core.settings.resolve import Settings
from c8ylink.device.c8y.device_auth import MutualTlsTokenSource, device_rest_route, encode_chain_header
from c8ylink.device.c8y.enroll import Enrollment, EnrollmentPoller, enroll_attempt, send_reenroll
from c8ylink.device.c8y.http import (
    display_host,
    https_url,
    open_c8y_client,
    root_cert_key,
    setting_hint,
    trust_paths,
    unreachable,
    with_retries,
)
from c8ylink.device.c8y.proxy import c8y_proxy_url
from c8ylink.device.c8y.registration import generate_one_time_password, render_registration
from c8ylink.device.c8y.tls_advice import TlsContext, explain_tls_error
from c8ylink.device.c8y.upload import (
    UnexpectedStatusError,
    UploadOutcome,
    UserCredentials,
    fetch_tenant_id,
    send_trusted_certificate,
    status_text,
)
from c8ylink.device.certs import actions as certs
from c8ylink.device.certs.config import CertConfig, build_cert_config
from c8ylink.device.certs.device_id import NO_DEVICE_ID, check_device_id
from c8ylink.device.certs.files import (
    ensure_directory,
    load_csr_file,
    load_device_certificate,
    load_device_certificate_chain,
    save_certificate_chain,
    save_csr,
)
from c8ylink.device.cli.cert import Target
from c8ylink.device.cli.cert_actions import print_certificate
from c8ylink.device.cli.context import TedgeContext
from c8ylink.device.cli.errors import failing_to
from c8ylink.device.cli.options import env_profile
from c8ylink.device.config.store import TedgeConfigStore
from c8ylink.infra.cli.prompts import is_terminal, read_line, read_secret
from c8ylink.infra.tls.certs import Certificate, encode_certificate_pem
from c8ylink.infra.tls.csr import CertificateRequest, build_csr, csr_common_name
from c8ylink.infra.tls.keys import public_keys_match
from c8ylink.infra.tls.names import common_name_of

DEPRECATED_PASSWORD_VARIABLE = "C8YPASS"
OTP_PROMPT = "Enter one-time password: "
OTP_PROMPT_OR_GENERATE = "Enter one-time password (or press Enter to generate one): "


def _load(tedge: TedgeContext, target: Target) -> tuple[Settings, CertConfig]:
    settings = TedgeConfigStore(tedge.config_dir, env=tedge.env).load()
    for warning in settings.warnings:
        tedge.console.warning(warning)
    return settings, build_cert_config(settings, cloud=target.cloud, profile=target.profile)


def _tls_context(settings: Settings, config: CertConfig, *, with_cert: str | None = None) -> TlsContext:
    not_after = None
    if with_cert is not None:
        try:
            not_after = load_device_certificate(with_cert).not_valid_after_utc
        except C8yLinkError:
            not_after = None
    return TlsContext(
        root_cert_key=root_cert_key(settings, config.profile),
        root_cert_path=str(settings.value("c8y.root_cert_path", config.profile)),
        cert_path=with_cert,
        cert_not_after=not_after,
    )


@contextmanager
def explaining(tls: TlsContext, now: Callable[[], Any], hint: str) -> Iterator[None]:
    """TLS failures inside get the advice that fits (``device.c8y.tls_advice``); a tenant that could not be
    reached (after the retries) names the setting to check."""
    try:
        yield
    except TlsError as exc:
        context = TlsContext(tls.root_cert_key, tls.root_cert_path, tls.cert_path, tls.cert_not_after, now())
        raise explain_tls_error(exc, context) from None
    except NetworkError as exc:
        raise unreachable(exc, hint) from None


def _warn_retry(tedge: TedgeContext) -> Callable[[C8yLinkError, float], None]:
    def warn(exc: C8yLinkError, wait: float) -> None:
        tedge.console.warning(f"{exc}: will retry in {wait:g} seconds")

    return warn


# -- upload ---------------------------------------------------------------------------------------------
def _credentials(tedge: TedgeContext, user: str | None, password: str | None) -> UserCredentials:
    if not user:
        user = read_line("Enter username: ")
        if not user:
            raise ConfigError("No user name given: use --user <name> (or C8Y_USER)")
    if password is None and tedge.env.get(DEPRECATED_PASSWORD_VARIABLE):
        tedge.console.warning(
            f"The {DEPRECATED_PASSWORD_VARIABLE} environment variable is deprecated: use C8Y_PASSWORD instead"
        )
        password = tedge.env[DEPRECATED_PASSWORD_VARIABLE]
    if password is None:
        password = read_secret("Enter password: ")
        if password is None:
            raise ConfigError("No password given: use --password <password> (or C8Y_PASSWORD)")
    return UserCredentials(user, password)


def upload(tedge: TedgeContext, target: Target, *, user: str | None, password: str | None) -> None:
    with failing_to("upload the device certificate to Cumulocity"):
        settings, config = _load(tedge, target)
        http = settings.value("c8y.http", config.profile)
        new_path = config.paths.new_cert_path
        path = new_path if os.path.exists(new_path) else config.paths.cert_path
        certificate = load_device_certificate(path)
        name = common_name_of(certificate.subject) or ""
        credentials = _credentials(tedge, user, password)
        hint = setting_hint(settings, "c8y.http", config.profile)
        with explaining(_tls_context(settings, config), tedge.clock.now, hint):
            outcome = _send_upload(
                tedge,
                trust=trust_paths(settings, config.profile),
                http=http,
                credentials=credentials,
                name=name,
                certificate=certificate,
            )
    new = "New device" if path == new_path else "Device"
    if outcome is UploadOutcome.ALREADY_EXISTS:
        click.echo(f"{new} certificate already exists in the cloud.")
    else:
        click.echo(f"{new} certificate uploaded successfully.")


def _send_upload(
    tedge: TedgeContext,
    *,
    trust: list[str],
    http: HostPort,
    credentials: UserCredentials,
    name: str,
    certificate: Any,
) -> UploadOutcome:
    base_url = https_url(http)
    pem = encode_certificate_pem(certificate).decode("ascii")
    with open_c8y_client(trust) as client:
        retry = _warn_retry(tedge)
        tenant_id = with_retries(
            lambda: fetch_tenant_id(client, base_url, credentials), on_retry=retry, sleep=tedge.sleep
        )
        try:
            return with_retries(
                lambda: send_trusted_certificate(
                    client, base_url, tenant_id, credentials, name=name, pem=pem
                ),
                on_retry=retry,
                sleep=tedge.sleep,
            )
        except UnexpectedStatusError as exc:
            click.echo(f"Something went wrong: {status_text(exc.status)}")
            raise


# -- download -------------------------------------------------------------------------------------------
def _download_device_id(option: str | None, config: CertConfig, csr: CertificateRequest | None) -> str:
    device_id = option or config.device_id or (csr_common_name(csr) if csr is not None else None)
    if not device_id:
        device_id = read_line("Enter device id: ")
    if not device_id:
        raise ConfigError(NO_DEVICE_ID)
    return check_device_id(device_id)


def _one_time_password(given: str | None, prompt: bool) -> tuple[str, bool]:
    """The password to enroll with, and whether it was generated here (then it may be shown)."""
    if given:
        return given, False
    if prompt or is_terminal():
        entered = read_secret(OTP_PROMPT if prompt else OTP_PROMPT_OR_GENERATE)
        if entered:
            return entered, False
        if prompt:
            raise ConfigError(
                "No one-time password given: enter the one registered for the device on the tenant"
            )
    return generate_one_time_password(secrets.choice), True


def _download_csr(config: CertConfig, device_id: str, csr: CertificateRequest | None) -> CertificateRequest:
    if csr is not None:
        if csr_common_name(csr) != device_id:
            raise C8yLinkError(
                f"The certificate signing request is for '{csr_common_name(csr)}', "
                f"not for the device '{device_id}'"
            )
        return csr
    key = certs.reuse_or_create_key(config)
    request = build_csr(key, certs.device_subject(config, device_id))
    ensure_directory(config.paths.csr_path)
    save_csr(config.paths.csr_path, request, config.owner)
    return request


def download(
    tedge: TedgeContext,
    target: Target,
    *,
    device_id: str | None,
    one_time_password: str | None,
    prompt: bool,
    no_registration_url: bool,
    csr_path: str | None,
    url: HostPort | None,
    retry_every: Duration,
    max_timeout: Duration,
) -> None:
    with failing_to("download a certificate from Cumulocity"):
        settings, config = _load(tedge, target)
        host: HostPort = url or settings.value("c8y.http", config.profile)
        given_csr = load_csr_file(csr_path) if csr_path else None
        chosen = _download_device_id(device_id, config, given_csr)
    with failing_to(f"download a certificate from {display_host(host)} for the device {chosen}"):
        otp, generated = _one_time_password(one_time_password, prompt)
        csr = _download_csr(config, chosen, given_csr)
        shown = display_host(host)
        tedge.console.line(
            render_registration(shown, chosen, otp, shown=generated, with_url=not no_registration_url)
        )
        enrollment = Enrollment(shown, https_url(host), chosen, otp, csr)
        hint = f"--url ({shown})" if url else setting_hint(settings, "c8y.http", config.profile)
        with explaining(_tls_context(settings, config), tedge.clock.now, hint):
            certificates = _enroll(
                tedge, trust_paths(settings, config.profile), enrollment, retry_every, max_timeout
            )
        ensure_directory(config.paths.cert_path)
        save_certificate_chain(config.paths.cert_path, certificates, config.owner)
        view = certs.view_certificate(config.paths.cert_path, config, now=tedge.clock.now())
    tedge.console.line("Certificate downloaded successfully")
    tedge.console.line("    => the device can now be connected")
    tedge.console.line()
    print_certificate(tedge, view)


def _enroll(
    tedge: TedgeContext,
    trust: list[str],
    enrollment: Enrollment,
    retry_every: Duration,
    max_timeout: Duration,
) -> list[Certificate]:
    """Poll ``simpleenroll`` until the tenant answers with the certificate (or the time is up)."""
    with open_c8y_client(trust) as client:
        return EnrollmentPoller(
            attempt=lambda: enroll_attempt(client, enrollment, tedge.console.error),
            retry_every=retry_every.seconds,
            max_timeout=max_timeout.seconds,
            clock=tedge.clock,
            sleep=tedge.sleep,
            warn=tedge.console.warning,
        ).run()


# -- renew ----------------------------------------------------------------------------------------------
def renew(tedge: TedgeContext, target: Target, *, csr_path: str | None, ca: str | None) -> None:
    with failing_to("renew the device certificate"):
        settings, config = _load(tedge, target)
        if ca is None:
            ca = "self-signed" if certs.is_self_signed_file(config.paths.cert_path) else "c8y"
        if ca == "c8y" and target.cloud is None:  # Cumulocity signs: its profile's settings apply
            config = build_cert_config(settings, cloud="c8y", profile=env_profile(tedge.env))
        if ca == "self-signed":
            new_path = certs.renew_self_signed(config, now=tedge.clock.now())
        else:
            new_path = _renew_with_c8y(tedge, settings, config, csr_path)
        view = certs.view_certificate(new_path, config, now=tedge.clock.now())
    console = tedge.console
    console.line("Certificate renewed successfully")
    console.line("    For an un-interrupted service:")
    if ca == "self-signed":
        console.line("    => the new certificate has to be uploaded to the cloud (tedge cert upload c8y)")
        console.line("    => then the device has to be reconnected to the cloud")
    else:
        console.line("    => the device has to be reconnected to the cloud")
    console.line()
    print_certificate(tedge, view)


def _renew_with_c8y(tedge: TedgeContext, settings: Settings, config: CertConfig, csr_path: str | None) -> str:
    """simplereenroll with a device token; the result goes to ``<cert>.new``."""
    csr = _reenroll_request(config, csr_path)
    trust = trust_paths(settings, config.profile)
    tokens = _token_source(settings, config, trust)
    http: HostPort = settings.value("c8y.http", config.profile)
    retry = _warn_retry(tedge)
    hint = " and ".join(setting_hint(settings, name, config.profile) for name in ("c8y.mtls", "c8y.http"))
    with explaining(_tls_context(settings, config, with_cert=config.paths.cert_path), tedge.clock.now, hint):
        proxy = c8y_proxy_url(settings, config.profile)
        route = with_retries(
            lambda: device_rest_route(http, trust, tokens, proxy_url=proxy), on_retry=retry, sleep=tedge.sleep
        )
        try:
            renewed = with_retries(
                lambda: send_reenroll(route.client, route.base_url, csr, route.authorization),
                on_retry=retry,
                sleep=tedge.sleep,
            )
        finally:
            route.close()
    new_path = config.paths.new_cert_path
    save_certificate_chain(new_path, renewed, config.owner)
    return new_path


def _reenroll_request(config: CertConfig, csr_path: str | None) -> CertificateRequest:
    """The given CSR (checked: same device, same key) or a new one for the current certificate's CN."""
    _, key, device_id = certs.current_device_identity(config)
    if csr_path:
        csr = load_csr_file(csr_path)
        if csr_common_name(csr) != device_id or not public_keys_match(key, csr.public_key()):
            raise C8yLinkError(
                f"The certificate signing request {csr_path} must be for the device '{device_id}' "
                f"and its key {config.paths.key_path}"
            )
        return csr
    csr = build_csr(key, certs.device_subject(config, device_id))
    ensure_directory(config.paths.csr_path)
    save_csr(config.paths.csr_path, csr, config.owner)
    return csr


def _token_source(settings: Settings, config: CertConfig, trust: list[str]) -> MutualTlsTokenSource:
    chain = load_device_certificate_chain(config.paths.cert_path)
    pems = [encode_certificate_pem(certificate).decode() for certificate in chain]
    return MutualTlsTokenSource(
        endpoint=settings.value("c8y.mtls", config.profile),
        trust=trust,
        cert_path=config.paths.cert_path,
        key_path=config.paths.key_path,
        chain_header=encode_chain_header(pems) if len(chain) > 1 else None,
    )
