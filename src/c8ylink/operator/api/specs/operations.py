"""``c8y operations`` (cumulocity-api.md §3.7)."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import DURATION, INTERVAL, WAITS, assert_count
from c8ylink.operator.api.spec import (
    BODY,
    CONTEXT,
    PATH,
    QUERY,
    CommandSpec,
    ExampleSpec,
    GroupSpec,
    ParamSpec,
)

BASE = "/devicecontrol/operations"
STATUSES = ("PENDING", "EXECUTING", "SUCCESSFUL", "FAILED")
_DEVICE_ALIASES = ("deviceId", "source.id", "managedObject.id", "id")
_ID = ParamSpec(
    "id", "reference", PATH, "Operation id", required=True, pipeline=True, pipeline_aliases=("id",)
)

LIST = CommandSpec(
    "list",
    "Get operation collection",
    "GET",
    BASE,
    accept="application/vnd.com.nsn.cumulocity.operationcollection+json",
    collection="operations",
    params=(
        ParamSpec("device", "device[]", QUERY, "Device id or name", property="deviceId", pipeline=True,
                  pipeline_aliases=_DEVICE_ALIASES),
        ParamSpec("agent", "agent[]", QUERY, "Agent id or name", property="agentId"),
        ParamSpec("status", "string", QUERY, "Status", choices=STATUSES),
        ParamSpec("fragmentType", "string", QUERY, "Only operations with this fragment"),
        ParamSpec("bulkOperationId", "string", QUERY, "Operations of a bulk operation"),
        ParamSpec("dateFrom", "datetime", QUERY, "From (e.g. -1d)"),
        ParamSpec("dateTo", "datetime", QUERY, "To (e.g. 0s)"),
        ParamSpec("revert", "boolean", QUERY, "Newest first"),
    ),
    examples=(
        ExampleSpec("c8y operations list --status PENDING", "Pending operations", "GET", BASE,
                    query={"status": "PENDING"}),
        ExampleSpec("c8y operations list --agent 12345 --status EXECUTING --dateTo -14d",
                    "An agent's operations still executing after 14 days", "GET", BASE,
                    query={"agentId": "12345", "status": "EXECUTING"}, query_contains={"dateTo": "T"}),
    ),
)  # fmt: skip

GET = CommandSpec(
    "get",
    "Get operation",
    "GET",
    BASE + "/{id}",
    accept="application/vnd.com.nsn.cumulocity.operation+json",
    params=(_ID,),
    examples=(ExampleSpec("c8y operations get --id 12345", "An operation", "GET", BASE + "/12345"),),
)

CREATE = CommandSpec(
    "create",
    "Create operation",
    "POST",
    BASE,
    long="The operation goes to the device's agent; its status starts as PENDING.",
    accept="application/vnd.com.nsn.cumulocity.operation+json",
    params=(
        ParamSpec("device", "device[]", BODY, "Device id or name", property="deviceId", required=True,
                  pipeline=True, pipeline_aliases=_DEVICE_ALIASES),
        ParamSpec("description", "string", BODY, "Description"),
        ParamSpec("data", "json", BODY, "The operation fragment(s), e.g. c8y_Restart={}"),
    ),
    examples=(
        ExampleSpec("c8y operations create --device 12345 --description Restart --data c8y_Restart={}",
                    "Restart a device", "POST", BASE,
                    body={"deviceId": "12345", "description": "Restart", "c8y_Restart": {}}),
    ),
)  # fmt: skip

UPDATE = CommandSpec(
    "update",
    "Update operation",
    "PUT",
    BASE + "/{id}",
    accept="application/vnd.com.nsn.cumulocity.operation+json",
    params=(
        _ID,
        ParamSpec("status", "string", BODY, "New status", required=True, choices=STATUSES),
        ParamSpec("failureReason", "string", BODY, "Why it failed (with --status FAILED)"),
        ParamSpec("data", "json", BODY, "More properties"),
    ),
    examples=(
        ExampleSpec("c8y operations update --id 12345 --status EXECUTING", "Mark an operation executing",
                    "PUT", BASE + "/12345", body={"status": "EXECUTING"}),
        ExampleSpec("c8y operations update --status FAILED --failureReason 'stale operation'",
                    "Fail piped operations", "PUT", BASE + "/9", stdin="9\n",
                    body={"status": "FAILED", "failureReason": "stale operation"}),
    ),
)  # fmt: skip

WAIT = CommandSpec(
    "wait",
    "Wait for an operation to reach a status",
    "GET",
    BASE,
    long=(
        "Polls until the operation has one of the --status values (default SUCCESSFUL); exits 112 when it "
        "ends in another status, 106 after --duration."
    ),
    params=(
        ParamSpec("id", "reference", CONTEXT, "Operation id", required=True, pipeline=True,
                  pipeline_aliases=("id",)),
        ParamSpec("status", "string[]", CONTEXT, "Status to wait for (several: any)", choices=STATUSES),
        DURATION,
        INTERVAL._replace(default="1s"),
    ),
    handler=WAITS + "run_operation_wait",
    examples=(ExampleSpec("c8y operations wait --id 12345 --duration 1m", "Until it is SUCCESSFUL", "GET",
                          BASE + "/12345"),),
)  # fmt: skip
ASSERT_COUNT = assert_count(
    "operations",
    BASE,
    (ParamSpec("status", "string", CONTEXT, "Status", choices=STATUSES),
     ParamSpec("fragmentType", "string", CONTEXT, "Only operations with this fragment")),
)  # fmt: skip

GROUP = GroupSpec(
    "operations",
    "Cumulocity operations",
    (LIST, GET, CREATE, UPDATE, WAIT, ASSERT_COUNT),
)
