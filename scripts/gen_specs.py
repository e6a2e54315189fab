#!/usr/bin/env python3
"""Writes go-c8y-cli's REST command tree as package data of our spec engine.

    scripts/gen_specs.py [../shared/reference/go-c8y-cli-commands.json]

Reads the facts (every spec-declared command of go-c8y-cli: group, name, method, path, headers,
parameters with their types, upstream's examples) and writes one compact JSON file per top-level group
to ``src/c8ylink/operator/api/specs/upstream/<group>.json``, in the vocabulary of
``operator.api.spec`` (``CommandSpec`` / ``ParamSpec`` field names and our parameter types).
``operator.api.upstream`` loads a file when its group is invoked. Run it again when the facts change;
``tests/unit/operator/api/test_upstream.py`` checks the files are what this script writes.

What the facts leave out is declared here, from upstream's behaviour (go-c8y-cli.md): the parts of the
inventory query behind ``queryExpression`` parameters (``QUERY_PARTS``), the fixed values of
``stringStatic`` parameters and the simple jsonnet body templates (``TEMPLATES``). Types our engine
does not have map to the nearest one (``operator.api.upstream_types.TYPE_MAP``; docs/operator.md lists
them).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from c8ylink.operator.api.upstream_types import DROPPED_TYPES, TYPE_MAP

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT.parent / "shared" / "reference" / "go-c8y-cli-commands.json"
OUT = ROOT / "src" / "c8ylink" / "operator" / "api" / "specs" / "upstream"

MO_REFERENCES = (
    "device[]", "agent[]", "devicegroup[]", "id[]", "software[]", "firmware[]", "deviceprofile[]",
    "configuration[]", "smartgroup[]", "deviceservice[]", "softwareversion[]", "firmwareversion[]",
    "firmwarepatch[]",
)  # fmt: skip
LOCATIONS = {
    "pathParameters": "path",
    "queryParameters": "query",
    "body": "body",
    "headerParameters": "header",
}

_NAME = ("name", "string", "Filter by name (* wildcards)", "(name eq '%s')")
_TYPE = ("type", "string", "Filter by type", "(type eq '%s')")
_FRAGMENT = ("fragmentType", "string", "Only objects with this fragment", "has(%s)")
_OWNER = ("owner", "string", "Filter by owner", "(owner eq '%s')")
_DEVICE_TYPE = ("deviceType", "string", "Filter by the device type it is for", "(c8y_Filter.type eq '%s')")
_DESCRIPTION = ("description", "string", "Filter by description", "(description eq '%s')")
_DEVICE_PARTS = (
    _NAME, _TYPE, _FRAGMENT, _OWNER,
    ("availability", "string", "Filter by c8y_Availability.status", "(c8y_Availability.status eq '%s')"),
    ("lastMessageDateTo", "datetime", "Last message before", "(c8y_Availability.lastMessage le '%s')"),
    ("lastMessageDateFrom", "datetime", "Last message after", "(c8y_Availability.lastMessage ge '%s')"),
    ("creationTimeDateTo", "datetime", "Created before", "(creationTime.date le '%s')"),
    ("creationTimeDateFrom", "datetime", "Created after", "(creationTime.date ge '%s')"),
    ("group", "devicegroup[]", "Only members of this group (id or name)", "bygroupid(%s)"),
)  # fmt: skip
_SERVICE_PARTS = (
    _NAME,
    ("status", "string", "Filter by service status", "(status eq '%s')"),
    ("serviceType", "string", "Filter by service type", "(serviceType eq '%s')"),
)

# (group path, command) -> (fixed filter, parts (flag, type, help, format), orderBy default, pipeline part)
QUERY_PARTS: dict[tuple[str, str], tuple[str, tuple[tuple[str, str, str, str], ...], str, str]] = {
    ("agents", "list"): ("has(com_cumulocity_model_Agent)", _DEVICE_PARTS, "name", ""),
    ("configuration", "list"): (
        "(type eq 'c8y_ConfigurationDump')",
        (_NAME, _DEVICE_TYPE, _DESCRIPTION,
         ("configurationType", "string", "Filter by configuration type", "(configurationType eq '%s')")),
        "name", "",
    ),
    ("devicegroups", "list"): (
        "has(c8y_IsDeviceGroup)",
        (_NAME, _TYPE, _FRAGMENT, _OWNER,
         ("excludeRootGroup", "boolean", "Leave out root groups", "not(type eq 'c8y_DeviceGroup')")),
        "name", "",
    ),
    ("deviceprofiles", "list"): ("(type eq 'c8y_Profile')", (_NAME, _DEVICE_TYPE), "name", ""),
    ("devices services", "find"): ("(type eq 'c8y_Service')", _SERVICE_PARTS, "name", ""),
    ("devices services", "list"): ("(type eq 'c8y_Service')", _SERVICE_PARTS, "", ""),
    ("firmware", "list"): ("(type eq 'c8y_Firmware')", (_NAME, _DEVICE_TYPE, _DESCRIPTION), "name", ""),
    ("firmware patches", "list"): (
        "(type eq 'c8y_FirmwareBinary') and has(c8y_Patch)",
        (("firmware", "firmware[]", "Firmware (id or name)", "bygroupid(%s)"),
         ("dependency", "string", "Filter by the version it depends on", "(c8y_Patch.dependency eq '%s')"),
         ("patch", "string", "Filter by patch version", "(c8y_Firmware.version eq '%s')")),
        "creationTime.date desc", "firmware",
    ),
    ("firmware versions", "list"): (
        "(type eq 'c8y_FirmwareBinary') and not(has(c8y_Patch))",
        (("firmware", "firmware[]", "Firmware (id or name)", "bygroupid(%s)"),
         ("version", "string", "Filter by version", "(c8y_Firmware.version eq '%s')"),
         ("url", "string", "Filter by url", "(c8y_Firmware.url eq '%s')")),
        "creationTime.date desc", "firmware",
    ),
    ("smartgroups", "list"): (
        "has(c8y_IsDynamicGroup)",
        (_NAME, _FRAGMENT, _OWNER,
         ("deviceQuery", "string", "Filter by the device query", "(c8y_DeviceQueryString eq '%s')"),
         ("onlyInvisible", "boolean", "Only invisible groups", "has(c8y_IsDynamicGroup.invisible)"),
         ("onlyVisible", "boolean", "Only visible groups", "not(has(c8y_IsDynamicGroup.invisible))")),
        "name", "",
    ),
    ("software", "list"): (
        "(type eq 'c8y_Software')",
        (_NAME, _DEVICE_TYPE, _DESCRIPTION,
         ("softwareType", "string", "Filter by software type", "(softwareType eq '%s')")),
        "name", "",
    ),
    ("software versions", "list"): (
        "(type eq 'c8y_SoftwareBinary')",
        (("software", "software[]", "Software (id or name)", "bygroupid(%s)"),
         ("version", "string", "Filter by version", "(c8y_Software.version eq '%s')"),
         ("url", "string", "Filter by url", "(c8y_Software.url eq '%s')")),
        "creationTime.date desc", "software",
    ),
}  # fmt: skip

# (group path, command) -> parameter -> fixed value of a ``stringStatic`` parameter
STATIC: dict[tuple[str, str], dict[str, str]] = {
    ("operations", "cancel"): {"status": "CANCELLED"},
    ("devices services", "create"): {"type": "c8y_Service"},
    ("ui plugins", "list"): {"type": "HOSTED"},
}

# (group path, command) -> (body defaults (applied first), fixed fragments (applied last),
#                            parameter defaults): upstream's jsonnet body templates, translated
TEMPLATES: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any], dict[str, str]]] = {
    ("agents", "create"): ({}, {"c8y_IsDevice": {}, "com_cumulocity_model_Agent": {}}, {}),
    ("auditrecords", "create"): ({}, {}, {"time": "0s"}),
    ("bulkoperations", "create"): ({"creationRamp": 1.0}, {}, {"startDate": "300s"}),
    ("configuration", "create"): ({"type": "c8y_ConfigurationDump", "c8y_Global": {}}, {}, {}),
    ("devicegroups", "create"): ({"type": "c8y_DeviceGroup", "c8y_IsDeviceGroup": {}}, {}, {}),
    ("deviceprofiles", "create"): (
        {"type": "c8y_Profile", "c8y_DeviceProfile": {}, "c8y_Filter": {}},
        {},
        {},
    ),
    ("firmware", "create"): ({"type": "c8y_Firmware", "c8y_Global": {}}, {}, {}),
    ("software", "create"): ({"type": "c8y_Software", "c8y_Global": {}}, {}, {}),
    ("microservices loglevels", "delete"): ({}, {"configuredLevel": None}, {}),
    ("notification2 tokens", "create"): ({"subscriber": "goc8ycli"}, {}, {}),
    ("remoteaccess configurations", "create-passthrough"): ({"credentialsType": "NONE"}, {}, {}),
    ("remoteaccess configurations", "create-vnc"): ({"credentialsType": "NONE"}, {}, {}),
    ("retentionrules", "create"): ({"maximumAge": 365}, {}, {}),
    ("smartgroups", "create"): (
        {"c8y_DeviceQueryString": ""},
        {"type": "c8y_DynamicGroup", "c8y_IsDynamicGroup": {}},
        {},
    ),
    ("users", "resetUserPassword"): ({"sendPasswordResetEmail": True}, {}, {}),
    ("deviceregistration", "approve"): ({}, {"status": "ACCEPTED"}, {}),
}
# parameters whose upstream template turns them into another type (typeFilter: joined with " or ")
TYPES: dict[tuple[str, str], dict[str, str]] = {
    ("notification2 subscriptions", "create"): {"typeFilter": "stringor[]"},
}
# (group path, command) -> the handler that fills a repository entry in (upstream's *Details templates)
HANDLERS = {
    ("firmware versions", "install"): "c8ylink.operator.api.installs:install_firmware",
    ("software versions", "install"): "c8ylink.operator.api.installs:install_software",
    ("configuration", "send"): "c8ylink.operator.api.installs:send_configuration",
}
# (group path, command) -> body property -> fragment applied when it is set (conditional templates)
IF_SET: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("remoteaccess configurations", "create-vnc"): {"password": {"credentialsType": "PASS_ONLY"}},
    ("users", "resetUserPassword"): {"password": {"sendPasswordResetEmail": False}},
}
# body properties of upstream's template helpers, moved to where the template puts them
PROPERTIES: dict[tuple[str, str], dict[str, str]] = {
    ("notification2 subscriptions", "create"): {
        "apiFilter": "subscriptionFilter.apis",
        "typeFilter": "subscriptionFilter.typeFilter",
    },
}
# header switches: the value they send (upstream's measurements list --csvFormat: Accept: text/csv)
# flags upstream declares required but its own examples leave out (Cumulocity does not need them)
OPTIONAL: dict[tuple[str, str], tuple[str, ...]] = {
    ("applications versions", "create"): ("tags",),
    ("ui plugins versions", "create"): ("tags",),
}
HEADER_VALUES = {"csvFormat": "text/csv", "excelFormat": "application/vnd.ms-excel"}
_ID_ALIASES = ("id", "source.id", "managedObject.id", "deviceId")
_SOURCE_ALIASES = ("deviceId", "source.id", "managedObject.id", "id")


def words_of(text: str) -> str:
    """``getSupportedMeasurements`` -> ``get supported measurements``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text.replace("-", " ").replace("_", " "))
    return spaced.lower()


