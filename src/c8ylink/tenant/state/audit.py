"""Audit records (``/audit/auditRecords``): written by the tenant when people change managed objects,
alarms, operations, users, options and applications (as Cumulocity does), and posted by clients.

A record: ``{id, type, activity, text, time, creationTime, user, application, source: {id},
severity, changes?}``; ``type`` is one of Cumulocity's audit types.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.documents import require_fields, require_object
from c8ylink.tenant.state.errors import validation_error
from c8ylink.tenant.state.times import format_time, normalize_time

if TYPE_CHECKING:
    from c8ylink.tenant.state.tenant import TenantState

KIND = "auditRecord"
APPLICATION = "c8ylink"
TYPES = (
    "Alarm",
    "Application",
    "BulkOperation",
    "CepModule",
    "Connector",
    "Event",
    "Group",
    "Inventory",
    "InventoryRole",
    "Operation",
    "Option",
    "Report",
    "SingleSignOn",
    "SmartRule",
    "SYSTEM",
    "Tenant",
    "TenantAuthConfig",
    "TrustedCertificates",
    "User",
    "UserAuthentication",
)
SEVERITIES = ("CRITICAL", "MAJOR", "MINOR", "WARNING", "INFORMATION")


def audit(
    state: TenantState,
    principal: Principal,
    record_type: str,
    activity: str,
    text: str,
    *,
    source: str | None = None,
    user: str | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> None:
    """Record what ``principal`` did (``source``: the object concerned; ``user``: the user concerned,
    named as the source of User records). Devices' own data traffic is not audited."""
    if not principal.is_business_user:
        return
    now = format_time(state.now())
    record: dict[str, Any] = {
        "type": record_type,
        "activity": activity,
        "text": text,
        "time": now,
        "creationTime": now,
        "user": principal.username,
        "application": APPLICATION,
        "severity": "INFORMATION",
        "source": {"id": source if source is not None else (user or principal.username)},
    }
    if changes:
        record["changes"] = changes
    state.audit.create(record)


def posted_record(body: object, principal: Principal, now: str) -> dict[str, Any]:
    """A client's ``POST /audit/auditRecords`` body, checked (422) and completed."""
    fields = require_object(body, "audit record")
    require_fields(fields, "type", "activity", "text", "time", "source.id")
    if fields["type"] not in TYPES:
        raise validation_error(f"type must be one of {', '.join(TYPES)}")
    severity = fields.get("severity", "INFORMATION")
    if severity not in SEVERITIES:
        raise validation_error(f"severity must be one of {', '.join(SEVERITIES)}")
    record = {
        key: value for key, value in fields.items() if key not in ("id", "self", "creationTime", "user")
    }
    record.update(
        {
            "time": normalize_time(fields["time"]),
            "creationTime": now,
            "user": principal.username,
            "severity": severity,
            "source": {"id": str(_source_id(fields["source"]))},
        }
    )
    record.setdefault("application", APPLICATION)
    return record


def _source_id(source: Mapping[str, Any]) -> object:
    return source["id"]
