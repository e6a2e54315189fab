"""An extension's ``api/*.yaml`` (go-c8y-cli's command spec format) as our ``GroupSpec``. Pure: a parsed
document in, a ``GroupSpec`` or an ``ExtensionError`` naming the file, the command and the mistake out.

    group:    {name: unicorns, description: ..., descriptionLong: ...}
    commands: [{name: list, method: GET, path: service/unicorns, queryParameters: [...], ...}]

-> GroupSpec("unicorns", ..., (CommandSpec("list", ..., "GET", "/service/unicorns", ...),))

Parameter types go through ``operator.api.upstream_types`` (the table the built-in commands were
generated with); a ``queryExpression`` parameter becomes our inventory query parameters (``--query``,
``--queryTemplate``, ``--orderBy`` and its ``children`` with their ``format``); a ``?a=b`` in ``path``
is sent with every request; ``flagMapping.pageSize`` renames or drops the paging size; literal
``bodyTemplates`` objects are applied last. A command with ``skip: true`` is left out, as upstream does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from c8ylink.operator.api.spec import (
    BODY,
    CONTEXT,
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


class _Where:
    """The file and command a mistake is in (its messages name both)."""

    def __init__(self, origin: str, command: str = "") -> None:
        self.origin, self.command = origin, command

    def error(self, text: str) -> ExtensionError:
        inside = f": command {self.command!r}" if self.command else ""
        return ExtensionError(f"invalid api spec {self.origin}{inside}: {text}")


def parse_api_spec(document: Any, origin: str) -> GroupSpec:
    """The group an ``api/`` file declares; ``ExtensionError`` naming ``origin`` when it is not one."""
    where = _Where(origin)
    if not isinstance(document, Mapping):
        raise where.error("expected a mapping with group and commands at the top level")
    group = document.get("group")
    if not isinstance(group, Mapping) or not _text(group.get("name")):
        raise where.error("group.name is missing")
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
    return GroupSpec(name, long or description, tuple(commands))


def _command(item: Mapping[str, Any], where: _Where) -> CommandSpec:
    for key in ("name", "method", "path"):
        if not _text(item.get(key)):
            raise where.error(f"{key} is missing")
    name = str(item["name"]).strip()
    if " " in name or name.startswith("-"):
        raise where.error("name is not a command name")
    method = str(item["method"]).strip().upper()
    if method not in METHODS:
        raise where.error(f"method {method!r} is not one of {', '.join(METHODS)}")
    path, _, query = str(item["path"]).strip().partition("?")
    path = "/" + path.lstrip("/")
    params: list[ParamSpec] = []
    query_property = "q"
    for section, location in SECTIONS:
        entries = item.get(section) or []
        if not _is_list(entries):
            raise where.error(f"{section} must be a list")
        for entry in entries:
            if isinstance(entry, Mapping) and entry.get("type") == "queryExpression":
                query_property = str(entry.get("property") or "q")
                params += _query_expression(entry, where)
                continue
            param = _param(entry, location, path, where)
            if param is None:
                continue
            if any(known.name == param.name for known in params):
                raise where.error(f"parameter {param.name!r} is declared twice")
            params.append(param)
    if method in ("POST", "PUT") and all(param.name != "data" for param in params):
        params.append(ParamSpec("data", "json", BODY, "Additional body properties (a=1,b.c=x or JSON)"))
    description = str(item.get("description") or name)
    collection = str(item.get("collectionProperty") or "")
    return CommandSpec(
        name=name,
        description=description,
        method=method,
        path=path,
        params=tuple(params),
        long=str(item.get("descriptionLong") or "").strip(),
        accept=str(item.get("accept") or "application/json"),
        content_type=str(item.get("contentType") or "application/json"),
        collection=collection if method == "GET" and collection != "-" else "",
        body_template=_body_templates(item.get("bodyTemplates"), where),
        body_required=tuple(map(str, _list_of(item.get("bodyRequiredKeys"), "bodyRequiredKeys", where))),
        query_property=query_property,
        upstream_examples=_examples(item.get("examples"), where),
        fixed_query=tuple(parse_qsl(query, keep_blank_values=True)),
        page_size_param=_page_size(item.get("flagMapping"), where),
    )


def _param(entry: Any, location: str, path: str, where: _Where) -> ParamSpec | None:
    if not isinstance(entry, Mapping) or not _text(entry.get("name")):
        raise where.error("a parameter without a name")
    name = str(entry["name"]).strip()
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
    return ParamSpec(
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


def _query_expression(entry: Mapping[str, Any], where: _Where) -> list[ParamSpec]:
    """The inventory query: the raw filter, its template, the order, then each ``children`` part."""
    params = [
        ParamSpec("query", "string", Q, str(entry.get("description") or "Additional query filter"),
                  pipeline=entry.get("pipeline") is True),
        ParamSpec("queryTemplate", "string", Q, "Template for --query or piped values (%s: the value)"),
        ParamSpec("orderBy", "string", Q, "Order by, e.g. 'name desc'"),
    ]  # fmt: skip
    for child in _list_of(entry.get("children"), "children", where):
        param = _param(child, Q, "", where)
        if param is None:
            continue
        text = str(child.get("format") or "")
        if param.is_switch:
            params.append(param._replace(value=text or param.name))
        else:
            params.append(param._replace(format=text))
    return params


def _body_templates(value: Any, where: _Where) -> dict[str, Any]:
    """Literal object templates (``{c8y_Kind: {}}``), merged in order; jsonnet code is refused."""
    from c8ylink.operator.api.shorthand import merge
    from c8ylink.operator.sessions.yaml_files import parse_yaml_document

    body: dict[str, Any] = {}
    for template in _list_of(value, "bodyTemplates", where):
        text = template.get("template") if isinstance(template, Mapping) else None
        if not isinstance(text, str):
            raise where.error("a bodyTemplates entry without a template")
        try:
            document = parse_yaml_document(text)
        except ValueError:
            document = None
        if not isinstance(document, Mapping):
            raise where.error("bodyTemplates: only literal objects are supported, not jsonnet code")
        body = merge(body, dict(document))
    return body


def _examples(value: Any, where: _Where) -> tuple[str, ...]:
    """``examples.go``: each command line with its description below (as the built-in help prints)."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise where.error("examples must be a mapping (go: [...])")
    lines: list[str] = []
    for example in _list_of(value.get("go"), "examples.go", where):
        if isinstance(example, Mapping) and _text(example.get("command")):
            lines.append(str(example["command"]).strip())
            if _text(example.get("description")):
                lines.append("    " + str(example["description"]).strip())
    return tuple(lines)


def _page_size(mapping: Any, where: _Where) -> str:
    if mapping is None:
        return "pageSize"
    if not isinstance(mapping, Mapping):
        raise where.error("flagMapping must be a mapping")
    if "pageSize" not in mapping:
        return "pageSize"
    return str(mapping["pageSize"] or "")


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
