"""Views (go-c8y-cli's ``--view``): the columns worth showing for a kind of object, declared as data.

With ``--view auto`` (the default on a terminal) the first view whose ``keys`` are all in an object
(and whose ``self_contains`` is in its ``self`` link, and whose ``type`` matches its type) picks the
columns; ``--view off`` shows every property; ``--view <name>`` a named one. ``--select`` always wins
over a view. The installed extensions' ``views/*.json`` (go-c8y-cli's view definition files, read by
``operator.extensions.store``) become views named ``<ext>::<name>`` ahead of the built-in ones
(``parse_view_definitions``), highest ``priority`` first. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
    type_pattern: str = ""  # a glob its ``type`` must match (a view file's ``type``)
    priority: int = 0  # a view file's ``priority`` (the higher, the earlier it is tried)


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


def parse_view_definitions(document: Any, prefix: str) -> tuple[ViewSpec, ...]:
    """The views of one view definition file (``{"definitions": [{"name", "priority", "fragments",
    "type", "self", "columns"}]}``) named ``<prefix>::<name>``; entries without a name or columns are
    skipped."""
    found: list[ViewSpec] = []
    definitions = document.get("definitions") if isinstance(document, Mapping) else None
    for item in definitions if isinstance(definitions, list) else []:
        if not isinstance(item, Mapping) or not item.get("name") or not isinstance(item.get("columns"), list):
            continue
        fragments = item.get("fragments")
        fragments = fragments if isinstance(fragments, list) else []
        priority = item.get("priority")
        found.append(
            ViewSpec(
                f"{prefix}::{item['name']}",
                tuple(str(column) for column in item["columns"]),
                keys=tuple(str(fragment) for fragment in fragments),
                self_contains=str(item.get("self") or ""),
                type_pattern=str(item.get("type") or ""),
                priority=priority if isinstance(priority, int) else 0,
            )
        )
    return tuple(found)


def ordered(extra: Sequence[ViewSpec]) -> tuple[ViewSpec, ...]:
    """The extensions' views (highest priority first) ahead of the built-in ones."""
    return (*sorted(extra, key=lambda view: -view.priority), *VIEWS)


def _matches(view: ViewSpec, item: Mapping[str, Any], link: str) -> bool:
    if not all(key in item for key in view.keys) or view.self_contains not in link:
        return False
    if view.type_pattern:
        from fnmatch import fnmatchcase

        return fnmatchcase(str(item.get("type", "")), view.type_pattern)
    return True


def detect_view(item: Mapping[str, Any], extra: Sequence[ViewSpec] = ()) -> ViewSpec | None:
    link = str(item.get("self", ""))
    for view in ordered(extra) if extra else VIEWS:
        if _matches(view, item, link):
            return view
    return None


def view_columns(
    item: Mapping[str, Any], view: str, extra: Sequence[ViewSpec] = ()
) -> tuple[str, ...] | None:
    """The columns for ``item`` under ``--view view`` (None: show everything)."""
    if view == "off":
        return None
    if view == "auto":
        found = detect_view(item, extra)
        return found.columns if found else None
    named = BY_NAME.get(view) or next((spec for spec in extra if spec.name == view), None)
    return named.columns if named else None
