"""An extension's ``api/*.yaml`` (go-c8y-cli's command spec format) as our ``GroupSpec``. Pure: a parsed
document in, a ``GroupSpec`` or an ``ExtensionError`` naming the file, the command and the mistake out.

    group:    {name: unicorns, description: ..., descriptionLong: ...}
    commands: [{name: list, method: GET, path: service/unicorns, queryParameters: [...], ...}]

-> GroupSpec("unicorns", ..., (CommandSpec("list", ..., "GET", "/service/unicorns", ...),))

Parameter types go through ``operator.api.upstream_types`` (the table the built-in commands were
generated with); a ``queryExpression`` parameter becomes our inventory query parameters (``--query``,
``--queryTemplate``, ``--orderBy`` and its ``children`` with their ``format``); the ``preset``s
``query-inventory``, ``query-inventory-children`` and ``get-identity`` bring upstream's flags of those
commands (``PRESETS``); a ``?a=b`` in ``path`` is sent with every request; ``flagMapping`` renames or
drops the paging size; literal ``bodyTemplates`` objects are applied last (``applyLast: false``:
first). ``skip: true`` leaves a file, a command or a parameter out and ``hidden: true`` keeps a command
out of the help, as upstream does; a parameter declared twice keeps its first declaration (upstream).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from c8ylink.operator.api.plan import encode_component
from c8ylink.operator.api.spec import (
    ACTIONS,
    BODY,
    CONTEXT,
    GUESS,
    HEADER,
    METHODS,
    PATH,
    QUERY,
    TYPES,
    CommandSpec,
    GroupSpec,
    ParamSpec,
    Q,
)
from c8ylink.operator.api.upstream_types import our_type
from c8ylink.operator.extensions.manifest import ExtensionError

# upstream's sections of a command -> where their values go
SECTIONS = (
    ("pathParameters", PATH), ("queryParameters", QUERY), ("headerParameters", HEADER), ("body", BODY),
)  # fmt: skip
_PIPELINE_IDS = ("id", "source.id", "managedObject.id", "deviceId")


def _part(name: str, kind: str, description: str, pattern: str, **more: Any) -> ParamSpec:
    """One part of the inventory query (a switch adds ``pattern``; a value is put in its ``%s``)."""
    if kind == "boolean":
        return ParamSpec(name, kind, Q, description, value=pattern, **more)
    return ParamSpec(name, kind, Q, description, format=pattern, **more)


def _query_controls(description: str, *, pipeline: bool, order: str | None = None) -> list[ParamSpec]:
    return [
        ParamSpec("query", "string", Q, description, pipeline=pipeline),
        ParamSpec("queryTemplate", "string", Q, "Template for --query or piped values (%s: the value)"),
        ParamSpec("orderBy", "string", Q, "Order by, e.g. 'name desc'", default=order),
    ]


# upstream's query presets: the filters of its inventory queries, then the switches sent as they are
INVENTORY_FILTERS = (
    _part("name", "string", "Filter by name", "(name eq '%s')"),
    _part("type", "string", "Filter by type", "(type eq '%s')"),
    _part("agents", "boolean", "Only include agents", "has(com_cumulocity_model_Agent)"),
    _part("fragmentType", "string", "Filter by fragment type", "has(%s)"),
    _part("owner", "string", "Filter by owner", "(owner eq '%s')"),
    _part("availability", "string", "Filter by c8y_Availability.status", "(c8y_Availability.status eq '%s')",
          choices=("AVAILABLE", "UNAVAILABLE", "MAINTENANCE")),
    _part("lastMessageDateTo", "datetime", "Filter c8y_Availability.lastMessage to a date",
          "(c8y_Availability.lastMessage le '%s')"),
    _part("lastMessageDateFrom", "datetime", "Filter c8y_Availability.lastMessage from a date",
          "(c8y_Availability.lastMessage ge '%s')"),
    _part("creationTimeDateTo", "datetime", "Filter creationTime.date to a date",
          "(creationTime.date le '%s')"),
    _part("creationTimeDateFrom", "datetime", "Filter creationTime.date from a date",
          "(creationTime.date ge '%s')"),
)  # fmt: skip
INVENTORY_SWITCHES = tuple(
    ParamSpec(name, "boolean", QUERY, text)
    for name, text in (
        ("skipChildrenNames", "Do not include the names of the child devices"),
        ("withChildren", "Include the children (id and name)"),
        ("withChildrenCount", "Include the number of children"),
        ("withGroups", "Include the groups the object belongs to"),
        ("withParents", "Include a flat list of all parents and grandparents"),
    )
)
PRESETS = ("query-inventory", "query-inventory-children", "get-identity")


class _Where:
    """The file and command a mistake is in (its messages name both)."""

    def __init__(self, origin: str, command: str = "") -> None:
        self.origin, self.command = origin, command

    def error(self, text: str) -> ExtensionError:
        inside = f": command {self.command!r}" if self.command else ""
        return ExtensionError(f"invalid api spec {self.origin}{inside}: {text}")


def parse_api_spec(document: Any, origin: str) -> GroupSpec | None:
    """The group an ``api/`` file declares (None: ``group.skip``); ``ExtensionError`` naming ``origin``
    when it is not one."""
    where = _Where(origin)
    if not isinstance(document, Mapping):
        raise where.error("expected a mapping with group and commands at the top level")
    group = document.get("group")
    if not isinstance(group, Mapping) or not _text(group.get("name")):
        raise where.error("group.name is missing")
    if group.get("skip") is True:
        return None
    name = str(group["name"]).strip()
    if " " in name or name.startswith("-"):
        raise where.error(f"group.name {name!r} is not a command name")
    items = document.get("commands") or []
    if not _is_list(items):
        raise where.error("commands must be a list")
    commands: list[CommandSpec] = []
    for index, item in enumerate(items, 1):
        if not isinstance(item, Mapping):
            raise where.error(f"command {index} is not a mapping")
        if item.get("skip") is True:
            continue
        command = _command(item, _Where(origin, str(item.get("name") or f"#{index}")))
        if any(known.name == command.name for known in commands):
            raise where.error(f"command {command.name!r} is declared twice")
        commands.append(command)
    description = str(group.get("description") or f"Commands of {name}")
    long = str(group.get("descriptionLong") or "").strip()
    return GroupSpec(name, long or description, tuple(commands), hidden=group.get("hidden") is True)


def _command(item: Mapping[str, Any], where: _Where) -> CommandSpec:
    if not _text(item.get("name")):
        raise where.error("name is missing")
    name = str(item["name"]).strip()
    if " " in name or name.startswith("-"):
        raise where.error("name is not a command name")
    preset = _preset(item.get("preset"), where)
    for key in ("method", "path"):
        if preset is None and not _text(item.get(key)):
            raise where.error(f"{key} is missing")
    method = str(item.get("method") or "GET").strip().upper()
    if method not in METHODS:
        raise where.error(f"method {method!r} is not one of {', '.join(METHODS)}")
    path, _, query = str(item.get("path") or "").strip().partition("?")
    path = "/" + path.lstrip("/")
    params: list[ParamSpec] = []
    fields: dict[str, Any] = {"query_property": "q"}
    if preset is not None:
        method, path, preset_params, fields = preset
        params += preset_params
    for section, location in SECTIONS:
        for entry in _list_of(item.get(section), section, where):
            if isinstance(entry, Mapping) and entry.get("type") == "queryExpression":
                fields["query_property"] = str(entry.get("property") or "q")
                _add(params, _query_expression(entry, where))
                continue
            _add(params, [_param(entry, location, path, where)])
    if method in ("POST", "PUT"):
        _add(params, [ParamSpec("data", "json", BODY, "Additional body properties (a=1,b.c=x or JSON)")])
    first, last = _body_templates(item.get("bodyTemplates"), where)
    collection = str(item.get("collectionProperty") or fields.pop("collection", GUESS))
    return CommandSpec(
        name=name,
        description=str(item.get("description") or name),
        method=method,
        path=path,
        params=tuple(params),
        long=_long(item),
        accept=str(item.get("accept") or "application/json"),
        content_type=str(item.get("contentType") or "application/json"),
        collection=collection if method == "GET" and collection != "-" else "",
        action=_action(item.get("semanticMethod"), where),
        body_defaults=first,
        body_template=last,
        body_required=tuple(map(str, _list_of(item.get("bodyRequiredKeys"), "bodyRequiredKeys", where))),
        upstream_examples=_examples(item, where),
        fixed_query=tuple(parse_qsl(query, keep_blank_values=True)),
        page_size_param=_page_size(item.get("flagMapping"), where),
        hidden=item.get("hidden") is True,
        **fields,
    )


def _preset(value: Any, where: _Where) -> tuple[str, str, list[ParamSpec], dict[str, Any]] | None:
    """(method, path, parameters, other ``CommandSpec`` fields) of a ``preset``, or None."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or str(value.get("type") or "") not in PRESETS:
        raise where.error(f"preset must be a mapping whose type is one of {', '.join(PRESETS)}")
    kind = str(value["type"])
    options = value.get("options") or {}
    if not isinstance(options, Mapping):
        raise where.error("preset.options must be a mapping")
    fixed = str(options.get("value") or "")
    if kind == "get-identity":
        name = ParamSpec("name", "string", PATH, "External identity id/name", required=True, pipeline=True,
                         pipeline_aliases=("name", "id"))  # fmt: skip
        if fixed:
            return "GET", f"/identity/externalIds/{encode_component(fixed, safe='')}/{{name}}", [name], {}
        kind_param = ParamSpec("type", "string", PATH, "External identity type", default="c8y_Serial")
        return "GET", "/identity/externalIds/{type}/{name}", [kind_param, name], {}
    extra = [_param(child, Q, "", where) for child in _list_of(value.get("extensions"), "extensions", where)]
    parts = [param for param in extra if param is not None]
    fields: dict[str, Any] = {"query_filter": fixed}
    filters = [*_query_controls("Additional query filter", pipeline=kind == "query-inventory", order="name")]
    filters += INVENTORY_FILTERS
    if kind == "query-inventory":
        fields.update(query_property=str(options.get("param") or "q"), collection="managedObjects")
        return "GET", "/inventory/managedObjects", [*filters, *parts, *INVENTORY_SWITCHES], fields
    children = str(options.get("type") or "childDevices")
    ident = ParamSpec("id", "id[]", PATH, "Managed object id", required=True, pipeline=True,
                      pipeline_aliases=("deviceId", "source.id", "managedObject.id", "id"))  # fmt: skip
    fields.update(query_property=str(options.get("param") or "query"), collection="references")
    path = f"/inventory/managedObjects/{{id}}/{encode_component(children, safe='')}"
    return "GET", path, [ident, *filters, *parts, *INVENTORY_SWITCHES], fields


