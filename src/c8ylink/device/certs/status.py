"""What ``tedge cert show`` and ``needs-renewal`` say about a certificate (pure; time is a parameter).

status = validity_status(not_before, not_after, now=clock.now(), minimum=timedelta(days=30))
status.label            # "VALID (expires in: 364d 23h 59m 10s)"
status.needs_renewal    # expired, or expiring within the minimum duration
render_certificate(path, info, status)   # the block of tedge.md §2.4, labels padded to column 15
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from c8ylink.infra.tls.certs import CertificateInfo

LABEL_WIDTH = 15
SECONDS_PER_YEAR = 365 * 86_400


class Validity(enum.Enum):
    VALID = "VALID"
    EXPIRES_SOON = "EXPIRES SOON"
    EXPIRED = "EXPIRED"
    NOT_VALID_YET = "NOT VALID YET"


_WORDING = {
    Validity.VALID: "expires in",
    Validity.EXPIRES_SOON: "expires in",
    Validity.EXPIRED: "since",
    Validity.NOT_VALID_YET: "will be in",
}


@dataclass(frozen=True, slots=True)
class ValidityStatus:
    """Where ``now`` lies in a certificate's validity; ``delta`` is the distance to the nearer bound."""

    validity: Validity
    delta: timedelta

    @property
    def label(self) -> str:
        return f"{self.validity.value} ({_WORDING[self.validity]}: {format_duration(self.delta)})"

    @property
    def needs_renewal(self) -> bool:
        return self.validity in (Validity.EXPIRED, Validity.EXPIRES_SOON)

    @property
    def ok(self) -> bool:
        return self.validity is Validity.VALID


def validity_status(
    not_before: datetime, not_after: datetime, *, now: datetime, minimum: timedelta
) -> ValidityStatus:
    """VALID while more than ``minimum`` remains, then EXPIRES SOON, then EXPIRED; NOT VALID YET before."""
    if now < not_before:
        return ValidityStatus(Validity.NOT_VALID_YET, not_before - now)
    if now > not_after:
        return ValidityStatus(Validity.EXPIRED, now - not_after)
    remaining = not_after - now
    return ValidityStatus(Validity.VALID if remaining > minimum else Validity.EXPIRES_SOON, remaining)


def format_duration(delta: timedelta) -> str:
    """``1y 2d 3h 4m 5s``: years of 365 days, zero parts left out, ``0s`` for nothing; whole seconds."""
    seconds = max(0, int(delta.total_seconds()))
    parts = []
    for unit, size in (("y", SECONDS_PER_YEAR), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0s"


def format_rfc2822(moment: datetime) -> str:
    """``Tue, 25 Feb 2025 14:45:42 +0000``."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


def format_thumbprint(fingerprint: str) -> str:
    """The SHA-1 fingerprint as ``tedge cert show`` prints it: upper-case hex, no separators."""
    return fingerprint.replace(":", "").upper()


Painter = Callable[[ValidityStatus, str], str]


def _no_paint(status: ValidityStatus, text: str) -> str:
    return text


def render_status_line(status: ValidityStatus, paint: Painter = _no_paint) -> str:
    return f"{'Status:':<{LABEL_WIDTH}}{paint(status, status.label)}"


def render_certificate(
    path: str, info: CertificateInfo, status: ValidityStatus, paint: Painter = _no_paint
) -> str:
    """The ``tedge cert show`` block (no trailing newline)."""
    rows = [
        ("Certificate:", path),
        ("Subject:", info.subject),
        ("Issuer:", info.issuer),
        ("Status:", paint(status, status.label)),
        ("Valid from:", format_rfc2822(info.not_before)),
        ("Valid until:", format_rfc2822(info.not_after)),
        ("Serial number:", f"{info.serial_number} (0x{info.serial_number:x})"),
        ("Thumbprint:", format_thumbprint(info.fingerprint)),
    ]
    return "\n".join(f"{label:<{LABEL_WIDTH}}{value}" for label, value in rows)
