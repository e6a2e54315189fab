"""Views (go-c8y-cli's ``--view``): the columns worth showing for a kind of object, declared as data.

With ``--view auto`` (the default on a terminal) the first view whose ``keys`` are all in an object
(and whose ``self_contains`` is in its ``self`` link) picks the columns; ``--view off`` shows every
property; ``--view <name>`` a named one. ``--select`` always wins over a view. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple


class ViewSpec(NamedTuple):
    name: str
    columns: tuple[str, ...]
    keys: tuple[str, ...] = ()  # top-level properties an object must have
    self_contains: str = ""  # a part of its self link


VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec("device", ("id", "name", "type", "owner", "lastUpdated", "c8y_Availability.status"),
             keys=("c8y_IsDevice",)),
    ViewSpec("alarm", ("id", "status", "severity", "type", "count", "time", "source.id"),
             keys=("severity", "source")),
    ViewSpec("event", ("id", "type", "text", "time", "source.id"), keys=("text", "source", "time")),
    ViewSpec("measurement", ("id", "type", "time", "source.id"), keys=("source", "time"),
             self_contains="/measurement/"),
    ViewSpec("operation", ("id", "status", "deviceId", "description", "creationTime"),
             keys=("status", "deviceId")),
    ViewSpec("externalId", ("externalId", "type", "managedObject.id"), keys=("externalId", "managedObject")),
    ViewSpec("newDeviceRequest", ("id", "status", "owner", "creationTime"), keys=("status",),
             self_contains="/newDeviceRequests/"),
    ViewSpec("trustedCertificate", ("fingerprint", "name", "status", "autoRegistrationEnabled", "notAfter"),
             keys=("fingerprint", "certInPemFormat")),
    ViewSpec("registration", ("id", "name", "externalId", "username", "password", "type"),
             keys=("externalId", "username")),
    ViewSpec("statistics", ("currentPage", "pageSize", "totalPages", "totalElements"),
             keys=("currentPage", "pageSize")),
    ViewSpec("currentUser", ("id", "userName", "email", "lastPasswordChange"), keys=("userName",)),
    ViewSpec("currentTenant", ("name", "domainName", "allowCreateTenants"), keys=("domainName",)),
    ViewSpec("managedObject", ("id", "name", "type", "owner", "lastUpdated"), keys=("id",),
             self_contains="/inventory/managedObjects/"),
)  # fmt: skip
BY_NAME = {view.name: view for view in VIEWS}


def detect_view(item: Mapping[str, Any]) -> ViewSpec | None:
    link = str(item.get("self", ""))
    for view in VIEWS:
        if all(key in item for key in view.keys) and view.self_contains in link:
            return view
    return None


def view_columns(item: Mapping[str, Any], view: str) -> tuple[str, ...] | None:
    """The columns for ``item`` under ``--view view`` (None: show everything)."""
    if view == "off":
        return None
    if view == "auto":
        found = detect_view(item)
        return found.columns if found else None
    named = BY_NAME.get(view)
    return named.columns if named else None
