"""``c8y microservices create`` (go-c8y-cli writes it by hand): the application found by name or
created from the zip's ``cumulocity.json``, its binary uploaded, the tenant subscribed
(``operator.api.app_uploads``)."""

from __future__ import annotations

from c8ylink.operator.api.spec import BODY, CONTEXT, CommandSpec, GroupSpec, ParamSpec

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
    params=(
        ParamSpec("file", "file", CONTEXT, "The microservice's zip", required=True),
        ParamSpec("name", "string", BODY, "Name (default: the file's name without .zip)", pipeline=True,
                  pipeline_aliases=("name",)),
        ParamSpec("key", "string", BODY, "Key (default: <name>-key)"),
        ParamSpec("availability", "string", BODY, "Availability", choices=("MARKET", "PRIVATE")),
        ParamSpec("contextPath", "string", BODY, "Context path (default: the name)"),
        ParamSpec("skipUpload", "boolean", CONTEXT, "Create the application only"),
        ParamSpec("skipSubscription", "boolean", CONTEXT, "Do not subscribe the tenant"),
        ParamSpec("data", "json", BODY, "Additional properties of a new application"),
    ),
    handler="c8ylink.operator.api.app_uploads:run_create",
    upstream_examples=("c8y microservices create --file ./helloworld.zip",),
)  # fmt: skip

GROUP = GroupSpec("microservices", "Cumulocity microservices", (CREATE,))
