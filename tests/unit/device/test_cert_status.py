"""`tedge cert show` / `needs-renewal` logic with time as a parameter: status, durations, the block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from c8ylink.device.certs.status import (
    Validity,
    format_duration,
    format_rfc2822,
    render_certificate,
    render_status_line,
    validity_status,
)
from c8ylink.infra.tls.certs import CertificateInfo

NOT_BEFORE = datetime(2025, 2, 25, 14, 45, 42, tzinfo=UTC)
NOT_AFTER = datetime(2026, 2, 25, 14, 45, 42, tzinfo=UTC)
MINIMUM = timedelta(days=30)


@pytest.mark.parametrize(
    ("now", "validity", "label", "needs_renewal"),
    [
        (NOT_BEFORE + timedelta(seconds=50), Validity.VALID, "VALID (expires in: 364d 23h 59m 10s)", False),
        (NOT_AFTER - timedelta(days=30, seconds=1), Validity.VALID, "VALID (expires in: 30d 1s)", False),
        (NOT_AFTER - timedelta(days=30), Validity.EXPIRES_SOON, "EXPIRES SOON (expires in: 30d)", True),
        (NOT_AFTER - timedelta(hours=2), Validity.EXPIRES_SOON, "EXPIRES SOON (expires in: 2h)", True),
        (NOT_AFTER, Validity.EXPIRES_SOON, "EXPIRES SOON (expires in: 0s)", True),
        (NOT_AFTER + timedelta(days=400, minutes=3), Validity.EXPIRED, "EXPIRED (since: 1y 35d 3m)", True),
        (NOT_BEFORE - timedelta(hours=1, seconds=5), Validity.NOT_VALID_YET,
         "NOT VALID YET (will be in: 1h 5s)", False),
    ],
    ids=["valid", "just-valid", "at-minimum", "soon", "last-second", "expired", "not-yet"],
)  # fmt: skip
def test_status(now: datetime, validity: Validity, label: str, needs_renewal: bool) -> None:
    status = validity_status(NOT_BEFORE, NOT_AFTER, now=now, minimum=MINIMUM)
    assert (status.validity, status.label, status.needs_renewal) == (validity, label, needs_renewal)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (0.9, "0s"), (59, "59s"), (60, "1m"), (3600 + 1, "1h 1s"), (86400 * 365, "1y"),
     (86400 * 366 + 7322, "1y 1d 2h 2m 2s"), (-5, "0s")],
)  # fmt: skip
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text


def test_rfc2822_dates_are_utc() -> None:
    assert format_rfc2822(NOT_BEFORE) == "Tue, 25 Feb 2025 14:45:42 +0000"
    other_zone = NOT_BEFORE.astimezone(__import__("datetime").timezone(timedelta(hours=2)))
    assert format_rfc2822(other_zone) == "Tue, 25 Feb 2025 14:45:42 +0000"


def test_show_block_exactly_as_the_reference() -> None:
    info = CertificateInfo(
        subject="CN=my-device, O=Thin Edge, OU=Device",
        issuer="CN=my-device, O=Thin Edge, OU=Device",
        common_name="my-device",
        not_before=NOT_BEFORE,
        not_after=NOT_AFTER,
        serial_number=0x1F2E3D,
        fingerprint="0aea2dccc02e47a90e690b983759527ae560d187",
        is_ca=True,
        version=3,
        signature_algorithm="SHA256withECDSA",
        public_key_algorithm="EC",
    )
    status = validity_status(NOT_BEFORE, NOT_AFTER, now=NOT_BEFORE + timedelta(seconds=50), minimum=MINIMUM)
    assert render_certificate("/etc/tedge/device-certs/tedge-certificate.pem", info, status) == (
        "Certificate:   /etc/tedge/device-certs/tedge-certificate.pem\n"
        "Subject:       CN=my-device, O=Thin Edge, OU=Device\n"
        "Issuer:        CN=my-device, O=Thin Edge, OU=Device\n"
        "Status:        VALID (expires in: 364d 23h 59m 10s)\n"
        "Valid from:    Tue, 25 Feb 2025 14:45:42 +0000\n"
        "Valid until:   Wed, 25 Feb 2026 14:45:42 +0000\n"
        "Serial number: 2043453 (0x1f2e3d)\n"
        "Thumbprint:    0AEA2DCCC02E47A90E690B983759527AE560D187"
    )
    assert render_status_line(status) == "Status:        VALID (expires in: 364d 23h 59m 10s)"
    painted = render_status_line(status, lambda s, text: f"<{s.validity.name}>{text}")
    assert painted == "Status:        <VALID>VALID (expires in: 364d 23h 59m 10s)"
