"""``c8y software`` beyond the declared commands: ``versions create`` (go-c8y-cli writes it by hand),
a version stored as a child addition of its software, its file uploaded to ``/inventory/binaries``."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import CHILD_ADDITIONS, PARENT_ALIASES
from c8ylink.operator.api.common_specs import MO_ACCEPT as ACCEPT
from c8ylink.operator.api.spec import BODY, PATH, CommandSpec, ExampleSpec, GroupSpec, ParamSpec

VERSIONS_CREATE = CommandSpec(
    "versions create",
    "Create software package version",
    "POST",
    CHILD_ADDITIONS % "software",
    long="A version of a software package: a URL, or a file uploaded to the tenant's binaries first.",
    accept=ACCEPT,
    params=(
        ParamSpec("software", "software[]", PATH, "Software package (id or name)", required=True,
                  pipeline=True, pipeline_aliases=PARENT_ALIASES),
        ParamSpec("version", "string", BODY, "Version, e.g. 1.0.0", property="c8y_Software.version"),
        ParamSpec("url", "string", BODY, "URL of the package", property="c8y_Software.url"),
        ParamSpec("file", "fileurl", BODY, "File to upload (its binary's URL is the url)",
                  property="c8y_Software.url"),
        ParamSpec("data", "json", BODY, "Additional properties"),
    ),
    body_defaults={"c8y_Software": {"version": "", "url": ""}},
    body_template={"type": "c8y_SoftwareBinary", "c8y_Global": {}},
    body_required=("c8y_Software.version",),
    examples=(
        ExampleSpec('c8y software versions create --software 12345 --version "1.0.0" --url "https://x/p.deb"',
                    "A version at a URL", "POST", CHILD_ADDITIONS.replace("{%s}", "12345"),
                    body={"type": "c8y_SoftwareBinary", "c8y_Global": {},
                          "c8y_Software": {"version": "1.0.0", "url": "https://x/p.deb"}}),
    ),
)  # fmt: skip

GROUP = GroupSpec("software", "Software repository (versions)", (VERSIONS_CREATE,))
