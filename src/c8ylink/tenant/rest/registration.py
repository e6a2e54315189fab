"""Device registration: new device requests, bulk CSV upload, bootstrap credentials (§3.8)."""

from __future__ import annotations

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import (
    json_response,
    read_json,
    read_json_object,
    unsupported_media_type,
    written_response,
)
from c8ylink.tenant.rest.params import paged
from c8ylink.tenant.state.access import require_tenant_admin
from c8ylink.tenant.state.enrollment import device_credentials, register_bulk
from c8ylink.tenant.state.errors import bad_request, validation_error
from c8ylink.tenant.state.registrations import parse_new_device_request

routes = web.RouteTableDef()
BASE = "/devicecontrol/newDeviceRequests"
REQUEST_LIMIT = 1000


@routes.post(BASE)
async def post_request(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    require_tenant_admin(principal)
    state = service_of(request).state
    body = parse_new_device_request(await read_json(request))
    created = state.registrations.request(
        body, owner=principal.username, tenant=state.tenant_id, now=state.now()
    )
    document = render.registration(render.base_url(request), created)
    return written_response(request, document, "newdevicerequest", status=201, location=document["self"])


@routes.get(BASE)
async def list_requests(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    state = service_of(request).state
    base = render.base_url(request)
    document = paged(
        request, "newDeviceRequests", state.registrations.all(), lambda r: render.registration(base, r)
    )
    return json_response(document, "newdevicerequestcollection")


@routes.get(BASE + "/limit")
async def get_limit(request: web.Request) -> web.StreamResponse:
    """How many new device requests may wait at once (the local tenant sets no limit of its own)."""
    require_tenant_admin(principal_of(request))
    return json_response({"limit": REQUEST_LIMIT}, None)


@routes.get(BASE + "/{id}")
async def get_request(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    found = service_of(request).state.registrations.get(request.match_info["id"])
    return json_response(render.registration(render.base_url(request), found), "newdevicerequest")


@routes.put(BASE + "/{id}")
async def put_request(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    state = service_of(request).state
    updated = state.registrations.update(request.match_info["id"], await read_json_object(request))
    return written_response(
        request, render.registration(render.base_url(request), updated), "newdevicerequest", status=200
    )


@routes.delete(BASE + "/{id}")
@routes.delete("/devicecontrol/bulkNewDeviceRequests/{id}")
async def delete_request(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    service_of(request).state.registrations.delete(request.match_info["id"])
    return web.Response(status=204)


@routes.post("/devicecontrol/bulkNewDeviceRequests")
async def post_bulk(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    if request.content_type != "multipart/form-data":
        raise unsupported_media_type(request.headers.get("Content-Type", ""))
    try:
        form = await request.post()
    except ValueError as exc:  # aiohttp: a multipart body that ends early or has a part without a name
        raise bad_request(f"Cannot read the multipart body: {exc}") from None
    upload = form.get("file")
    if upload is None:
        raise validation_error("Following mandatory fields should be included: file")
    text = upload if isinstance(upload, str) else _decode_upload(upload)
    state = service_of(request).state
    result = register_bulk(state, principal_of(request), text)
    return written_response(request, result.to_document(), "bulknewdevicerequest", status=201)


def _decode_upload(upload: bytes | bytearray | web.FileField) -> str:
    raw = bytes(upload) if isinstance(upload, bytes | bytearray) else upload.file.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # the UI also accepts ANSI files
        return raw.decode("latin-1")


@routes.post("/devicecontrol/deviceCredentials")
async def post_device_credentials(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    credentials = device_credentials(state, principal_of(request), await read_json(request))
    document = {
        **credentials,
        "self": f"{render.base_url(request)}/devicecontrol/deviceCredentials/{credentials['id']}",
    }
    # 201 as real tenants answer (c8y_api waits for it); the 10.18 OpenAPI file says 200
    return json_response(document, "devicecredentials", status=201)
