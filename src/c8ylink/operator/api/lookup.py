"""References by name (go-c8y-cli's ``device[]``, ``agent[]``, ``devicegroup[]``, ``id[]``): an id is
used as it is, a name is looked up in the inventory (``*`` wildcards allowed; every match is used).

The lookup queries are declared here; ``resolve`` does the GET through the caller's ``send``.
"""

from __future__ import annotations

from collections.abc import Callable

from c8ylink.core.errors import C8yLinkError
from c8ylink.operator.api.plan import RequestPlan
from c8ylink.operator.api.values import is_id

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NOT_FOUND_EXIT = 4
LOOKUP_PAGE_SIZE = 100
MO = "/inventory/managedObjects"

# type -> (query parameter, extra filter, what it is called in messages)
LOOKUPS: dict[str, tuple[str, str, str]] = {
    "device[]": ("q", "", "device"),
    "agent[]": ("query", " and has(com_cumulocity_model_Agent)", "agent"),
    "devicegroup[]": ("query", " and has(c8y_IsDeviceGroup)", "device group"),
    "id[]": ("query", "", "managed object"),
}

if TYPE_CHECKING:
    Send = Callable[[RequestPlan], Any]  # the plan -> the decoded JSON answer


def lookup_plan(kind: str, name: str) -> RequestPlan:
    parameter, extra, _ = LOOKUPS[kind]
    quoted = name.replace("'", "''")
    query = f"$filter=(name eq '{quoted}'){extra} $orderby=name"
    return RequestPlan(
        "GET",
        MO,
        ((parameter, query), ("pageSize", str(LOOKUP_PAGE_SIZE))),
        headers=(("Accept", "application/json"),),
    )


def resolve(kind: str, references: list[str], send: Send, *, flag: str) -> list[str]:
    ids: list[str] = []
    for reference in references:
        if is_id(reference) or kind not in LOOKUPS:
            ids.append(reference)
            continue
        answer = send(lookup_plan(kind, reference))
        found = [str(item["id"]) for item in (answer or {}).get("managedObjects", []) if "id" in item]
        if not found:
            what = LOOKUPS[kind][2]
            raise C8yLinkError(
                f"no {what} is named {reference!r} (the value of {flag}; give an id or an existing name)",
                exit_code=NOT_FOUND_EXIT,
            )
        ids += found
    return ids
