"""``c8y ui plugins create`` (go-c8y-cli writes it by hand): a UI plugin's zip as a new version of its
hosted application, the application created from the zip's ``cumulocity.json`` when it is missing
(``operator.api.app_uploads``)."""

from __future__ import annotations

from c8ylink.operator.api.spec import CONTEXT, CommandSpec, GroupSpec, ParamSpec

CREATE = CommandSpec(
    "plugins create",
    "Create UI plugin",
    "POST",
    "/application/applications",
    long="Upload a UI plugin's zip as a version (tagged latest) of its application, created when missing.",
    accept="application/json",
    params=(
        ParamSpec("file", "file", CONTEXT, "The plugin's zip", required=True),
        ParamSpec("name", "string", CONTEXT, "Name (default: the manifest's, else the file's)"),
        ParamSpec("version", "string", CONTEXT, "Version (default: the manifest's)"),
        ParamSpec("tags", "string[]", CONTEXT, "Tags of the version (default: latest)"),
        ParamSpec("key", "string", CONTEXT, "Key of a new application (default: <name>-key)"),
        ParamSpec("contextPath", "string", CONTEXT, "Context path of a new application"),
        ParamSpec("availability", "string", CONTEXT, "Availability", choices=("MARKET", "PRIVATE")),
    ),
    handler="c8ylink.operator.api.app_uploads:run_create_plugin",
    upstream_examples=('c8y ui plugins create --file ./myplugin.zip --version "1.0.0"',),
)  # fmt: skip

GROUP = GroupSpec("ui", "UI extensions (plugins)", (CREATE,))
