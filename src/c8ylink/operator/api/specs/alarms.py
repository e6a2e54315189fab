"""``c8y alarms`` (cumulocity-api.md §3.6)."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import assert_count
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

BASE = "/alarm/alarms"
SEVERITIES = ("CRITICAL", "MAJOR", "MINOR", "WARNING")
STATUSES = ("ACTIVE", "ACKNOWLEDGED", "CLEARED")
_SOURCE_ALIASES = ("deviceId", "source.id", "managedObject.id", "id")

LIST = CommandSpec(
    "list",
    "Get alarm collection",
    "GET",
    BASE,
    accept="application/vnd.com.nsn.cumulocity.alarmcollection+json",
    collection="alarms",
    params=(
        ParamSpec("device", "device[]", QUERY, "Device id or name", property="source", pipeline=True,
                  pipeline_aliases=_SOURCE_ALIASES),
        ParamSpec("status", "stringcsv[]", QUERY, "Statuses (repeatable or comma list)", choices=STATUSES),
        ParamSpec("severity", "stringcsv[]", QUERY, "Severities", choices=SEVERITIES),
        ParamSpec("type", "stringcsv[]", QUERY, "Types"),
        ParamSpec("resolved", "boolean", QUERY, "Only cleared alarms"),
        ParamSpec("dateFrom", "datetime", QUERY, "From (e.g. -1d)"),
        ParamSpec("dateTo", "datetime", QUERY, "To (e.g. 0s)"),
        ParamSpec("withSourceDevices", "boolean", QUERY, "Include the alarms of child devices"),
    ),
    examples=(
        ExampleSpec("c8y alarms list --severity MAJOR --pageSize 100", "Major alarms", "GET", BASE,
                    query={"severity": "MAJOR", "pageSize": "100"}),
        ExampleSpec("c8y alarms list --device 12345 --status ACTIVE --status ACKNOWLEDGED",
                    "A device's open alarms", "GET", BASE,
                    query={"source": "12345", "status": "ACTIVE,ACKNOWLEDGED"}),
    ),
)  # fmt: skip

CREATE = CommandSpec(
    "create",
    "Create alarm",
    "POST",
    BASE,
    accept="application/vnd.com.nsn.cumulocity.alarm+json",
    params=(
        ParamSpec("device", "device[]", BODY, "Device id or name", property="source.id", required=True,
                  pipeline=True, pipeline_aliases=_SOURCE_ALIASES),
        ParamSpec("time", "datetime", BODY, "Time of the alarm", default="0s"),
        ParamSpec("type", "string", BODY, "Alarm type", required=True),
        ParamSpec("text", "string", BODY, "Alarm text", required=True),
        ParamSpec("severity", "string", BODY, "Severity", required=True, choices=SEVERITIES),
        ParamSpec("status", "string", BODY, "Status (default ACTIVE)", choices=STATUSES),
        ParamSpec("data", "json", BODY, "More properties"),
    ),
    examples=(
        ExampleSpec("c8y alarms create --device 12345 --type c8y_TestAlarm --time 2024-01-01T00:00:00Z "
                    "--text 'Test alarm' --severity MAJOR", "A major alarm", "POST", BASE,
                    body={"source": {"id": "12345"}, "type": "c8y_TestAlarm", "time": "2024-01-01T00:00:00Z",
                          "text": "Test alarm", "severity": "MAJOR"}),
    ),
)  # fmt: skip

UPDATE = CommandSpec(
    "update",
    "Update alarm",
    "PUT",
    BASE + "/{id}",
    accept="application/vnd.com.nsn.cumulocity.alarm+json",
    params=(
        ParamSpec("id", "reference", PATH, "Alarm id", required=True, pipeline=True,
                  pipeline_aliases=("id",)),
        ParamSpec("status", "string", BODY, "New status", choices=STATUSES),
        ParamSpec("severity", "string", BODY, "New severity", choices=SEVERITIES),
        ParamSpec("text", "string", BODY, "New text"),
        ParamSpec("data", "json", BODY, "More properties"),
    ),
    examples=(
        ExampleSpec("c8y alarms update --id 12345 --status ACKNOWLEDGED", "Acknowledge an alarm", "PUT",
                    BASE + "/12345", body={"status": "ACKNOWLEDGED"}),
        ExampleSpec("c8y alarms update --status CLEARED", "Clear piped alarms", "PUT", BASE + "/5",
                    stdin='{"id":"5","type":"x"}\n{"id":"6","type":"x"}\n', requests=2,
                    body={"status": "CLEARED"}),
    ),
)  # fmt: skip

ASSERT_COUNT = assert_count(
    "alarms",
    "/alarm/alarms",
    (
        ParamSpec("type", "string", CONTEXT, "Alarm type"),
        ParamSpec("fragmentType", "string", CONTEXT, "Only alarms with this fragment"),
        ParamSpec("status", "string", CONTEXT, "Statuses, e.g. ACTIVE,CLEARED"),
        ParamSpec(
            "severity", "string", CONTEXT, "Severity", choices=("CRITICAL", "MAJOR", "MINOR", "WARNING")
        ),
        ParamSpec("resolved", "boolean", CONTEXT, "Only cleared alarms"),
    ),
)

GROUP = GroupSpec("alarms", "Cumulocity alarms", (LIST, CREATE, UPDATE, ASSERT_COUNT))
