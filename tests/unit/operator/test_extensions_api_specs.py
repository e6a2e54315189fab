"""An extension's ``api/*.yaml`` (go-c8y-cli's spec format) becoming our ``GroupSpec``: the fields, the
parameter types through the same table as the built-in commands, the request the result builds, and
each malformed document named in one ``ExtensionError``."""

from __future__ import annotations

from typing import Any

import pytest

from c8ylink.operator.api.build import RequestOptions, build_request
from c8ylink.operator.api.lookup import guess_collection
from c8ylink.operator.api.spec import BODY, CONTEXT, GUESS, HEADER, PATH, QUERY, TYPES, ParamSpec, Q
from c8ylink.operator.api.upstream_types import TYPE_MAP, our_type
from c8ylink.operator.extensions.api_specs import parse_api_spec
from c8ylink.operator.extensions.manifest import ExtensionError
from c8ylink.operator.sessions.yaml_files import parse_yaml_document

ORIGIN = "c8y-fleet/api/things.yaml"
SPEC = """\
group:
  name: things
  description: Things of the fleet
  descriptionLong: Manage the things of the fleet
commands:
  - name: list
    description: List things
    descriptionLong: List the things, newest first
    method: GET
    path: inventory/managedObjects?type=fleet_Thing
    accept: application/vnd.com.nsn.cumulocity.managedobjectcollection+json
    collectionProperty: managedObjects
    alias: {go: list, powershell: Get-ThingCollection}
    examples:
      go:
        - command: c8y fleet things list --owner admin
          description: Things of admin
    queryParameters:
      - name: owner
        type: string
        description: Owner
      - name: withParents
        type: booleanDefault
        default: "true"
      - name: tags
        type: "[]string"
  - name: find
    description: Find things
    method: GET
    path: inventory/managedObjects
    collectionProperty: managedObjects
    flagMapping:
      pageSize: limit
    queryParameters:
      - name: query
        type: queryExpression
        property: query
        children:
          - name: name
            type: string
            format: (name eq '%s')
          - name: agents
            type: boolean
            format: has(com_cumulocity_model_Agent)
  - name: children
    description: Child devices
    method: GET
    path: /inventory/managedObjects/{id}/childDevices
    pathParameters:
      - name: device
        property: id
        type: device[]
        pipeline: true
        required: true
      - name: owner
        type: user[]
        description: narrows nothing in the path
    headerParameters:
      - name: mode
        type: string
        property: X-Mode
        validationSet: [fast, slow]
  - name: create
    description: Create a thing
    method: post
    path: inventory/managedObjects
    body:
      - name: name
        type: string
      - name: size
        type: integer
        property: fleet_Thing.size
      - name: attrs
        type: json_custom
      - name: kind
        type: stringStatic
        value: thing
    bodyTemplates:
      - type: jsonnet
        template: "{type: 'fleet_Thing', fleet_Thing: {}}"
    bodyRequiredKeys: [name]
  - name: skipped
    skip: true
    description: not built
    method: GET
    path: nothing
"""


G = "group: {name: g}\ncommands: "


def parsed(text: str = SPEC) -> Any:
    return parse_api_spec(parse_yaml_document(text), ORIGIN)


def test_the_group_and_its_commands() -> None:
    group = parsed()
    assert group.name == "things" and group.description == "Manage the things of the fleet"
    assert [command.name for command in group.commands] == ["list", "find", "children", "create"]
    listing = group.command("list")
    assert listing is not None
    assert (listing.method, listing.path, listing.collection) == (
        "GET",
        "/inventory/managedObjects",
        "managedObjects",
    )
    assert listing.accept == "application/vnd.com.nsn.cumulocity.managedobjectcollection+json"
    assert listing.long == "List the things, newest first" and listing.description == "List things"
    assert listing.fixed_query == (("type", "fleet_Thing"),)
    assert listing.upstream_examples == ("c8y fleet things list --owner admin", "    Things of admin")
    assert listing.params == (
        ParamSpec("owner", "string", QUERY, "Owner"),
        ParamSpec("withParents", "boolean", QUERY, "withParents", default="true"),
        ParamSpec("tags", "string[]", QUERY, "tags"),
    )