def describe_command(group: str, name: str) -> str:
    """``set`` in ``devices availability`` -> ``Set devices availability``."""
    text = words_of(name)
    text = text[0].upper() + text[1:]
    return f"{text} {group}" if " " not in text else f"{text} ({group})"


def describe_param(name: str, kind: str) -> str:
    text = words_of(name)
    text = text[0].upper() + text[1:]
    if (kind.endswith("[]") and kind not in ("string[]", "stringcsv[]")) or kind in (
        "application",
        "microservice",
    ):
        return "Id or name" if name == "id" else f"{text} (id or name)"
    return text


def build_param(group: str, command: str, location: str, fact: dict[str, Any]) -> dict[str, Any] | None:
    kind = fact["type"]
    if kind in DROPPED_TYPES:
        return None
    name = fact["name"]
    ours = TYPES.get((group, command), {}).get(name) or TYPE_MAP[kind] or kind
    param: dict[str, Any] = {"name": name, "type": ours, "location": location}
    param["description"] = describe_param(name, ours)
    prop = PROPERTIES.get((group, command), {}).get(name, fact.get("property", ""))
    if prop and prop != name:
        param["property"] = prop
    if fact.get("required") and name not in OPTIONAL.get((group, command), ()):
        param["required"] = True
    if fact.get("pipeline"):
        param["pipeline"] = True
        if ours in MO_REFERENCES:
            param["pipeline_aliases"] = list(_ID_ALIASES if name == "id" else _SOURCE_ALIASES)
        elif name != "id":
            param["pipeline_aliases"] = [name, "id"]
    default = fact.get("default")
    static = STATIC.get((group, command), {}).get(name)
    if static is not None:
        default = static
    template_default = TEMPLATES.get((group, command), ({}, {}, {}))[2].get(name)
    if template_default is not None:
        default = template_default
    if kind == "booleanDefault" and default != "true":
        default = None
    if default not in (None, ""):
        param["default"] = str(default)
    if fact.get("validationSet"):
        param["choices"] = list(fact["validationSet"])
    if location == "header" and name in HEADER_VALUES:
        param["value"] = HEADER_VALUES[name]
    return param


