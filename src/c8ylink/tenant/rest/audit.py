"""``/audit/auditRecords``: what people changed (written by the tenant) and what clients post."""

from __future__ import annotations

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json, written_response
from c8ylink.tenant.rest.params import boolean, paged, params_of, windows
from c8ylink.tenant.state.access import require_business_user
from c8ylink.tenant.state.audit import posted_record
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.records import Document
from c8ylink.tenant.state.times import format_time

routes = web.RouteTableDef()
BASE = "/audit/auditRecords"


def audit_document(base: str, record: Document) -> Document:
    return {
        **record,
        "self": f"{base}{BASE}/{record['id']}",
        "source": {**record["source"], "self": render.object_url(base, record["source"]["id"])},
    }


@routes.get(BASE)
async def list_records(request: web.Request) -> web.StreamResponse:
    require_business_user(principal_of(request))
    state = service_of(request).state
    params = dict(params_of(request))
    equals = [
        (path, frozenset({params[name]}))
        for name, path in (
            ("type", "type"),
            ("user", "user"),
            ("application", "application"),
            ("source", "source.id"),
        )
        if params.get(name)
    ]
    criteria = Criteria(equals=tuple(equals), windows=windows(params, (("time", "dateFrom", "dateTo"),)))
    found = state.audit.select(criteria.matches)
    found.sort(key=lambda r: (r["time"], int(r["id"])), reverse=not boolean(request, "revert"))
    base = render.base_url(request)
    return json_response(
        paged(request, "auditRecords", found, lambda r: audit_document(base, r)), "auditrecordcollection"
    )


@routes.post(BASE)
async def post_record(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    require_business_user(principal)
    state = service_of(request).state
    record = state.audit.create(posted_record(await read_json(request), principal, format_time(state.now())))
    document = audit_document(render.base_url(request), record)
    return written_response(request, document, "auditrecord", status=201, location=document["self"])


@routes.get(BASE + "/{id}")
async def get_record(request: web.Request) -> web.StreamResponse:
    require_business_user(principal_of(request))
    state = service_of(request).state
    return json_response(
        audit_document(render.base_url(request), state.audit.get(request.match_info["id"])), "auditrecord"
    )
