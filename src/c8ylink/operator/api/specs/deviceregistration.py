"""``c8y deviceregistration``: new device requests and the CA registration (cumulocity-api.md §3.8,
§3.10; go-c8y-cli.md §6.6)."""

from __future__ import annotations

from c8ylink.operator.api.spec import BODY, PATH, QUERY, CommandSpec, ExampleSpec, GroupSpec, ParamSpec

BASE = "/devicecontrol/newDeviceRequests"
ACCEPT = "application/vnd.com.nsn.cumulocity.newdevicerequest+json"
_ID = ParamSpec("id", "reference", PATH, "Device (external) id", required=True, pipeline=True,
                pipeline_aliases=("id",))  # fmt: skip

REGISTER = CommandSpec(
    "register",
    "Register device",
    "POST",
    BASE,
    long="A new device request; the device then asks for its credentials and an operator approves it.",
    accept=ACCEPT,
    params=(
        ParamSpec("id", "string", BODY, "Device (external) id", required=True, pipeline=True,
                  pipeline_aliases=("id", "name")),
        ParamSpec("type", "string", BODY, "Type of the new device"),
        ParamSpec("group", "reference", BODY, "Id of the group to add the device to", property="groupId"),
        ParamSpec("data", "json", BODY, "More properties"),
    ),
    examples=(
        ExampleSpec("c8y deviceregistration register --id ASDF098SD1J10912UD92JDLCNCU8", "Register a device",
                    "POST", BASE, body={"id": "ASDF098SD1J10912UD92JDLCNCU8"}),
    ),
)  # fmt: skip

REGISTER_CA = CommandSpec(
    "register-ca",
    "Register device for the Cumulocity CA",
    "POST",
    "/devicecontrol/bulkNewDeviceRequests",
    long=(
        "Registers a device that enrols with the tenant's certificate authority (tedge cert download "
        "c8y): a bulk registration with AUTH_TYPE=CERTIFICATES and a one-time password (generated when "
        "none is given). Prints the id, name, username and the one-time password the device needs."
    ),
    action="create",
    handler="c8ylink.operator.api.register_ca:run_register_ca",
    params=(
        ParamSpec("id", "string[]", BODY, "Device (external) id; repeatable", required=True, pipeline=True,
                  pipeline_aliases=("id", "name", "externalId")),
        ParamSpec("name", "string", BODY, "Device name (default: the id)"),
        ParamSpec("type", "string", BODY, "Device type", default="thin-edge.io"),
        ParamSpec("external-type", "string", BODY, "External id type", default="c8y_Serial"),
        ParamSpec("iccid", "string", BODY, "ICCID of the SIM card"),
        ParamSpec("one-time-password", "string", BODY, "One-time password (8-32 characters; default: "
                  "generated)"),
        ParamSpec("tenant", "string", BODY, "Tenant to register the device in (management tenant only)"),
        ParamSpec("group", "string", BODY, "Group path a/b/c (created when missing)"),
        ParamSpec("data", "json", BODY, "Custom properties (string values)"),
    ),
    examples=(
        ExampleSpec("c8y deviceregistration register-ca --id device-0001 "
                    "--one-time-password ABCDEFgh12345678",
                    "Register a device with a one-time password", "POST",
                    "/devicecontrol/bulkNewDeviceRequests"),
        ExampleSpec("c8y deviceregistration register-ca --id device-0002", "A generated one-time password",
                    "POST", "/devicecontrol/bulkNewDeviceRequests"),
    ),
)  # fmt: skip

REGISTER_BASIC = CommandSpec(
    "register-basic",
    "Register device with username/password credentials",
    "POST",
    "/devicecontrol/bulkNewDeviceRequests",
    long=(
        "Registers a device that logs in with a password: a bulk registration with AUTH_TYPE=BASIC and "
        "its credentials (generated when none is given). Prints the id, name, username and password."
    ),
    action="create",
    handler="c8ylink.operator.api.register_ca:run_register_basic",
    params=(
        *(param for param in REGISTER_CA.params if param.name != "one-time-password"),
        ParamSpec("password", "string", BODY, "Device password (8-32 characters; default: generated)"),
    ),
    examples=(
        ExampleSpec("c8y deviceregistration register-basic --id device-0003", "A generated password", "POST",
                    "/devicecontrol/bulkNewDeviceRequests"),
    ),
)  # fmt: skip

LIST = CommandSpec(
    "list",
    "Get device registration collection",
    "GET",
    BASE,
    accept="application/vnd.com.nsn.cumulocity.newdevicerequestcollection+json",
    collection="newDeviceRequests",
    params=(
        ParamSpec("status", "string", QUERY, "Only requests with this status",
                  choices=("WAITING_FOR_CONNECTION", "PENDING_ACCEPTANCE", "ACCEPTED")),
    ),
    examples=(
        ExampleSpec("c8y deviceregistration list", "Every device request", "GET", BASE),
    ),
)  # fmt: skip

GET = CommandSpec(
    "get",
    "Get device registration",
    "GET",
    BASE + "/{id}",
    accept=ACCEPT,
    params=(_ID,),
    examples=(ExampleSpec("c8y deviceregistration get --id 010af8dd0c102", "A device request", "GET",
                          BASE + "/010af8dd0c102"),),
)  # fmt: skip

APPROVE = CommandSpec(
    "approve",
    "Approve device registration",
    "PUT",
    BASE + "/{id}",
    long="Accepts a device request; the device can then fetch its credentials.",
    accept=ACCEPT,
    params=(
        _ID,
        ParamSpec("status", "string", BODY, "New status", default="ACCEPTED", choices=("ACCEPTED",)),
        ParamSpec("securityToken", "string", BODY, "The security token the device sent"),
    ),
    examples=(
        ExampleSpec("c8y deviceregistration approve --id 010af8dd0c102", "Approve a device", "PUT",
                    BASE + "/010af8dd0c102", body={"status": "ACCEPTED"}),
    ),
)  # fmt: skip

DELETE = CommandSpec(
    "delete",
    "Delete device registration",
    "DELETE",
    BASE + "/{id}",
    accept="",
    params=(_ID,),
    examples=(ExampleSpec("c8y deviceregistration delete --id 010af8dd0c102", "Remove a device request",
                          "DELETE", BASE + "/010af8dd0c102"),),
)  # fmt: skip

GROUP = GroupSpec(
    "deviceregistration",
    "Device registration: new device requests, CA registration",
    (REGISTER, REGISTER_CA, REGISTER_BASIC, LIST, GET, APPROVE, DELETE),
)