def _add(params: list[ParamSpec], new: Sequence[ParamSpec | None]) -> None:
    """Append the parameters whose name is not taken yet (upstream keeps a flag's first declaration)."""
    for param in new:
        if param is not None and all(known.name != param.name for known in params):
            params.append(param)


def _long(item: Mapping[str, Any]) -> str:
    long = str(item.get("descriptionLong") or "").strip()
    if _text(item.get("deprecated")):
        long = f"{long}\n\nDeprecated: {str(item['deprecated']).strip()}".strip()
    return long


def _action(value: Any, where: _Where) -> str:
    """``semanticMethod``: how the mode gate and the confirmation treat the command."""
    if value is None:
        return ""
    method = str(value).strip().upper()
    if method not in METHODS:
        raise where.error(f"semanticMethod {method!r} is not one of {', '.join(METHODS)}")
    return dict(zip(METHODS, ACTIONS, strict=True))[method]


def _param(entry: Any, location: str, path: str, where: _Where) -> ParamSpec | None:
    if not isinstance(entry, Mapping) or not _text(entry.get("name")):
        raise where.error("a parameter without a name")
    name = str(entry["name"]).strip()
    if entry.get("skip") is True:
        return None
    kind = str(entry.get("type") or "").strip()
    if not kind:
        raise where.error(f"parameter {name!r} has no type")
    ours = our_type(kind)
    if ours is None or (ours and ours not in TYPES):
        raise where.error(f"parameter {name!r}: unknown parameter type {kind!r}")
    if not ours:  # upstream's hidden helpers, done by hand-written handlers of the built-in commands
        return None
    target = str(entry.get("property") or "")
    if location == PATH:
        placeholder = next((c for c in (target, name) if c and "{" + c + "}" in path), "")
        location, target = (PATH, placeholder) if placeholder else (CONTEXT, "")
    default = entry.get("value") if kind == "stringStatic" else entry.get("default")
    if kind == "booleanDefault" and str(default).lower() != "true":
        default = None
    pipeline = entry.get("pipeline") is True
    aliases = _list_of(entry.get("pipelineAliases"), f"{name}.pipelineAliases", where)
    if pipeline and not aliases and location != CONTEXT:
        aliases = list(_PIPELINE_IDS) if ours.endswith("[]") else [name, "id"]
    param = ParamSpec(
        name=name,
        type=ours,
        location=location,
        description=str(entry.get("description") or name),
        property=target if target != name else "",
        required=entry.get("required") is True,
        pipeline=pipeline,
        pipeline_aliases=tuple(str(alias) for alias in aliases),
        default=None if default in (None, "") else _scalar(default),
        choices=tuple(str(c) for c in _list_of(entry.get("validationSet"), f"{name}.validationSet", where)),
    )
    if location != Q:
        return param
    pattern = str(entry.get("format") or "")
    if param.is_switch:  # a part of the inventory query added when the switch is given
        return param._replace(value=str(entry.get("value") or pattern or name))
    return param._replace(format=pattern)


