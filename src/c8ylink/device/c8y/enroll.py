"""EST with Cumulocity's certificate authority (cumulocity-api.md §3.10): enroll with a one-time password,
poll until the operator has registered the device, re-enroll with a device token.

    enrollment = EnrollmentPoller(send=..., retry_every=30.0, max_timeout=600.0, clock=..., sleep=...)
    certificates = enrollment.run()      # prints "error: ..." / "warning: Will retry in N seconds"

Requests carry ``Content-Type: application/pkcs10`` and the CSR's PEM body without its armour lines;
answers are base64 PKCS#7 "certs-only" (decoded by ``infra.tls.pkcs7``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from c8ylink.core.clock import Clock
from c8ylink.core.errors import C8yLinkError, NetworkError, ProtocolError
from c8ylink.device.c8y.upload import c8y_error_message, status_text
from c8ylink.infra.tls.armor import pem_body
from c8ylink.infra.tls.certs import Certificate
from c8ylink.infra.tls.csr import CertificateRequest, encode_csr_pem
from c8ylink.infra.tls.pkcs7 import decode_pkcs7_certificates

if TYPE_CHECKING:
    from c8ylink.infra.net.http import HttpClient, HttpResponse

ENROLL_PATH = "/.well-known/est/simpleenroll"
REENROLL_PATH = "/.well-known/est/simplereenroll"
PKCS10 = "application/pkcs10"
TIMEOUT_ERROR = "Maximum timeout elapsed. No certificate has been downloaded"
# the request itself is wrong: asking again will not help
FATAL_STATUSES = frozenset({400, 413, 415, 422})


def csr_request_body(csr: CertificateRequest) -> str:
    """The EST body: the PEM body of the CSR, armour lines removed, inner newlines kept."""
    return pem_body(encode_csr_pem(csr)) + "\n"


def certificates_of(response: HttpResponse) -> list[Certificate]:
    try:
        return decode_pkcs7_certificates(response.content)
    except ProtocolError as exc:
        raise ProtocolError(
            f"Fail to extract a certificate from the response returned by {response.url}: {exc}"
        ) from None


class AttemptResult(enum.Enum):
    RETRY = "retry"


@dataclass(frozen=True, slots=True)
class Enrollment:
    """One device asking for its certificate: who, with which one-time password, to which tenant."""

    host: str  # as shown in messages: host[:port]
    base_url: str
    device_id: str
    one_time_password: str = field(repr=False)
    csr: CertificateRequest


def send_enroll(client: HttpClient, enrollment: Enrollment) -> HttpResponse:
    return client.request(
        "POST",
        enrollment.base_url + ENROLL_PATH,
        content=csr_request_body(enrollment.csr),
        headers={"Content-Type": PKCS10},
        basic_auth=(enrollment.device_id, enrollment.one_time_password),
    )


def enroll_attempt(
    client: HttpClient, enrollment: Enrollment, report: Callable[[str], None]
) -> list[Certificate] | AttemptResult:
    """One ``simpleenroll``: the certificates, or ``RETRY`` after reporting why not (fatal errors raise)."""
    try:
        response = send_enroll(client, enrollment)
    except NetworkError as exc:
        report(str(exc))
        return AttemptResult.RETRY
    if response.status == 200:
        try:
            return certificates_of(response)
        except ProtocolError as exc:
            report(str(exc))
            return AttemptResult.RETRY
    message = c8y_error_message(response)
    detail = status_text(response.status) + (f": {message}" if message else "")
    if response.status in FATAL_STATUSES:
        raise C8yLinkError(
            f"The device {enrollment.device_id} cannot be enrolled on {enrollment.host}: {detail}"
        )
    report(f"The device {enrollment.device_id} is not registered yet on {enrollment.host}: {detail}")
    return AttemptResult.RETRY


@dataclass
class EnrollmentPoller:
    """Repeat ``attempt`` every ``retry_every`` seconds until it yields certificates or ``max_timeout``
    seconds have passed since the first try (time and waiting are parameters)."""

    attempt: Callable[[], list[Certificate] | AttemptResult]
    retry_every: float
    max_timeout: float
    clock: Clock
    sleep: Callable[[float], None]
    warn: Callable[[str], None]

    def run(self) -> list[Certificate]:
        started = self.clock.monotonic()
        while True:
            result = self.attempt()
            if not isinstance(result, AttemptResult):
                return result
            if self.clock.monotonic() - started > self.max_timeout:
                raise C8yLinkError(TIMEOUT_ERROR)
            self.warn(f"Will retry in {int(self.retry_every)} seconds")
            self.sleep(self.retry_every)


def send_reenroll(
    client: HttpClient, base_url: str, csr: CertificateRequest, authorization: str | None
) -> list[Certificate]:
    """``simplereenroll``: the renewed certificates; ``The request failed with <status>`` otherwise."""
    headers = {"Content-Type": PKCS10}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = client.request(
        "POST", base_url + REENROLL_PATH, content=csr_request_body(csr), headers=headers
    )
    if response.status != 200:
        raise C8yLinkError(
            f"The request failed with {status_text(response.status)}:\n\t{response.text.strip()}"
        )
    return certificates_of(response)