def query_params(group: str, command: str, has_pipeline: bool) -> list[dict[str, Any]]:
    _, parts, order, pipeline = QUERY_PARTS.get((group, command), ("", (), "", ""))
    query: dict[str, Any] = {
        "name": "query", "type": "string", "location": "q", "description": "Additional query filter",
    }  # fmt: skip
    if not has_pipeline and not pipeline:
        query["pipeline"] = True
    params = [query]
    params.append({"name": "queryTemplate", "type": "string", "location": "q",
                   "description": "Template for --query or piped values (%s: the value)"})  # fmt: skip
    order_param: dict[str, Any] = {"name": "orderBy", "type": "string", "location": "q",
                                   "description": "Order by, e.g. 'name desc'"}  # fmt: skip
    if order:
        order_param["default"] = order
    params.append(order_param)
    for name, kind, text, pattern in parts:
        part: dict[str, Any] = {"name": name, "type": kind, "location": "q", "description": text}
        if kind == "boolean":
            part["value"] = pattern
        else:
            part["format"] = pattern
        if name == pipeline:
            part["pipeline"] = True
            part["pipeline_aliases"] = list(_ID_ALIASES)
        params.append(part)
    return params


def placeholder_of(item: dict[str, Any], path: str) -> str:
    """The ``{placeholder}`` a path parameter fills: its property, its name, or the path's only one."""
    for candidate in (item.get("property", ""), item["name"]):
        if candidate and "{" + candidate + "}" in path:
            return str(candidate)
    left = re.findall(r"{(\w+)}", path)
    return left[0] if len(left) == 1 and item.get("pipeline") else ""


