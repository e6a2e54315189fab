"""References by name (go-c8y-cli's ``device[]``, ``user[]``, ``application`` ...): an id is used as it
is, a name is looked up (``*`` wildcards allowed) and acts on its **first** match only, as upstream's
``...ByNameFirstMatch`` fetchers do: a wildcard never fans a command (a delete!) out over several objects.

The lookup of each type is declared here (``LOOKUPS``); ``resolve`` does the GET through the caller's
``send``. Managed objects are found with an inventory query, other objects by listing their collection
(filtered on the server where the API can) and matching the name here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from c8ylink.core.errors import C8yLinkError
from c8ylink.operator.api.plan import RequestPlan
from c8ylink.operator.api.values import is_id

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple

NOT_FOUND_EXIT = 4
LOOKUP_PAGE_SIZE = 100
LIST_PAGE_SIZE = 2000
MO = "/inventory/managedObjects"


class Lookup(NamedTuple):
    what: str  # what it is called in messages
    path: str = MO  # the collection ({tenant}: the session's tenant)
    collection: str = "managedObjects"
    parameter: str = "query"  # managed objects: where the inventory query goes ("q": devices only)
    filter: str = ""  # managed objects: the parts of the query besides the name
    name_parameter: str = ""  # other objects: the query parameter that filters by name on the server
    fixed: tuple[tuple[str, str], ...] = ()  # other objects: more query parameters
    field: str = "name"  # other objects: the property matched with the name (wildcards)
    result: str = "id"  # the property that becomes the value ("self": a reference's link)
    ids: str = "digits"  # which values are ids, used as given: DIGITS, PLAIN (no wildcard: a user's
    # id is its name), FINGERPRINT (40 hex digits), NEVER (always looked up: a link is needed)
    match: str = "(name eq '%s')"  # managed objects: the part of the query the name fills
    scoped: bool = False  # managed objects: a context id narrows the lookup to its members (bygroupid)
    scoped_path: str = ""  # managed objects: with a context id, search this collection ({scope}) instead

    @property
    def inventory(self) -> bool:
        return self.path == MO


_USER = "/user/{tenant}/users"
_APPLICATIONS = "/application/applications"
LOOKUPS: dict[str, Lookup] = {
    "device[]": Lookup("device", parameter="q"),
    "agent[]": Lookup("agent", filter="has(com_cumulocity_model_Agent)"),
    "devicegroup[]": Lookup("device group", filter="has(c8y_IsDeviceGroup)"),
    "id[]": Lookup("managed object"),
    "smartgroup[]": Lookup("smart group", filter="has(c8y_IsDynamicGroup)"),
    "software[]": Lookup("software", filter="(type eq 'c8y_Software')"),
    "firmware[]": Lookup("firmware", filter="(type eq 'c8y_Firmware')"),
    "deviceprofile[]": Lookup("device profile", filter="(type eq 'c8y_Profile')"),
    "configuration[]": Lookup("configuration", filter="(type eq 'c8y_ConfigurationDump')"),
    "deviceservice[]": Lookup(
        "service", filter="(type eq 'c8y_Service')", scoped_path=MO + "/{scope}/childAdditions"
    ),
    "softwareversion[]": Lookup(
        "software version", filter="(type eq 'c8y_SoftwareBinary')", match="(c8y_Software.version eq '%s')",
        scoped=True,
    ),
    "firmwareversion[]": Lookup(
        "firmware version", filter="(type eq 'c8y_FirmwareBinary') and not(has(c8y_Patch))",
        match="(c8y_Firmware.version eq '%s')", scoped=True,
    ),
    "firmwarepatch[]": Lookup(
        "firmware patch", filter="(type eq 'c8y_FirmwareBinary') and has(c8y_Patch)",
        match="(c8y_Firmware.version eq '%s')", scoped=True,
    ),
    "user[]": Lookup("user", _USER, "users", name_parameter="username", field="userName", ids="plain"),
    "userself[]": Lookup(
        "user", _USER, "users", name_parameter="username", field="userName", result="self", ids="never"
    ),
    "usergroup[]": Lookup("user group", "/user/{tenant}/groups", "groups"),
    "role[]": Lookup("role", "/user/roles", "roles", ids="plain"),
    "roleself[]": Lookup("role", "/user/roles", "roles", result="self", ids="never"),
    "application": Lookup("application", _APPLICATIONS, "applications", name_parameter="name"),
    "microservice": Lookup(
        "microservice", _APPLICATIONS, "applications", name_parameter="name",
        fixed=(("type", "MICROSERVICE"),),
    ),
    "certificate[]": Lookup(
        "certificate", "/tenant/tenants/{tenant}/trusted-certificates", "certificates", result="fingerprint",
        ids="fingerprint",
    ),
}  # fmt: skip

if TYPE_CHECKING:
    Send = Callable[[RequestPlan], Any]  # the plan -> the decoded JSON answer


def lookup_plan(kind: str, name: str, tenant: str = "", scope: str = "") -> RequestPlan:
    """The GET that finds ``name``; ``scope``: the id of the object whose members are searched
    (``firmware versions get --firmware 11 --id 1.0.0``)."""
    found = LOOKUPS[kind]
    accept = (("Accept", "application/json"),)
    query: tuple[tuple[str, str], ...]
    if found.inventory:
        quoted = name.replace("'", "''")
        within = f"bygroupid({scope})" if scope and found.scoped else ""
        parts = " and ".join(
            part for part in (found.match.replace("%s", quoted), found.filter, within) if part
        )
        path, parameter = MO, found.parameter
        if scope and found.scoped_path:  # the members of the context object (a device's services)
            path, parameter = found.scoped_path.replace("{scope}", scope), "query"
        query = ((parameter, f"$filter={parts} $orderby=name"), ("pageSize", str(LOOKUP_PAGE_SIZE)))
        return RequestPlan("GET", path, query, headers=accept)
    server_side = "*" not in name and found.name_parameter
    query = (
        *((found.name_parameter, name),) * bool(server_side),
        *found.fixed,
        ("pageSize", str(LOOKUP_PAGE_SIZE if server_side else LIST_PAGE_SIZE)),
    )
    return RequestPlan("GET", found.path.replace("{tenant}", tenant), query, headers=accept)


def pick(kind: str, name: str, answer: Any) -> list[str]:
    """The values of the objects in ``answer`` that ``name`` matches, in the server's order."""
    found = LOOKUPS[kind]
    document = answer or {}
    references = found.collection not in document  # the children of the context object
    items = collection_items(document, "references.#.managedObject" if references else found.collection)
    if not found.inventory or references:
        import fnmatch  # imports re: only when a name is matched here

        items = [item for item in items if fnmatch.fnmatchcase(str(item.get(found.field, "")), name)]
    return [str(item[found.result]) for item in items if item.get(found.result) not in (None, "")]