def _query_expression(entry: Mapping[str, Any], where: _Where) -> list[ParamSpec]:
    """The inventory query: the raw filter, its template, the order, then each ``children`` part."""
    description = str(entry.get("description") or "Additional query filter")
    params = _query_controls(description, pipeline=entry.get("pipeline") is True)
    children = [_param(child, Q, "", where) for child in _list_of(entry.get("children"), "children", where)]
    return params + [param for param in children if param is not None]


def _body_templates(value: Any, where: _Where) -> tuple[dict[str, Any], dict[str, Any]]:
    """Literal object templates (``{c8y_Kind: {}}``) merged in order: (applied first, applied last);
    jsonnet code is refused (our body templates are data)."""
    from c8ylink.operator.api.shorthand import merge
    from c8ylink.operator.sessions.yaml_files import parse_yaml_document

    first: dict[str, Any] = {}
    last: dict[str, Any] = {}
    for template in _list_of(value, "bodyTemplates", where):
        if not isinstance(template, Mapping) or template.get("type") == "none":
            continue
        text = template.get("template")
        if not isinstance(text, str):
            raise where.error("a bodyTemplates entry without a template")
        try:
            document = parse_yaml_document(text)
        except ValueError:
            document = None
        if not isinstance(document, Mapping):
            raise where.error("bodyTemplates: only literal objects are supported, not jsonnet code")
        if template.get("applyLast") is False:
            first = merge(first, dict(document))
        else:
            last = merge(last, dict(document))
    return first, last


