"""``c8y devicemanagement certificates``: trusted device certificates (cumulocity-api.md §3.9).

The group has one subgroup, so its commands are named ``certificates <verb>``; the CLI nests them.
"""

from __future__ import annotations

from c8ylink.operator.api.spec import BODY, PATH, QUERY, CommandSpec, ExampleSpec, GroupSpec, ParamSpec

BASE = "/tenant/tenants/{tenant}/trusted-certificates"
_TENANT = ParamSpec("tenant", "tenant", PATH, "Tenant id (default: the session's tenant)")
_ID = ParamSpec(
    "id", "reference", PATH, "Certificate fingerprint", required=True, pipeline=True,
    pipeline_aliases=("fingerprint", "id"),
)  # fmt: skip
_STATUS = ("ENABLED", "DISABLED")

LIST = CommandSpec(
    "certificates list",
    "Get trusted device certificate collection",
    "GET",
    BASE,
    collection="certificates",
    params=(
        _TENANT,
        ParamSpec("certificateAuthority", "boolean", QUERY, "Only the tenant's certificate authority"),
    ),
    examples=(
        ExampleSpec("c8y devicemanagement certificates list --tenant t12345", "The trusted certificates",
                    "GET", "/tenant/tenants/t12345/trusted-certificates"),
    ),
)  # fmt: skip

GET = CommandSpec(
    "certificates get",
    "Get trusted device certificate",
    "GET",
    BASE + "/{id}",
    params=(_TENANT, _ID),
    examples=(
        ExampleSpec("c8y devicemanagement certificates get --tenant t12345 --id abcdef0123",
                    "One certificate",
                    "GET", "/tenant/tenants/t12345/trusted-certificates/abcdef0123"),
    ),
)  # fmt: skip

CREATE = CommandSpec(
    "certificates create",
    "Upload trusted device certificate",
    "POST",
    BASE,
    long="Trust a CA (or self-signed) certificate for devices: --file reads a PEM file.",
    params=(
        _TENANT,
        ParamSpec("name", "string", BODY, "Certificate name", required=True),
        ParamSpec("file", "certificatefile", BODY, "PEM file of the certificate", property="certInPemFormat"),
        ParamSpec("status", "string", BODY, "Status", default="ENABLED", choices=_STATUS),
        ParamSpec("autoRegistrationEnabled", "boolean", BODY, "Register unknown devices at first connect"),
        ParamSpec("data", "json", BODY, "More properties"),
    ),
    body_required=("certInPemFormat",),
    examples=(
        ExampleSpec("c8y devicemanagement certificates create --tenant t12345 --name my-ca --data "
                    "certInPemFormat=MIIBszCCAVmgAwIBAgIU", "Trust a certificate", "POST",
                    "/tenant/tenants/t12345/trusted-certificates",
                    body={"name": "my-ca", "status": "ENABLED", "certInPemFormat": "MIIBszCCAVmgAwIBAgIU"}),
    ),
)  # fmt: skip

DELETE = CommandSpec(
    "certificates delete",
    "Delete trusted device certificate",
    "DELETE",
    BASE + "/{id}",
    accept="",
    params=(_TENANT, _ID),
    examples=(
        ExampleSpec("c8y devicemanagement certificates delete --tenant t12345 --id abcdef0123",
                    "Stop trusting a certificate", "DELETE",
                    "/tenant/tenants/t12345/trusted-certificates/abcdef0123"),
    ),
)  # fmt: skip

GROUP = GroupSpec("devicemanagement", "Device management (trusted certificates)", (LIST, GET, CREATE, DELETE))
