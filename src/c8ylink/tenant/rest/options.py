"""Tenant options (``/tenant/options``) and system options (``/tenant/system/options``): people
read them, tenant admins change them."""

from __future__ import annotations

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json_object, written_response
from c8ylink.tenant.rest.params import paged
from c8ylink.tenant.state.access import require_business_user, require_tenant_admin
from c8ylink.tenant.state.audit import audit
from c8ylink.tenant.state.options import SYSTEM_OPTIONS, shown, system_option
from c8ylink.tenant.state.records import Document
from c8ylink.tenant.state.tenant import TenantState

routes = web.RouteTableDef()
BASE = "/tenant/options"


def _reader(request: web.Request) -> TenantState:
    require_business_user(principal_of(request))
    return service_of(request).state


def _admin(request: web.Request) -> TenantState:
    require_tenant_admin(principal_of(request))
    return service_of(request).state


def _option(base: str, option: Document, prefix: str = BASE) -> Document:
    return {**shown(option), "self": f"{base}{prefix}/{option['category']}/{option['key']}"}


def _audit(request: web.Request, state: TenantState, activity: str, option: Document) -> None:
    text = f"{activity}: {option['category']}/{option['key']}"
    audit(
        state, principal_of(request), "Option", activity, text, source=f"{option['category']}.{option['key']}"
    )


@routes.get(BASE)
async def list_options(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    base = render.base_url(request)
    return json_response(
        paged(request, "options", state.options.all(), lambda o: _option(base, o)), "optioncollection"
    )


@routes.post(BASE)
async def create_option(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    option = state.options.create(await read_json_object(request))
    _audit(request, state, "Option created", option)
    document = _option(render.base_url(request), option)
    # 200, as the OpenAPI file documents
    return written_response(request, document, "option", status=200, location=document["self"])


@routes.get(BASE + "/{category}")
async def get_category(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    options = state.options.category(request.match_info["category"])
    return json_response({o["key"]: shown(o)["value"] for o in options}, "option")


@routes.put(BASE + "/{category}")
async def put_category(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    options = state.options.put_category(request.match_info["category"], await read_json_object(request))
    return written_response(request, {o["key"]: shown(o)["value"] for o in options}, "option", status=200)


@routes.get(BASE + "/{category}/{key}")
async def get_option(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    option = state.options.get(request.match_info["category"], request.match_info["key"])
    return json_response(_option(render.base_url(request), option), "option")


@routes.put(BASE + "/{category}/{key}")
async def put_option(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    option = state.options.update(
        request.match_info["category"], request.match_info["key"], await read_json_object(request)
    )
    _audit(request, state, "Option updated", option)
    return written_response(request, _option(render.base_url(request), option), "option", status=200)


@routes.delete(BASE + "/{category}/{key}")
async def delete_option(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    option = state.options.get(request.match_info["category"], request.match_info["key"])
    state.options.delete(option["category"], option["key"])
    _audit(request, state, "Option deleted", option)
    return web.Response(status=204)


SYSTEM = "/tenant/system/options"


@routes.get(SYSTEM)
async def list_system_options(request: web.Request) -> web.StreamResponse:
    base = render.base_url(request)
    options = [
        _option(base, {"category": category, "key": key, "value": value}, SYSTEM)
        for category, key, value in SYSTEM_OPTIONS
    ]
    return json_response({"options": options, "self": f"{base}{SYSTEM}"}, "optioncollection")


@routes.get(SYSTEM + "/{category}/{key}")
async def get_system_option(request: web.Request) -> web.StreamResponse:
    option = system_option(request.match_info["category"], request.match_info["key"])
    return json_response(_option(render.base_url(request), option, SYSTEM), "option")
