"""``/identity``: external ids (cumulocity-api.md §3.3)."""

from __future__ import annotations

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json, written_response
from c8ylink.tenant.state.access import require_not_bootstrap
from c8ylink.tenant.state.identity import parse_external_id_body

routes = web.RouteTableDef()


@routes.get("/identity")
async def identity_api(request: web.Request) -> web.StreamResponse:
    base = render.base_url(request)
    document = {
        "self": f"{base}/identity",
        "externalId": f"{base}/identity/externalIds/{{type}}/{{externalId}}",
        "externalIdsOfGlobalId": f"{base}/identity/globalIds/{{globalId}}/externalIds",
    }
    return json_response(document, "identityapi")


@routes.get("/identity/externalIds/{type}/{external_id}")
async def get_external_id(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    entry = state.identity.get(request.match_info["type"], request.match_info["external_id"])
    return json_response(render.external_id(render.base_url(request), entry), "externalid")


@routes.delete("/identity/externalIds/{type}/{external_id}")
async def delete_external_id(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    entry = state.identity.get(request.match_info["type"], request.match_info["external_id"])
    state.check_may_write(principal_of(request), entry.object_id)
    state.identity.delete(entry.type, entry.value)
    return web.Response(status=204)


@routes.post("/identity/globalIds/{id}/externalIds")
async def add_external_id(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    principal = principal_of(request)
    require_not_bootstrap(principal)
    object_id = request.match_info["id"]
    state.inventory.get(object_id)
    state.check_may_write(principal, object_id)
    id_type, value = parse_external_id_body(await read_json(request))
    entry = state.identity.add(object_id, id_type, value)
    document = render.external_id(render.base_url(request), entry)
    return written_response(request, document, "externalid", status=201, location=document["self"])


@routes.get("/identity/globalIds/{id}/externalIds")
async def list_external_ids(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    object_id = request.match_info["id"]
    state.inventory.get(object_id)
    base = render.base_url(request)
    document = {
        "externalIds": [render.external_id(base, entry) for entry in state.identity.of_object(object_id)],
        "self": f"{base}/identity/globalIds/{object_id}/externalIds",
    }
    return json_response(document, "externalidcollection")
