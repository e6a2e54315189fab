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
METHODS = ("GET", "POST", "PUT", "DELETE")


def api_spec(method: str) -> CommandSpec:
    verb = method.upper()
    if verb not in METHODS:
        raise UsageError(f"invalid method {method!r}: use one of {', '.join(METHODS)}", exit_code=USER_ERROR)
    with_body = verb in ("POST", "PUT")
    params = (
        ParamSpec("url", "string", PATH, "Path (and query) to send to, e.g. /inventory/managedObjects",
                  required=True, pipeline=not with_body, pipeline_aliases=("self",)),
        ParamSpec("data", "json", BODY, "Body: JSON or shorthand a=1,b.c=x (piped JSON lines too)",
                  pipeline=with_body, pipeline_aliases=(WHOLE_OBJECT,)),
        ParamSpec("accept", "string", HEADER, "Accept header", property="Accept"),
        ParamSpec("contentType", "string", HEADER, "Content-Type header", property="Content-Type"),
    )  # fmt: skip
    return CommandSpec(
        "api",
        f"Send a {verb} request",
        verb,
        "{url}",
        params=params,
        handler="c8ylink.operator.api.raw:run_api",
    )


def split_url(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``/a/b?x=1`` (or an absolute URL) -> (path, query pairs)."""
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    return path, tuple(parse_qsl(parts.query, keep_blank_values=True))


def run_api(executor: Executor, values: dict[str, Any]) -> None:
    spec = executor.spec
    url = str(values.get("url") or "")
    if not url:
        raise UsageError("missing the path: c8y api [METHOD] PATH (or --url PATH)", exit_code=USER_ERROR)
    path, query = split_url(url)
    body = values.get("data") if spec.method in ("POST", "PUT") else None
    if spec.method in ("POST", "PUT") and body is None:
        body = {}
    declared = spec._replace(
        accept=str(values.get("accept") or "application/json"),
        content_type=str(values.get("contentType") or "application/json"),
    )
    options = executor.request_options
    headers = build_headers(declared, options, has_body=body is not None)
    extra = build_query(declared._replace(params=(), collection=""), {}, options)
    plan = RequestPlan(spec.method, path, (*query, *extra), body, headers, label=path)
    executor.perform(plan)
