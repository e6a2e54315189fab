"""``c8y devices``: managed objects with ``c8y_IsDevice`` (cumulocity-api.md §3.2, go-c8y-cli.md §6.4)."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import assert_exists, assert_fragments
from c8ylink.operator.api.spec import BODY, PATH, QUERY, CommandSpec, ExampleSpec, GroupSpec, ParamSpec, Q

MO = "/inventory/managedObjects"
ITEM = MO + "/{id}"
DEVICE_ACCEPT = "application/vnd.com.nsn.cumulocity.managedobject+json"

_ID = ParamSpec(
    "id", "device[]", PATH, "Device id or name", required=True, pipeline=True,
    pipeline_aliases=("id", "source.id", "managedObject.id", "deviceId"),
)  # fmt: skip
_CHILD_FLAGS = (
    ParamSpec("withChildren", "boolean", QUERY, "Include the children (id and name)"),
    ParamSpec("withChildrenCount", "boolean", QUERY, "Include the number of children"),
    ParamSpec("skipChildrenNames", "boolean", QUERY, "Leave out the names of children (faster)"),
    ParamSpec("withParents", "boolean", QUERY, "Include the parents and grandparents"),
)

LIST = CommandSpec(
    "list",
    "Get device collection",
    "GET",
    MO,
    long="Devices matching the filters, ordered by name (the inventory query `q`).",
    accept="application/vnd.com.nsn.cumulocity.managedobjectcollection+json",
    collection="managedObjects",
    params=(
        ParamSpec("query", "string", Q, "Additional query filter", pipeline=True,
                  pipeline_aliases=("c8y_DeviceQueryString",)),
        ParamSpec("queryTemplate", "string", Q, "Template for --query or piped values (%s: the value)"),
        ParamSpec("orderBy", "string", Q, "Order by, e.g. 'creationTime.date desc'", default="name"),
        ParamSpec("name", "string", Q, "Filter by name (* wildcards)", format="(name eq '%s')"),
        ParamSpec("type", "string", Q, "Filter by type", format="(type eq '%s')"),
        ParamSpec("agents", "boolean", Q, "Only agents", value="has(com_cumulocity_model_Agent)"),
        ParamSpec("fragmentType", "string", Q, "Only devices with this fragment", format="has(%s)"),
        ParamSpec("owner", "string", Q, "Filter by owner", format="(owner eq '%s')"),
        ParamSpec("availability", "string", Q, "Filter by c8y_Availability.status",
                  format="(c8y_Availability.status eq '%s')",
                  choices=("AVAILABLE", "UNAVAILABLE", "MAINTENANCE")),
        ParamSpec("lastMessageDateTo", "datetime", Q, "Last message before",
                  format="(c8y_Availability.lastMessage le '%s')"),
        ParamSpec("lastMessageDateFrom", "datetime", Q, "Last message after",
                  format="(c8y_Availability.lastMessage ge '%s')"),
        ParamSpec("creationTimeDateTo", "datetime", Q, "Created before",
                  format="(creationTime.date le '%s')"),
        ParamSpec("creationTimeDateFrom", "datetime", Q, "Created after",
                  format="(creationTime.date ge '%s')"),
        ParamSpec("group", "devicegroup[]", Q, "Only members of this group (id or name)",
                  format="bygroupid(%s)"),
        *_CHILD_FLAGS,
    ),
    examples=(
        ExampleSpec("c8y devices list", "Devices, ordered by name", "GET", MO,
                    query={"q": "$filter= $orderby=name"}),  # pageSize: only when not the default
        ExampleSpec("c8y devices list --name 'sensor*' --type myType",
                    "Devices of type myType whose name starts with sensor", "GET", MO,
                    query={"q": "$filter=(name eq 'sensor*') and (type eq 'myType') $orderby=name"}),
        ExampleSpec("c8y devices list --query \"name eq '*sensor*'\" --orderBy 'creationTime.date desc'",
                    "A raw query, newest first", "GET", MO,
                    query={"q": "$filter=name eq '*sensor*' $orderby=creationTime.date desc"}),
        ExampleSpec("c8y devices list --creationTimeDateFrom -7d", "Registered in the last 7 days",
                    "GET", MO, query_contains={"q": "(creationTime.date ge '"}),
        ExampleSpec("c8y devices list --agents --availability AVAILABLE --pageSize 100",
                    "Agents that are available", "GET", MO,
                    query={"q": "$filter=has(com_cumulocity_model_Agent) and "
                                "(c8y_Availability.status eq 'AVAILABLE') $orderby=name",
                           "pageSize": "100"}),
        ExampleSpec("c8y devices list --group 12345 --withTotalPages", "Members of group 12345, how many",
                    "GET", MO, query={"q": "$filter=bygroupid(12345) $orderby=name",
                                      "withTotalPages": "true"}),
        ExampleSpec("c8y devices list --queryTemplate \"type eq '%s'\"",
                    "Piped types through a query template", "GET", MO,
                    stdin="c8y_Linux\nc8y_MacOS\n", requests=2,
                    query_contains={"q": "$filter=type eq 'c8y_"}),
    ),
)  # fmt: skip

GET = CommandSpec(
    "get",
    "Get device",
    "GET",
    ITEM,
    accept=DEVICE_ACCEPT,
    params=(_ID, *_CHILD_FLAGS),
    examples=(
        ExampleSpec("c8y devices get --id 12345", "A device by id", "GET", MO + "/12345"),
        ExampleSpec("c8y devices get --withParents", "Piped ids", "GET", MO + "/11",
                    stdin="11\n", query={"withParents": "true"}),
    ),
)  # fmt: skip

CREATE = CommandSpec(
    "create",
    "Create device",
    "POST",
    MO,
    long="A managed object with the c8y_IsDevice fragment; piped values are names.",
    accept=DEVICE_ACCEPT,
    params=(
        ParamSpec("name", "string", BODY, "Device name", pipeline=True, pipeline_aliases=("name",)),
        ParamSpec("type", "string", BODY, "Device type"),
        ParamSpec("data", "json", BODY, "More properties: JSON or shorthand a=1,b.c=x"),
    ),
    body_template={"c8y_IsDevice": {}},
    body_required=("name",),
    examples=(
        ExampleSpec("c8y devices create --name myDevice", "A device", "POST", MO,
                    body={"name": "myDevice", "c8y_IsDevice": {}}),
        ExampleSpec("c8y devices create --name myDevice --type c8y_Linux --data custom_value1=1234",
                    "A device with a custom property", "POST", MO,
                    body={"name": "myDevice", "type": "c8y_Linux", "custom_value1": 1234,
                          "c8y_IsDevice": {}}),
        ExampleSpec("c8y devices create", "Devices named by piped values", "POST", MO,
                    stdin="sensor01\nsensor02\n", requests=2),
    ),
)  # fmt: skip

UPDATE = CommandSpec(
    "update",
    "Update device",
    "PUT",
    ITEM,
    long="Changes only the given properties; a property set to null is removed.",
    accept=DEVICE_ACCEPT,
    params=(
        _ID,
        ParamSpec("newName", "string", BODY, "New name", property="name"),
        ParamSpec("data", "json", BODY, "Properties to change: JSON or shorthand a=1,b.c=x"),
    ),
    examples=(
        ExampleSpec("c8y devices update --id 12345 --newName MyDevice", "Rename a device", "PUT",
                    MO + "/12345", body={"name": "MyDevice"}),
        ExampleSpec("c8y devices update --id 12345 --data 'my.nested.number=1.234,my.flag=true,gone=null'",
                    "Shorthand data", "PUT", MO + "/12345",
                    body={"my": {"nested": {"number": 1.234}, "flag": True}, "gone": None}),
        ExampleSpec("c8y devices update --data '{\"myFragment\":{}}'", "Piped JSON lines (c8y output)",
                    "PUT", MO + "/3", stdin='{"id":"3","name":"a"}\n', body={"myFragment": {}}),
    ),
)  # fmt: skip

DELETE = CommandSpec(
    "delete",
    "Delete device",
    "DELETE",
    ITEM,
    long="Deleting a device removes its data (alarms, events, operations, measurements).",
    accept="",
    params=(
        _ID,
        ParamSpec("withDeviceUser", "boolean", QUERY, "Also delete the device's user"),
        ParamSpec("cascade", "boolean", QUERY, "Also delete child devices and assets"),
    ),
    examples=(
        ExampleSpec("c8y devices delete --id 12345", "Delete a device", "DELETE", MO + "/12345"),
        ExampleSpec("c8y devices delete --id 12345 --withDeviceUser", "With its device user", "DELETE",
                    MO + "/12345", query={"withDeviceUser": "true"}),
    ),
)  # fmt: skip

GROUP = GroupSpec(
    "devices",
    "Cumulocity devices",
    (LIST, GET, CREATE, UPDATE, DELETE, assert_exists("devices", "device[]"),
     assert_fragments("devices", "device[]")),
)  # fmt: skip