def test_a_list_builds_its_fixed_query_and_flags() -> None:
    listing = parsed().command("list")
    assert listing is not None
    plan = build_request(listing, {"owner": "admin", "tags": ["a", "b"]}, RequestOptions(page_size=20))
    assert plan.target == "/inventory/managedObjects?type=fleet_Thing&owner=admin&tags=a,b&pageSize=20"


def test_a_query_expression_becomes_the_inventory_query_and_page_size_is_mapped() -> None:
    find = parsed().command("find")
    assert find is not None and find.query_property == "query" and find.page_size_param == "limit"
    assert [(p.name, p.location) for p in find.params] == [
        ("query", Q), ("queryTemplate", Q), ("orderBy", Q), ("name", Q), ("agents", Q),
    ]  # fmt: skip
    plan = build_request(find, {"name": "pump*", "agents": True}, RequestOptions(page_size=11))
    assert dict(plan.query) == {
        "query": "$filter=(name eq 'pump*') and has(com_cumulocity_model_Agent) $orderby=",
        "limit": "11",
    }


def test_a_get_without_collection_property_guesses_it_at_output() -> None:
    children = parsed().command("children")
    create = parsed().command("create")
    assert children is not None and children.collection == GUESS
    assert create is not None and create.collection == ""
    no_guess = parsed(SPEC.replace("collectionProperty: managedObjects", "collectionProperty: '-'", 1))
    assert no_guess.command("list").collection == ""  # type: ignore[union-attr]
    answer = {"self": "x", "managedObjects": [{"id": "1"}], "statistics": {"pageSize": 5}}
    assert guess_collection(answer) == "managedObjects"
    assert guess_collection({"id": "1", "childDevices": {"references": []}}) == ""
    assert guess_collection({"statistics": {}, "a": [], "b": []}) == ""  # not one list: no guess


def test_a_page_size_mapped_to_nothing_is_not_sent() -> None:
    text = SPEC.replace("pageSize: limit", "pageSize:")
    find = parsed(text).command("find")
    assert find is not None and find.page_size_param == ""
    assert "pageSize" not in dict(build_request(find, {}, RequestOptions(page_size=11)).query)


def test_path_parameters_fill_their_placeholder_or_only_narrow() -> None:
    children = parsed().command("children")
    assert children is not None and children.path == "/inventory/managedObjects/{id}/childDevices"
    device, owner, mode = children.params
    assert (device.type, device.location, device.target, device.required, device.pipeline) == (
        "device[]", PATH, "id", True, True,
    )  # fmt: skip
    assert device.pipeline_aliases == ("id", "source.id", "managedObject.id", "deviceId")
    assert (owner.location, owner.type) == (CONTEXT, "user[]")
    assert (mode.location, mode.target, mode.choices) == (HEADER, "X-Mode", ("fast", "slow"))
    plan = build_request(children, {"device": ["12"], "mode": "fast"}, RequestOptions())
    assert plan.target == "/inventory/managedObjects/12/childDevices"
    assert ("X-Mode", "fast") in plan.headers


def test_a_create_builds_its_body_with_templates_last_and_gets_data() -> None:
    create = parsed().command("create")
    assert create is not None and create.method == "POST" and create.body_required == ("name",)
    assert [(p.name, p.type, p.location) for p in create.params] == [
        ("name", "string", BODY), ("size", "integer", BODY), ("attrs", "json", BODY),
        ("kind", "string", BODY), ("data", "json", BODY),
    ]  # fmt: skip
    assert create.param("kind") is not None and create.param("kind").default == "thing"  # type: ignore[union-attr]
    values = {"name": "a", "size": 3, "attrs": {"x": 1}, "data": {"extra": True}, "kind": "thing"}
    body = build_request(create, values, RequestOptions()).body
    assert body == {
        "extra": True, "name": "a", "fleet_Thing": {"size": 3}, "attrs": {"x": 1}, "kind": "thing",
        "type": "fleet_Thing",
    }  # fmt: skip


