"""``c8y currenttenant`` (cumulocity-api.md §3.1)."""

from __future__ import annotations

from c8ylink.operator.api.spec import CommandSpec, ExampleSpec, GroupSpec

GET = CommandSpec(
    "get",
    "Get current tenant",
    "GET",
    "/tenant/currentTenant",
    accept="application/vnd.com.nsn.cumulocity.currenttenant+json",
    examples=(
        ExampleSpec("c8y currenttenant get", "The tenant of the session", "GET", "/tenant/currentTenant"),
    ),
)

GROUP = GroupSpec("currenttenant", "The current tenant", (GET,))
