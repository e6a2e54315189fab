"""``c8y identity``: external ids of managed objects (cumulocity-api.md §3.3)."""

from __future__ import annotations

from c8ylink.operator.api.spec import BODY, PATH, CommandSpec, ExampleSpec, GroupSpec, ParamSpec

_DEVICE = ParamSpec(
    "device", "device[]", PATH, "Device id or name", required=True, pipeline=True,
    pipeline_aliases=("id", "managedObject.id", "source.id", "deviceId"),
)  # fmt: skip
_TYPE = ParamSpec("type", "string", PATH, "External id type", default="c8y_Serial")
_NAME = ParamSpec(
    "name", "string", PATH, "External id", required=True, pipeline=True, pipeline_aliases=("externalId",)
)

LIST = CommandSpec(
    "list",
    "Get external identity collection",
    "GET",
    "/identity/globalIds/{device}/externalIds",
    accept="application/vnd.com.nsn.cumulocity.externalidcollection+json",
    collection="externalIds",
    params=(_DEVICE,),
    examples=(
        ExampleSpec("c8y identity list --device 12345", "The external ids of a device", "GET",
                    "/identity/globalIds/12345/externalIds"),
    ),
)  # fmt: skip

GET = CommandSpec(
    "get",
    "Get external identity",
    "GET",
    "/identity/externalIds/{type}/{name}",
    accept="application/vnd.com.nsn.cumulocity.externalid+json",
    params=(_TYPE, _NAME),
    examples=(
        ExampleSpec("c8y identity get --type c8y_Serial --name myserialnumber", "An external id", "GET",
                    "/identity/externalIds/c8y_Serial/myserialnumber"),
        ExampleSpec("c8y identity get --name 'device 01'", "The default type, a name with a space", "GET",
                    "/identity/externalIds/c8y_Serial/device%2001"),
    ),
)  # fmt: skip

CREATE = CommandSpec(
    "create",
    "Create external identity",
    "POST",
    "/identity/globalIds/{device}/externalIds",
    accept="application/vnd.com.nsn.cumulocity.externalid+json",
    params=(
        _DEVICE,
        ParamSpec("type", "string", BODY, "External id type", default="c8y_Serial"),
        ParamSpec("name", "string", BODY, "External id", property="externalId", required=True),
        ParamSpec("data", "json", BODY, "More properties"),
    ),
    examples=(
        ExampleSpec("c8y identity create --device 1234 --type test --name myserialnumber",
                    "Give a device an external id", "POST", "/identity/globalIds/1234/externalIds",
                    body={"type": "test", "externalId": "myserialnumber"}),
        ExampleSpec("c8y identity create --device 1234 --name sn-01", "The default type c8y_Serial", "POST",
                    "/identity/globalIds/1234/externalIds",
                    body={"type": "c8y_Serial", "externalId": "sn-01"}),
    ),
)  # fmt: skip

DELETE = CommandSpec(
    "delete",
    "Delete external identity",
    "DELETE",
    "/identity/externalIds/{type}/{name}",
    accept="",
    params=(_TYPE, _NAME),
    examples=(
        ExampleSpec("c8y identity delete --type test --name myserialnumber", "Remove an external id",
                    "DELETE", "/identity/externalIds/test/myserialnumber"),
    ),
)  # fmt: skip

GROUP = GroupSpec("identity", "Cumulocity external identities", (LIST, GET, CREATE, DELETE))
