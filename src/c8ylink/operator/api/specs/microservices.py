"""``c8y microservices create`` (go-c8y-cli writes it by hand): the application found by name or
created from the zip's ``cumulocity.json``, its binary uploaded, the tenant subscribed
(``operator.api.app_uploads``)."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import app_zip_params
from c8ylink.operator.api.spec import CONTEXT, PATH, CommandSpec, GroupSpec, ParamSpec

BASE = "/application/applications"

CREATE = CommandSpec(
    "create",
    "Create microservice",
    "POST",
    BASE,
    long=(
        "Upload a microservice's zip: the application of that name is created when it is missing "
        "(from the zip's cumulocity.json), then the zip is uploaded as its binary and the tenant subscribed."
    ),
    accept="application/vnd.com.nsn.cumulocity.application+json",
    params=app_zip_params(
        "microservice", ParamSpec("skipSubscription", "boolean", CONTEXT, "Do not subscribe the tenant")
    ),
    handler="c8ylink.operator.api.app_uploads:run_create",
    upstream_examples=("c8y microservices create --file ./helloworld.zip",),
)  # fmt: skip

SERVICE_USER_GET = CommandSpec(
    "serviceuser get",
    "Get the service users of a microservice",
    "GET",
    BASE + "/{application}/bootstrapUser",
    long="The credentials of the microservice's service user in each tenant subscribed to it.",
    params=(
        ParamSpec("application", "microservice", PATH, "Microservice (id or name)", required=True,
                  pipeline=True, pipeline_aliases=("id", "name")),
    ),
    handler="c8ylink.operator.api.service_users:run_get",
    upstream_examples=("c8y microservices serviceuser get --application report-agent",),
)  # fmt: skip

SERVICE_USER_CREATE = CommandSpec(
    "serviceuser create",
    "Create a service user (a microservice without a binary)",
    "POST",
    BASE,
    long="A MICROSERVICE application with --roles as its required roles, subscribed by --tenants.",
    params=(
        ParamSpec("name", "string", CONTEXT, "Name of the microservice (and of its service user)",
                  required=True),
        ParamSpec("roles", "string[]", CONTEXT, "Roles of the service user, e.g. ROLE_INVENTORY_READ"),
        ParamSpec("tenants", "string[]", CONTEXT, "Tenants to subscribe (default: the session's)"),
    ),
    handler="c8ylink.operator.api.service_users:run_create",
    upstream_examples=("c8y microservices serviceuser create --name my-user --roles ROLE_INVENTORY_READ",),
)  # fmt: skip

GROUP = GroupSpec(
    "microservices", "Cumulocity microservices", (CREATE, SERVICE_USER_GET, SERVICE_USER_CREATE)
)