def test_every_upstream_type_maps_to_one_of_ours() -> None:
    for kind in TYPE_MAP:
        assert our_type(kind) in TYPES, kind
    assert our_type("[]string") == "string[]" and our_type("datetime_utc") == "datetime"
    assert our_type("fileContentsAsString") == "filetext" and our_type("booleanValue") == "boolean"
    assert our_type("configurationDetails") == "" and our_type("wibble") is None


# the parameter types of upstream's schema of extension specs (tools/schema/extensionCommands.json)
SCHEMA_TYPES = (
    "agent[]", "application", "applicationname", "attachment", "binaryUploadURL", "boolean",
    "booleanDefault", "certificate[]", "certificatefile", "configuration[]", "configurationDetails", "date",
    "datetime", "device[]", "devicegroup[]", "deviceprofile[]", "devicerequest", "devicerequest[]",
    "deviceservice[]", "file", "fileContents", "fileContentsAsString", "firmware[]", "firmwareDetails",
    "firmwareName", "firmwarepatch[]", "firmwarepatchName", "firmwareversion[]", "firmwareVersionName",
    "float", "hostedapplication", "id[]", "integer", "json_custom", "microservice", "microserviceinstance",
    "microservicename", "optional_fragment", "queryExpression", "role[]", "roleself[]", "smartgroup[]",
    "software[]", "softwareDetails", "softwareName", "softwareversion[]", "softwareversionName", "source",
    "string", "string[]", "stringcsv[]", "stringStatic", "subscriptionId", "subscriptionName", "tenant",
    "tenantname", "user[]", "usergroup[]", "userself[]",
)  # fmt: skip


def test_every_type_of_upstreams_extension_schema_is_known() -> None:
    assert len(SCHEMA_TYPES) == 59
    unknown = [kind for kind in SCHEMA_TYPES if our_type(kind) is None]
    assert unknown == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "expected a mapping with group and commands at the top level"),
        ("just text\n", "expected a mapping with group and commands at the top level"),
        ("commands: []\n", "group.name is missing"),
        ("group: {name: two words}\n", "group.name 'two words' is not a command name"),
        (G + "{name: x}\n", "commands must be a list"),
        (G + "[x]\n", "command 1 is not a mapping"),
        (G + "[{method: GET, path: a}]\n", "command '#1': name is missing"),
        (G + "[{name: x, path: a}]\n", "command 'x': method is missing"),
        (G + "[{name: x, method: GET}]\n", "command 'x': path is missing"),
        (G + "[{name: x, method: PATCH, path: a}]\n", "command 'x': method 'PATCH'"),
        (
            G + "[{name: x, method: GET, path: a, queryParameters: [{name: q, type: wibble}]}]\n",
            "command 'x': parameter 'q': unknown parameter type 'wibble'",
        ),
        (
            G + "[{name: x, method: GET, path: a, body: [{name: q}]}]\n",
            "command 'x': parameter 'q' has no type",
        ),
        (
            G + "[{name: x, method: GET, path: a}, {name: x, method: GET, path: b}]\n",
            "command 'x' is declared twice",
        ),
        (
            G + "[{name: x, method: POST, path: a, bodyTemplates: "
            "[{type: jsonnet, template: 'std.mergePatch(a, b)'}]}]\n",
            "command 'x': bodyTemplates: only literal objects are supported",
        ),
        (
            G + "[{name: x, method: GET, path: a, queryParameters: {name: q}}]\n",
            "command 'x': queryParameters must be a list",
        ),
    ],
)
def test_a_malformed_spec_is_named(text: str, message: str) -> None:
    with pytest.raises(ExtensionError) as raised:
        parsed(text)
    assert str(raised.value).startswith(f"invalid api spec {ORIGIN}")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


