"""``c8y inventory``: any managed object (cumulocity-api.md §3.2, go-c8y-cli.md §6.5)."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import (
    DURATION,
    FRAGMENTS,
    INTERVAL,
    WAITS,
    assert_exists,
    assert_fragments,
    id_param,
)
from c8ylink.operator.api.spec import BODY, PATH, QUERY, CommandSpec, ExampleSpec, GroupSpec, ParamSpec, Q

MO = "/inventory/managedObjects"
ITEM = MO + "/{id}"
ACCEPT = "application/vnd.com.nsn.cumulocity.inventory+json"
COLLECTION_ACCEPT = "application/vnd.com.nsn.cumulocity.managedobjectcollection+json"

_ID = ParamSpec(
    "id", "id[]", PATH, "Managed object id or name", required=True, pipeline=True,
    pipeline_aliases=("id", "source.id", "managedObject.id", "deviceId"),
)  # fmt: skip
_WITH = (
    ParamSpec("withChildren", "boolean", QUERY, "Include the children (id and name)"),
    ParamSpec("withParents", "boolean", QUERY, "Include the parents and grandparents"),
)

LIST = CommandSpec(
    "list",
    "Get managed object collection",
    "GET",
    MO,
    accept=COLLECTION_ACCEPT,
    collection="managedObjects",
    params=(
        ParamSpec("ids", "stringcsv[]", QUERY, "Only these ids"),
        ParamSpec("type", "string", QUERY, "Filter by type"),
        ParamSpec("fragmentType", "string", QUERY, "Only objects with this fragment"),
        ParamSpec("owner", "string", QUERY, "Filter by owner"),
        ParamSpec("text", "string", QUERY, "Objects whose text properties contain this"),
        ParamSpec("onlyRoots", "boolean", QUERY, "Only objects without parents"),
        ParamSpec("childDeviceId", "reference", QUERY, "Parents of this child device"),
        ParamSpec("childAssetId", "reference", QUERY, "Parents of this child asset"),
        *_WITH,
    ),
    examples=(
        ExampleSpec("c8y inventory list --type c8y_Sensor --pageSize 100", "Objects of one type", "GET", MO,
                    query={"type": "c8y_Sensor", "pageSize": "100"}),
        ExampleSpec("c8y inventory list --ids 1,2 --ids 3", "Objects by id", "GET", MO,
                    query={"ids": "1,2,3"}),
        ExampleSpec("c8y inventory list --fragmentType c8y_IsDevice --onlyRoots", "Root devices", "GET", MO,
                    query={"fragmentType": "c8y_IsDevice", "onlyRoots": "true"}),
    ),
)  # fmt: skip

FIND = CommandSpec(
    "find",
    "Find managed objects with a query",
    "GET",
    MO,
    long="The inventory query language in `query` (e.g. \"name eq 'x*' and has(c8y_IsDevice)\").",
    accept=COLLECTION_ACCEPT,
    collection="managedObjects",
    query_property="query",
    params=(
        ParamSpec("query", "string", Q, "Query filter", pipeline=True),
        ParamSpec("queryTemplate", "string", Q, "Template for --query or piped values (%s: the value)"),
        ParamSpec("orderBy", "string", Q, "Order by, e.g. 'name asc'", default="name"),
        ParamSpec("onlyDevices", "boolean", Q, "Only devices", value="has(c8y_IsDevice)"),
        *_WITH,
    ),
    examples=(
        ExampleSpec("c8y inventory find --query \"name eq 'roomUpper*'\"", "Objects by name", "GET", MO,
                    query={"query": "$filter=name eq 'roomUpper*' $orderby=name"}),
        ExampleSpec("c8y inventory find --query 'has(c8y_Hardware)' --onlyDevices --orderBy _id",
                    "Devices with a fragment", "GET", MO,
                    query={"query": "$filter=has(c8y_Hardware) and has(c8y_IsDevice) $orderby=_id"}),
    ),
)  # fmt: skip

GET = CommandSpec(
    "get",
    "Get managed object",
    "GET",
    ITEM,
    accept=ACCEPT,
    params=(_ID, *_WITH),
    examples=(
        ExampleSpec("c8y inventory get --id 12345", "An object by id", "GET", MO + "/12345"),
        ExampleSpec("c8y inventory get", "Piped ids", "GET", MO + "/7", stdin="7\n8\n", requests=2),
    ),
)  # fmt: skip

CREATE = CommandSpec(
    "create",
    "Create managed object",
    "POST",
    MO,
    long="Piped values are names.",
    accept=ACCEPT,
    params=(
        ParamSpec("name", "string", BODY, "Name", pipeline=True, pipeline_aliases=("name",)),
        ParamSpec("type", "string", BODY, "Type"),
        ParamSpec("data", "json", BODY, "More properties: JSON or shorthand a=1,b.c=x"),
    ),
    examples=(
        ExampleSpec("c8y inventory create --name hello --sessionMode dev", "The user docs' example", "POST",
                    MO, body={"name": "hello"}),
        ExampleSpec("c8y inventory create --name testMO --type custom_type --data '{\"custom\":{\"a\":1}}'",
                    "With a type and custom JSON", "POST", MO,
                    body={"name": "testMO", "type": "custom_type", "custom": {"a": 1}}),
    ),
)  # fmt: skip

UPDATE = CommandSpec(
    "update",
    "Update managed object",
    "PUT",
    ITEM,
    accept=ACCEPT,
    params=(
        _ID,
        ParamSpec("newName", "string", BODY, "New name", property="name"),
        ParamSpec("data", "json", BODY, "Properties to change: JSON or shorthand a=1,b.c=x"),
    ),
    examples=(
        ExampleSpec("c8y inventory update --id 12345 --newName my_custom_name --data 'com_my_props.value=1'",
                    "Rename and set a property", "PUT", MO + "/12345",
                    body={"name": "my_custom_name", "com_my_props": {"value": 1}}),
    ),
)  # fmt: skip

DELETE = CommandSpec(
    "delete",
    "Delete managed object",
    "DELETE",
    ITEM,
    accept="",
    params=(
        _ID,
        ParamSpec("withDeviceUser", "boolean", QUERY, "Also delete the device's user (a device)"),
        ParamSpec("cascade", "boolean", QUERY, "Also delete children"),
        ParamSpec("forceCascade", "boolean", QUERY, "Delete children even if they have other parents"),
    ),
    examples=(
        ExampleSpec("c8y inventory delete --id 12345 --cascade", "Delete with children", "DELETE",
                    MO + "/12345", query={"cascade": "true"}),
    ),
)  # fmt: skip

WAIT = CommandSpec(
    "wait",
    "Wait for a managed object to have fragments",
    "GET",
    MO,
    long="Polls every --interval until every --fragments pattern holds, or exits 106 after --duration.",
    params=(id_param("id[]", "Managed object id"), FRAGMENTS, DURATION, INTERVAL),
    handler=WAITS + "run_inventory_wait",
    examples=(ExampleSpec("c8y inventory wait --id 12345 --fragments c8y_Mobile.iccd",
                          "Until it has an ICCID", "GET", MO + "/12345"),),
)  # fmt: skip
ASSERT_EXISTS = assert_exists("inventory", "id[]")
ASSERT_FRAGMENTS = assert_fragments("inventory", "id[]")

GROUP = GroupSpec(
    "inventory",
    "Cumulocity managed objects",
    (LIST, FIND, GET, CREATE, UPDATE, DELETE, WAIT, ASSERT_EXISTS, ASSERT_FRAGMENTS),
)
