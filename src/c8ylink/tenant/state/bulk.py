"""Bulk device registration CSV (cumulocity-api.md §3.8): parse the file into device specs.

The separator is detected from the header line (tab, then ``;``, then ``,``). Columns: ``ID``
(mandatory), ``CREDENTIALS`` (mandatory unless certificates), ``AUTH_TYPE`` (BASIC|CERTIFICATES),
``ENROLLMENT_OTP`` (implies CERTIFICATES), ``TENANT``, ``TYPE``, ``NAME``, ``ICCID``, ``IDTYPE``,
``PATH``, ``SHELL``, ``external-<type>``; any other column is a custom property (dotted names nest).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from c8ylink.tenant.state.errors import TenantApiError, validation_error
from c8ylink.tenant.state.registrations import BASIC, CERTIFICATES

KNOWN = {
    "ID",
    "CREDENTIALS",
    "AUTH_TYPE",
    "ENROLLMENT_OTP",
    "TENANT",
    "TYPE",
    "NAME",
    "ICCID",
    "IDTYPE",
    "PATH",
    "SHELL",
}
OTP_MIN, OTP_MAX = 8, 32


@dataclass(frozen=True, slots=True)
class BulkDevice:
    external_id: str
    line: str
    id_type: str = "c8y_Serial"
    auth_type: str = BASIC
    credentials: str | None = field(default=None, repr=False)
    otp: str | None = field(default=None, repr=False)
    tenant: str | None = None
    name: str | None = None
    type: str | None = None
    iccid: str | None = None
    path: tuple[str, ...] = ()
    shell: bool = False
    external_ids: tuple[tuple[str, str], ...] = ()
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RowFailure:
    device_id: str
    line: str
    reason: str


def detect_separator(header: str) -> str:
    for separator in ("\t", ";", ","):
        if separator in header:
            return separator
    return ","


def parse_bulk_csv(text: str) -> tuple[list[BulkDevice], list[RowFailure]]:
    """Device specs and per-row failures; 422 when the file itself is unusable."""
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        raise validation_error("The CSV file is empty")
    separator = detect_separator(lines[0])
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=separator))
    header = [name.strip() for name in rows[0]]
    if "ID" not in header:
        raise validation_error("Following mandatory fields should be included: ID (CSV header)")
    devices: list[BulkDevice] = []
    failures: list[RowFailure] = []
    for values in rows[1:]:
        line = separator.join(values)
        record = dict(zip(header, (value.strip() for value in values), strict=False))
        device_id = record.get("ID", "")
        if len(values) != len(header):
            failures.append(RowFailure(device_id, line, f"Wrong number of columns: expected {len(header)}"))
            continue
        try:
            devices.append(parse_bulk_row(record, line))
        except TenantApiError as exc:
            failures.append(RowFailure(device_id, line, exc.message))
    return devices, failures


def parse_bulk_row(record: dict[str, str], line: str) -> BulkDevice:
    device_id = record.get("ID", "")
    if not device_id:
        raise validation_error("Missing mandatory value ID")
    otp = record.get("ENROLLMENT_OTP") or None
    auth_type = (record.get("AUTH_TYPE") or (CERTIFICATES if otp else BASIC)).upper()
    if auth_type not in (BASIC, CERTIFICATES):
        raise validation_error(f"AUTH_TYPE must be {BASIC} or {CERTIFICATES}, not '{auth_type}'")
    credentials = record.get("CREDENTIALS") or None
    if otp and auth_type != CERTIFICATES:
        raise validation_error("ENROLLMENT_OTP needs AUTH_TYPE=CERTIFICATES")
    if otp and not OTP_MIN <= len(otp) <= OTP_MAX:
        raise validation_error(f"ENROLLMENT_OTP must have {OTP_MIN} to {OTP_MAX} characters")
    if auth_type == BASIC and not credentials:
        raise validation_error("Missing mandatory value CREDENTIALS")
    path = tuple(part for part in (record.get("PATH") or "").split("/") if part)
    return BulkDevice(
        external_id=device_id,
        line=line,
        id_type=record.get("IDTYPE") or "c8y_Serial",
        auth_type=auth_type,
        credentials=credentials,
        otp=otp,
        tenant=record.get("TENANT") or None,
        name=record.get("NAME") or None,
        type=record.get("TYPE") or None,
        iccid=record.get("ICCID") or None,
        path=path,
        shell=record.get("SHELL") == "1",
        external_ids=_extra_ids(record),
        properties=_custom_properties(record),
    )


def _extra_ids(record: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name[len("external-") :], value)
        for name, value in record.items()
        if name.startswith("external-") and value
    )


def _custom_properties(record: dict[str, str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, value in record.items():
        if name in KNOWN or name.startswith("external-") or not name or value == "":
            continue
        target = properties
        *parents, leaf = name.split(".")
        for part in parents:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                child = target[part] = {}
            target = child
        target[leaf] = value
    return properties
