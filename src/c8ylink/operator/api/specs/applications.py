"""``c8y applications`` beyond the declared commands (go-c8y-cli writes them by hand):
``createHostedApplication`` (a web application from a zip, ``operator.api.app_uploads``) and ``open``
(its web address, ``operator.api.app_open``)."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import app_zip_params
from c8ylink.operator.api.spec import CONTEXT, PATH, CommandSpec, GroupSpec, ParamSpec

BASE = "/application/applications"

CREATE_HOSTED = CommandSpec(
    "createHostedApplication",
    "Create hosted (web) application",
    "POST",
    BASE,
    long=(
        "Upload a web application's zip: the HOSTED application of that name is created when it is "
        "missing, the zip uploaded as its binary and made the active version."
    ),
    accept="application/vnd.com.nsn.cumulocity.application+json",
    params=app_zip_params("web application", ParamSpec("skipActivation", "boolean", CONTEXT,
                                                       "Upload without making it the active version")),
    handler="c8ylink.operator.api.app_uploads:run_create_hosted",
    upstream_examples=('c8y applications createHostedApplication --file ./myapp.zip --name "myapp"',),
)  # fmt: skip

OPEN = CommandSpec(
    "open",
    "Web address of an application",
    "GET",
    BASE + "/{application}",
    long="Prints {\"url\": ...}: <host>/apps/<contextPath>/ (with #/<page>); no browser is started.",
    params=(
        ParamSpec("application", "application", PATH, "Application (id or name)", required=True,
                  pipeline=True, pipeline_aliases=("id", "name")),
        ParamSpec("page", "string", CONTEXT, "Page inside the application (e.g. device/12345)"),
    ),
    handler="c8ylink.operator.api.app_open:run_open",
    upstream_examples=("c8y applications open --application cockpit",),
)  # fmt: skip

GROUP = GroupSpec("applications", "Cumulocity applications (and their versions)", (CREATE_HOSTED, OPEN))
