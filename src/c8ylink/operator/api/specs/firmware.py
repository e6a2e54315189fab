"""``c8y firmware`` beyond the declared commands: ``versions create`` and ``patches create`` (go-c8y-cli
writes them by hand), child additions of the firmware, a file uploaded to ``/inventory/binaries`` first."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import CHILD_ADDITIONS, PARENT_ALIASES
from c8ylink.operator.api.common_specs import MO_ACCEPT as ACCEPT
from c8ylink.operator.api.spec import BODY, PATH, CommandSpec, ExampleSpec, GroupSpec, ParamSpec

PATH_TEMPLATE = CHILD_ADDITIONS % "firmware"
_FIRMWARE = ParamSpec("firmware", "firmware[]", PATH, "Firmware (id or name)", required=True, pipeline=True,
                      pipeline_aliases=PARENT_ALIASES)  # fmt: skip
_COMMON = (
    ParamSpec("url", "string", BODY, "URL of the image", property="c8y_Firmware.url"),
    ParamSpec("file", "fileurl", BODY, "File to upload (its binary's URL is the url)",
              property="c8y_Firmware.url"),
    ParamSpec("data", "json", BODY, "Additional properties"),
)  # fmt: skip
_TEMPLATE = {"type": "c8y_FirmwareBinary", "c8y_Global": {}}

VERSIONS_CREATE = CommandSpec(
    "versions create",
    "Create firmware package version",
    "POST",
    PATH_TEMPLATE,
    long="A version of a firmware: a URL, or a file uploaded to the tenant's binaries first.",
    accept=ACCEPT,
    params=(_FIRMWARE, ParamSpec("version", "string", BODY, "Version, e.g. 1.0.0",
                                 property="c8y_Firmware.version"), *_COMMON),
    body_defaults={"c8y_Firmware": {"version": "", "url": ""}},
    body_template=_TEMPLATE,
    body_required=("c8y_Firmware.version",),
    examples=(
        ExampleSpec('c8y firmware versions create --firmware 12345 --version "1.0.0" --url "https://x/i.img"',
                    "A version at a URL", "POST", PATH_TEMPLATE.replace("{firmware}", "12345"),
                    body={**_TEMPLATE, "c8y_Firmware": {"version": "1.0.0", "url": "https://x/i.img"}}),
    ),
)  # fmt: skip

PATCHES_CREATE = CommandSpec(
    "patches create",
    "Create firmware patch",
    "POST",
    PATH_TEMPLATE,
    long="A patch of a firmware version (--dependencyVersion): a URL, or a file uploaded first.",
    accept=ACCEPT,
    params=(
        _FIRMWARE,
        ParamSpec("version", "string", BODY, "Patch version, e.g. 1.0.1", property="c8y_Firmware.version"),
        ParamSpec("dependencyVersion", "string", BODY, "The firmware version the patch applies to",
                  property="c8y_Patch.dependency", required=True),
        *_COMMON,
    ),
    body_defaults={"c8y_Firmware": {"version": "", "url": ""}},
    body_template=_TEMPLATE,
    examples=(
        ExampleSpec("c8y firmware patches create --firmware 12345 --dependencyVersion 2.2.0 --version 2.2.1",
                    "A patch of version 2.2.0", "POST", PATH_TEMPLATE.replace("{firmware}", "12345"),
                    body={**_TEMPLATE, "c8y_Firmware": {"version": "2.2.1", "url": ""},
                          "c8y_Patch": {"dependency": "2.2.0"}}),
    ),
)  # fmt: skip

GROUP = GroupSpec("firmware", "Firmware repository (versions, patches)", (VERSIONS_CREATE, PATCHES_CREATE))