def build_command(group: str, fact: dict[str, Any]) -> dict[str, Any]:
    name = fact["name"]
    path = "/" + fact["path"].lstrip("/")
    words = group.split(" ")
    command: dict[str, Any] = {
        "name": " ".join([*words[1:], name]),
        "description": describe_command(group, name),
        "method": fact["method"],
        "path": path,
        "long": f"{describe_command(group, name)}: {fact['method']} {path} (go-c8y-cli's {group} {name}).",
    }
    if fact.get("accept", "application/json") != "application/json":
        command["accept"] = fact.get("accept", "")
    if fact.get("contentType"):
        command["content_type"] = fact["contentType"]
    if fact.get("collectionProperty", "-") != "-" and fact["method"] == "GET":
        command["collection"] = fact["collectionProperty"]
    params: list[dict[str, Any]] = []
    query_property = ""
    facts = [(LOCATIONS[key], item) for key in LOCATIONS for item in fact.get(key) or []]
    has_pipeline = any(item.get("pipeline") for _, item in facts)
    for where, item in facts:
        if item["type"] == "queryExpression":
            query_property = item.get("property", "q")
            params += query_params(group, name, has_pipeline)
            continue
        location, declared = where, item
        if where == "path":
            declared = {**item, "property": placeholder_of(item, path)}
            if not declared["property"]:
                location = "context"  # upstream narrows another parameter's lookup with it
        param = build_param(group, name, location, declared)
        if param is not None and all(p["name"] != param["name"] for p in params):
            params.append(param)
    if query_property and query_property != "q":
        command["query_property"] = query_property
    fixed = QUERY_PARTS.get((group, name), ("", (), "", ""))[0]
    if fixed:
        command["query_filter"] = fixed
    command["params"] = params
    defaults, last, _ = TEMPLATES.get((group, name), ({}, {}, {}))
    if defaults:
        command["body_defaults"] = defaults
    if last:
        command["body_template"] = last
    if (group, name) in HANDLERS:
        command["handler"] = HANDLERS[(group, name)]
    if (group, name) in IF_SET:
        command["body_if_set"] = IF_SET[(group, name)]
    if fact.get("bodyRequiredKeys"):
        command["body_required"] = list(fact["bodyRequiredKeys"])
    command["upstream_examples"] = [example.strip() for example in fact.get("goExamples", [])]
    return command


def build_groups(facts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for entry in facts:
        group = " ".join(part.lower() for part in entry["group"].split("/"))
        top = group.split(" ")[0]
        target = groups.setdefault(top, {"group": top, "commands": []})
        target["commands"] += [build_command(group, fact) for fact in entry["commands"]]
    return groups


def render(group: dict[str, Any]) -> str:
    lines = ['{"group": ' + json.dumps(group["group"]) + ', "commands": [']
    rows = [json.dumps(command, separators=(",", ":")) for command in group["commands"]]
    lines.append(",\n".join(rows))
    lines.append("]}\n")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else FACTS
    groups = build_groups(json.loads(source.read_text(encoding="utf-8")))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        if old.stem not in groups:
            old.unlink()
    for name, group in sorted(groups.items()):
        (OUT / f"{name}.json").write_text(render(group), encoding="utf-8")
    count = sum(len(group["commands"]) for group in groups.values())
    print(f"{count} commands in {len(groups)} groups -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
