"""(command, values of one job, options) -> ``RequestPlan``. Pure.

* path: ``{name}`` in the template takes the (encoded) value of the path parameter of that name
  (or ``property``);
* query: query parameters, the inventory query of the ``q`` parameters
  (``$filter=<parts joined by " and "> $orderby=<orderBy>``), paging, ``--customQueryParam``;
* body: ``--data`` first, then each body parameter at its (dotted) property, then the command's fixed
  fragments (``c8y_IsDevice``);
* headers: Accept (unless ``--noAccept``), Content-Type with a body, processing mode, ``--header``.

Missing required values are a ``UsageError`` naming the flag.
"""

from __future__ import annotations

from collections.abc import Mapping

from c8ylink.core.errors import UsageError
from c8ylink.operator.api.plan import RequestPlan, encode_component
from c8ylink.operator.api.shorthand import merge, set_path
from c8ylink.operator.api.spec import BODY, HEADER, PATH, QUERY, CommandSpec, ParamSpec, Q
from c8ylink.operator.api.values import USER_ERROR, flag_of, missing_message

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from c8ylink.core.records import NamedTuple

DEFAULT_PAGE_SIZE = 5
_Q_CONTROLS = ("query", "queryTemplate", "orderBy")


class RequestOptions(NamedTuple):
    page_size: int | None = None
    current_page: int | None = None
    with_total_pages: bool = False
    with_total_elements: bool = False
    headers: tuple[str, ...] = ()  # "Name: value"
    custom_query: tuple[str, ...] = ()  # "a=1,b=2"
    no_accept: bool = False
    processing_mode: str | None = None


def build_request(
    spec: CommandSpec, values: Mapping[str, Any], options: RequestOptions, *, templated: bool = False
) -> RequestPlan:
    """``templated``: a ``--template`` completes the body later, so what the body needs is checked on
    the finished body (``check_body``), as upstream does; the other required flags are checked here."""
    for param in spec.params:
        if templated and param.location == BODY:
            continue
        if param.required and values.get(param.name) in (None, "", [], ()):
            raise UsageError(missing_message(param), exit_code=USER_ERROR)
    body = build_body(spec, values, check=not templated) if spec.method in ("POST", "PUT") else None
    return RequestPlan(
        method=spec.method,
        path=build_path(spec, values),
        query=build_query(spec, values, options),
        body=body,
        headers=build_headers(spec, options, has_body=body is not None, values=values),
        label=_label(spec, values),
    )