def _examples(item: Mapping[str, Any], where: _Where) -> tuple[str, ...]:
    """``exampleList`` (and the built-in specs' ``examples.go``): each command line with its description
    below, as the built-in help prints them."""
    found = _list_of(item.get("exampleList"), "exampleList", where)
    examples = item.get("examples")
    if examples is not None:
        if not isinstance(examples, Mapping):
            raise where.error("examples must be a mapping (go: [...])")
        found += _list_of(examples.get("go"), "examples.go", where)
    lines: list[str] = []
    for example in found:
        if isinstance(example, Mapping) and _text(example.get("command")):
            lines.append(" ".join(str(example["command"]).split()))
            if _text(example.get("description")):
                lines.append("    " + str(example["description"]).strip())
    return tuple(lines)


def _page_size(mapping: Any, where: _Where) -> str:
    """``flagMapping``: ``{pageSize: limit}`` or upstream's list ``[{name: pageSize, property: limit}]``;
    an empty property drops the paging size from the request."""
    if mapping is None:
        return "pageSize"
    if _is_list(mapping):
        pairs = {str(one.get("name")): one.get("property") for one in mapping if isinstance(one, Mapping)}
    elif isinstance(mapping, Mapping):
        pairs = {str(key): value for key, value in mapping.items()}
    else:
        raise where.error("flagMapping must be a list or a mapping")
    if "pageSize" not in pairs:
        return "pageSize"
    return str(pairs["pageSize"] or "")


def _list_of(value: Any, what: str, where: _Where) -> list[Any]:
    if value is None:
        return []
    if not _is_list(value):
        raise where.error(f"{what} must be a list")
    return list(value)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _text(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool) and bool(str(value).strip())


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