PRESETS = """\
group:
  name: machines
  description: Machines
x-types-machine: &machine
  type: "[]device"
  description: The machine (id or name)
  pipeline: true
commands:
  - name: list
    description: Linux machines
    exampleList:
      - command: |
          c8y fleet machines list
            --model m1
        description: Machines of model m1
    preset:
      type: query-inventory
      options: {value: has(c8y_IsLinux)}
      extensions:
        - name: model
          type: string
          format: (c8y_Hardware.model eq '%s')
          description: Filter by model
        - name: noAgents
          type: booleanDefault
          value: not(has(com_cumulocity_model_Agent))
          description: Exclude agents
  - name: children
    description: Child assets
    preset: {type: query-inventory-children, options: {type: childAssets}}
  - name: bySerial
    description: Machine by serial
    preset: {type: get-identity, options: {value: fleet_Serial}}
  - name: reboot
    description: Reboot
    method: POST
    semanticMethod: PUT
    hidden: true
    path: devicecontrol/operations
    flagMapping:
      - name: pageSize
        property: limit
    body:
      - name: device
        property: deviceId
        <<: *machine
      - name: device
        type: string
        description: ignored, the first declaration wins
      - name: old
        type: string
        skip: true
    bodyTemplates:
      - type: jsonnet
        applyLast: false
        template: '{c8y_Restart: {}, description: "Restart"}'
      - type: none
"""


def test_presets_bring_upstreams_inventory_and_identity_flags() -> None:
    group = parsed(PRESETS)
    listing = group.command("list")
    assert listing is not None and (listing.method, listing.path) == ("GET", "/inventory/managedObjects")
    assert listing.collection == "managedObjects" and listing.query_filter == "has(c8y_IsLinux)"
    assert listing.upstream_examples == ("c8y fleet machines list --model m1", "    Machines of model m1")
    names = [param.name for param in listing.params]
    assert names[:4] == ["query", "queryTemplate", "orderBy", "name"] and "withParents" in names
    values = {"model": "m1", "noAgents": True, "owner": "me", "withParents": True}
    plan = build_request(listing, values, RequestOptions())
    assert dict(plan.query) == {
        "q": "$filter=has(c8y_IsLinux) and (owner eq 'me') and (c8y_Hardware.model eq 'm1') and "
        "not(has(com_cumulocity_model_Agent)) $orderby=",
        "withParents": "true",
    }
    children = group.command("children")
    assert children is not None and children.path == "/inventory/managedObjects/{id}/childAssets"
    assert build_request(children, {"id": ["7"]}, RequestOptions()).target == (
        "/inventory/managedObjects/7/childAssets"
    )
    serial = group.command("bySerial")
    assert serial is not None
    plan = build_request(serial, {"name": "A 1"}, RequestOptions())
    assert plan.target == "/identity/externalIds/fleet_Serial/A%201"


def test_semantic_method_hidden_flag_mapping_skip_and_first_declarations() -> None:
    reboot = parsed(PRESETS).command("reboot")
    assert reboot is not None and reboot.hidden and reboot.kind == "update"
    assert reboot.page_size_param == "limit"
    assert [(p.name, p.type, p.target) for p in reboot.params] == [
        ("device", "device[]", "deviceId"), ("data", "json", "data"),
    ]  # fmt: skip
    body = build_request(reboot, {"device": ["5"], "data": {"description": "mine"}}, RequestOptions()).body
    assert body == {"c8y_Restart": {}, "description": "mine", "deviceId": "5"}  # applyLast false: first


def test_a_skipped_group_declares_nothing() -> None:
    assert parse_api_spec(parse_yaml_document("group: {name: g, skip: true}\n"), ORIGIN) is None


def test_a_bad_preset_is_named() -> None:
    with pytest.raises(ExtensionError, match="command 'x': preset must be a mapping whose type is one of"):
        parsed(G + "[{name: x, preset: {type: query-everything}}]\n")
    with pytest.raises(ExtensionError, match="command 'x': semanticMethod 'PATCH'"):
        parsed(G + "[{name: x, method: GET, path: a, semanticMethod: PATCH}]\n")
