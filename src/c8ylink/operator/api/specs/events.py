"""``c8y events`` (cumulocity-api.md §3.5)."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import assert_count
from c8ylink.operator.api.spec import BODY, CONTEXT, QUERY, CommandSpec, ExampleSpec, GroupSpec, ParamSpec

BASE = "/event/events"
_SOURCE_ALIASES = ("deviceId", "source.id", "managedObject.id", "id")

LIST = CommandSpec(
    "list",
    "Get event collection",
    "GET",
    BASE,
    accept="application/vnd.com.nsn.cumulocity.eventcollection+json",
    collection="events",
    params=(
        ParamSpec("device", "device[]", QUERY, "Device id or name", property="source", pipeline=True,
                  pipeline_aliases=_SOURCE_ALIASES),
        ParamSpec("type", "string", QUERY, "Event type"),
        ParamSpec("fragmentType", "string", QUERY, "Only events with this fragment"),
        ParamSpec("dateFrom", "datetime", QUERY, "From (e.g. -1d)"),
        ParamSpec("dateTo", "datetime", QUERY, "To (e.g. 0s)"),
        ParamSpec("revert", "boolean", QUERY, "Oldest first"),
        ParamSpec("withSourceDevices", "boolean", QUERY, "Include the events of child devices"),
    ),
    examples=(
        ExampleSpec("c8y events list --type my_CustomType --dateFrom -10d",
                    "Events of one type, last 10 days",
                    "GET", BASE, query={"type": "my_CustomType"}, query_contains={"dateFrom": "T"}),
        ExampleSpec("c8y events list --device 12345 --pageSize 10", "A device's events", "GET", BASE,
                    query={"source": "12345", "pageSize": "10"}),
    ),
)  # fmt: skip

CREATE = CommandSpec(
    "create",
    "Create event",
    "POST",
    BASE,
    accept="application/vnd.com.nsn.cumulocity.event+json",
    params=(
        ParamSpec("device", "device[]", BODY, "Device id or name", property="source.id", required=True,
                  pipeline=True, pipeline_aliases=_SOURCE_ALIASES),
        ParamSpec("time", "datetime", BODY, "Time of the event", default="0s"),
        ParamSpec("type", "string", BODY, "Event type", required=True),
        ParamSpec("text", "string", BODY, "Event text", required=True),
        ParamSpec("data", "json", BODY, "More properties"),
    ),
    examples=(
        ExampleSpec("c8y events create --device 12345 --type c8y_Login --text 'Someone logged in' "
                    "--time 2024-05-01T10:00:00.000Z", "A login event", "POST", BASE,
                    body={"source": {"id": "12345"}, "type": "c8y_Login", "text": "Someone logged in",
                          "time": "2024-05-01T10:00:00.000Z"}),
    ),
)  # fmt: skip

ASSERT_COUNT = assert_count(
    "events",
    "/event/events",
    (ParamSpec("type", "string", CONTEXT, "Event type"),
     ParamSpec("fragmentType", "string", CONTEXT, "Only events with this fragment")),
)  # fmt: skip

GROUP = GroupSpec("events", "Cumulocity events", (LIST, CREATE, ASSERT_COUNT))
