"""``c8y api``: any method and path, the body from ``--data`` or from piped JSON lines (one request
each). Declared at run time (the method decides the mode class) and run by ``operator.api.execute``
like every other command; ``run_api`` turns its values into the request.

    c8y api GET /inventory/managedObjects --select id,name
    c8y api POST /alarm/alarms --data '{"source": {"id": "1"}, ...}'
    c8y devices list | c8y api GET          (each device's self link)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from c8ylink.core.errors import UsageError
from c8ylink.operator.api.build import build_headers, build_query
from c8ylink.operator.api.pipeline import WHOLE_OBJECT
from c8ylink.operator.api.plan import RequestPlan
from c8ylink.operator.api.spec import BODY, HEADER, PATH, CommandSpec, ParamSpec

if TYPE_CHECKING:
    from c8ylink.operator.api.execute import Executor

USER_ERROR = 101
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
WITH_BODY = ("POST", "PUT", "PATCH")
ACTIONS = {"GET": "read", "HEAD": "read", "OPTIONS": "read", "POST": "create", "PUT": "update",
           "PATCH": "update", "DELETE": "delete"}  # fmt: skip
# what --keepProperties=false strips from a body: the properties the server sets
SERVER_PROPERTIES = ("id", "self", "creationTime", "lastUpdated", "additionParents", "assetParents",
                     "deviceParents", "childAdditions", "childAssets", "childDevices")  # fmt: skip


def is_url_template(url: str | None) -> bool:
    """``/service/x/%s`` or ``/inventory/managedObjects/{url}``: piped values fill the placeholder."""
    return bool(url) and ("%s" in str(url) or "{url}" in str(url))


def api_spec(method: str, *, url_template: str | None = None, json_body: bool = True) -> CommandSpec:
    """The spec of one ``c8y api`` run. ``url_template``: a path with ``%s``/``{url}``, which piped values
    fill (then the pipe feeds the URL, also for a method with a body); ``json_body=False``: ``--data`` is
    sent as text (a ``--contentType`` that is not JSON)."""
    verb = method.upper()
    if verb not in METHODS:
        raise UsageError(f"invalid method {method!r}: use one of {', '.join(METHODS)}", exit_code=USER_ERROR)
    with_body = verb in WITH_BODY
    templated = is_url_template(url_template)
    params = (
        ParamSpec("url", "string", PATH, "Path (and query) to send to, e.g. /inventory/managedObjects",
                  required=True, pipeline=templated or not with_body, pipeline_aliases=("url", "self")),
        ParamSpec("data", "json" if json_body else "string", BODY,
                  "Body: JSON or shorthand a=1,b.c=x (piped JSON lines too)",
                  pipeline=with_body and not templated, pipeline_aliases=(WHOLE_OBJECT,)),
        ParamSpec("accept", "string", HEADER, "Accept header", property="Accept"),
        ParamSpec("contentType", "string", HEADER, "Content-Type header", property="Content-Type"),
        ParamSpec("host", "string", HEADER, "Send to this host instead of the session's"),
        ParamSpec("keepProperties", "boolean", HEADER, "Keep id, self, ... in the body"),
    )  # fmt: skip
    path = "{url}"
    if templated and url_template is not None:
        path = url_template.replace("%s", "{url}")
    return CommandSpec(
        "api",
        f"Send a {verb} request",
        verb,
        path,
        params=params,
        handler="c8ylink.operator.api.raw:run_api",
        action=ACTIONS[verb],
    )


def split_url(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``/a/b?x=1`` (or an absolute URL) -> (path, query pairs)."""
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    return path, tuple(parse_qsl(parts.query, keep_blank_values=True))


def strip_server_properties(body: Any) -> Any:
    """``--keepProperties=false``: a body without the properties the server sets (a piped object)."""
    if not isinstance(body, dict):
        return body
    return {key: value for key, value in body.items() if key not in SERVER_PROPERTIES}


def run_api(executor: Executor, values: dict[str, Any]) -> None:
    spec = executor.spec
    url = str(values.get("url") or "")
    if spec.path != "{url}":  # a template: the piped value (or --url) fills it
        url = spec.path.replace("{url}", url)
    if not url:
        raise UsageError("missing the path: c8y api [METHOD] PATH (or --url PATH)", exit_code=USER_ERROR)
    path, query = split_url(url)
    host = str(values.get("host") or "").rstrip("/")
    if host:
        if "://" not in host:
            host = "https://" + host
        path = host + path
    body = values.get("data") if spec.method in WITH_BODY else None
    if spec.method in WITH_BODY and body is None:
        body = {}
    if values.get("keepProperties") is False:
        body = strip_server_properties(body)
    declared = spec._replace(
        accept=str(values.get("accept") or "application/json"),
        content_type=str(values.get("contentType") or "application/json"),
    )
    options = executor.request_options
    headers = build_headers(declared, options, has_body=body is not None)
    extra = build_query(declared._replace(params=(), collection=""), {}, options)
    if isinstance(body, str):  # a --contentType that is not JSON: the text as it is
        plan = RequestPlan(
            spec.method, path, (*query, *extra), None, headers, label=path, content=body.encode()
        )
    else:
        plan = RequestPlan(spec.method, path, (*query, *extra), body, headers, label=path)
    executor.perform(plan)
