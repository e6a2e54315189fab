"""``c8y currentuser`` (cumulocity-api.md §3.1)."""

from __future__ import annotations

from c8ylink.operator.api.spec import CommandSpec, ExampleSpec, GroupSpec

GET = CommandSpec(
    "get",
    "Get current user",
    "GET",
    "/user/currentUser",
    accept="application/vnd.com.nsn.cumulocity.currentuser+json",
    examples=(ExampleSpec("c8y currentuser get", "The user of the session", "GET", "/user/currentUser"),),
)

GROUP = GroupSpec("currentuser", "The current user", (GET,))