def build_path(spec: CommandSpec, values: Mapping[str, Any]) -> str:
    path = spec.path
    for param in spec.params:
        if param.location != PATH:
            continue
        value = values.get(param.name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value in (None, ""):
            raise UsageError(missing_message(param), exit_code=USER_ERROR)
        path = path.replace("{" + param.target + "}", encode_component(str(value), safe=""))
    return path


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def build_query(
    spec: CommandSpec, values: Mapping[str, Any], options: RequestOptions
) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = list(spec.fixed_query)
    for param in spec.params:
        value = values.get(param.name)
        if param.location == QUERY and value not in (None, "", []):
            pairs.append((param.target, _query_text(value)))
    if any(param.location == Q for param in spec.params):
        query = build_inventory_query(spec, values)
        if query != "$filter= $orderby=":  # nothing to filter or order by: no query
            pairs.insert(0, (spec.query_property, query))
    if spec.collection and spec.method == "GET":
        wanted = options.page_size and options.page_size != DEFAULT_PAGE_SIZE  # upstream omits the default
        if wanted and spec.page_size_param:
            pairs.append((spec.page_size_param, str(options.page_size)))
        if options.current_page:
            pairs.append(("currentPage", str(options.current_page)))
        if options.with_total_pages:
            pairs.append(("withTotalPages", "true"))
        if options.with_total_elements:
            pairs.append(("withTotalElements", "true"))
    for item in options.custom_query:
        for part in item.split(","):
            name, equals, value = part.partition("=")
            if not equals or not name.strip():
                raise UsageError(f"invalid --customQueryParam {part!r}: use name=value", exit_code=USER_ERROR)
            pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def build_inventory_query(spec: CommandSpec, values: Mapping[str, Any]) -> str:
    """``$filter=<parts> $orderby=<order>`` (go-c8y-cli.md §6.4)."""
    parts: list[str] = [spec.query_filter] if spec.query_filter else []
    raw = values.get("query")
    template = values.get("queryTemplate")
    if raw:
        parts.append(template.replace("%s", str(raw)) if template else str(raw))
    for param in spec.params:
        value = values.get(param.name)
        if param.location != Q or param.name in _Q_CONTROLS or value in (None, "", []) or value is False:
            continue
        if param.is_switch:
            parts.append(param.value)
        else:
            text = ",".join(value) if isinstance(value, list) else str(value)
            parts.append(param.format.replace("%s", text) if param.format else text)
    order = values.get("orderBy") or ""
    return f"$filter={' and '.join(parts)} $orderby={order}"


def build_body(spec: CommandSpec, values: Mapping[str, Any], *, check: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = merge({}, dict(spec.body_defaults))
    data = values.get("data")
    if isinstance(data, dict):
        body = merge(body, data)
    for param in spec.params:
        if param.location != BODY or param.name == "data":
            continue
        value = values.get(param.name)
        if value is None or value == []:
            continue
        if param.type == "json" and isinstance(value, dict):
            set_path(body, param.target, merge(_get(body, param.target) or {}, value))
        else:
            set_path(body, param.target, value[0] if _single_reference(param, value) else value)
    body = merge(body, dict(spec.body_template))
    for key, fragment in spec.body_if_set.items():
        if _get(body, key) not in (None, ""):
            body = merge(body, dict(fragment))
    for key in [key for key in body if key.startswith("__")]:  # upstream's template helpers
        del body[key]
    if check:
        _check_required_keys(spec, body)
    for param in spec.params:
        if param.location == BODY and any(part.isdigit() for part in param.target.split(".")):
            _index_lists(body, param.target.split("."))
    return body


def check_body(spec: CommandSpec, body: Any) -> None:
    """What the command needs in its body, checked once a template has filled it in: a required body
    flag's property, then the keys upstream lists as required."""
    document = body if isinstance(body, dict) else {}
    for param in spec.params:
        if param.required and param.location == BODY and _get(document, param.target) in (None, "", []):
            raise UsageError(missing_message(param), exit_code=USER_ERROR)
    _check_required_keys(spec, document)


def _check_required_keys(spec: CommandSpec, body: Mapping[str, Any]) -> None:
    for key in spec.body_required:
        if _get(body, key) in (None, ""):
            owner = next((p for p in spec.params if p.target == key), None)
            hint = f"{flag_of(owner)} or " if owner else ""
            raise UsageError(f"missing {key} in the body: give {hint}--data {key}=...", exit_code=USER_ERROR)


def _index_lists(document: Any, parts: list[str]) -> None:
    """``c8y_SoftwareUpdate.0.name``: the object at ``c8y_SoftwareUpdate`` keyed ``"0"`` becomes a list."""
    for index, part in enumerate(parts[:-1]):
        if not isinstance(document, dict) or part not in document:
            return
        child = document[part]
        if parts[index + 1].isdigit() and isinstance(child, dict) and child and all(map(str.isdigit, child)):
            child = document[part] = [child[key] for key in sorted(child, key=int)]
        if isinstance(child, list):
            position = int(parts[index + 1])
            _index_lists(child[position] if position < len(child) else None, parts[index + 2 :])
            return
        document = child


def _single_reference(param: ParamSpec, value: Any) -> bool:
    return param.is_reference and isinstance(value, list) and len(value) == 1


def _get(document: Mapping[str, Any], path: str) -> Any:
    current: Any = document
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def build_headers(
    spec: CommandSpec, options: RequestOptions, *, has_body: bool, values: Mapping[str, Any] | None = None
) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    for param in spec.params:
        value = (values or {}).get(param.name)
        if param.location == HEADER and value not in (None, "", False):
            headers.append(
                (param.target, param.value if param.is_switch and param.value else _query_text(value))
            )
    if spec.accept and not options.no_accept and "Accept" not in dict(headers):
        headers.append(("Accept", spec.accept))
    if has_body:
        headers.append(("Content-Type", spec.content_type))
    if options.processing_mode:
        headers.append(("X-Cumulocity-Processing-Mode", options.processing_mode))
    for item in options.headers:
        name, colon, value = item.partition(":")
        if not colon or not name.strip():
            raise UsageError(f"invalid --header {item!r}: use 'Name: value'", exit_code=USER_ERROR)
        headers.append((name.strip(), value.strip()))
    return tuple(headers)


def _label(spec: CommandSpec, values: Mapping[str, Any]) -> str:
    pipeline = spec.pipeline_param
    for param in (pipeline, *(p for p in spec.params if p.location == PATH)):
        if param is None:
            continue
        value = values.get(param.name)
        if isinstance(value, list):
            value = ",".join(str(item) for item in value)
        if value:
            return f"{param.target if param.location != BODY else param.name}={value}"
    return ""