def resolve(
    kind: str, references: list[str], send: Send, *, flag: str, tenant: str = "", scope: str = ""
) -> list[str]:
    """One value per reference: the id as given, or the first object the name matches."""
    values: list[str] = []
    for reference in references:
        found = LOOKUPS.get(kind)
        if found is None or is_given_id(found, reference) or _is_link(found, reference):
            values.append(reference)
            continue
        matches = pick(kind, reference, send(lookup_plan(kind, reference, tenant, scope)))
        if not matches:
            hint = "give an id or an existing name"
            raise C8yLinkError(
                f"no {found.what} is named {reference!r} (the value of {flag}; {hint})",
                exit_code=NOT_FOUND_EXIT,
            )
        values.append(matches[0])
    return values


def guess_collection(document: Mapping[str, Any]) -> str:
    """The property holding the items of a Cumulocity collection answer (its only list, beside
    ``statistics``), as upstream guesses it for a command that does not say; "" when it is not one."""
    if "statistics" not in document:
        return ""
    lists = [key for key, value in document.items() if isinstance(value, list)]
    return lists[0] if len(lists) == 1 else ""


def collection_items(document: Any, path: str) -> list[dict[str, Any]]:
    """The items of a collection answer at ``path``: a property (``managedObjects``), dotted
    (``data.users``), ``#`` for each item of a list (``references.#.managedObject``: the objects)."""
    found: list[Any] = [document]
    for part in path.split("."):
        if part == "#":
            found = [item for value in found if isinstance(value, list) for item in value]
        else:
            found = [value[part] for value in found if isinstance(value, dict) and part in value]
    if len(found) == 1 and isinstance(found[0], list) and "#" not in path.split("."):
        found = found[0]
    return [item for item in found if isinstance(item, dict)]


def is_given_id(found: Lookup, reference: str) -> bool:
    if found.ids == "digits":
        return is_id(reference)
    if found.ids == "plain":
        return "*" not in reference
    if found.ids == "fingerprint":
        return len(reference) == 40 and all(char in "0123456789abcdefABCDEF" for char in reference)
    return False


def _is_link(found: Lookup, reference: str) -> bool:
    return found.result == "self" and reference.startswith(("http://", "https://"))


def needs_tenant(kind: str) -> bool:
    found = LOOKUPS.get(kind)
    return found is not None and "{tenant}" in found.path
