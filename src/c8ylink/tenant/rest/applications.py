"""``/application``: applications, their archives and versions, ``currentApplication``, bootstrap and
service users, and the tenant's subscriptions (``/tenant/tenants/{id}/applications``).

Reading needs a person, changing a tenant admin. Archives (e.g. a microservice zip) are stored as
binaries in the file store, streamed like every other upload.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.binaries import files_of, receive
from c8ylink.tenant.rest.certificates import check_tenant_path
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json_object, written_response
from c8ylink.tenant.rest.params import paged, params_of
from c8ylink.tenant.state.access import require_business_user, require_tenant_admin
from c8ylink.tenant.state.applications import parse_version
from c8ylink.tenant.state.audit import audit
from c8ylink.tenant.state.errors import bad_request, missing_fields, not_found
from c8ylink.tenant.state.records import Document
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.times import format_time
from c8ylink.tenant.state.users import USER

routes = web.RouteTableDef()
BASE = "/application/applications"
ZIP = "application/zip"
_INTERNAL = ("binaries", "versions", "builtin", "bootstrapPassword", "servicePassword")
BOOTSTRAP_PREFIX, SERVICE_PREFIX = "servicebootstrap_", "service_"


def _reader(request: web.Request) -> TenantState:
    require_business_user(principal_of(request))
    return service_of(request).state


def _admin(request: web.Request) -> TenantState:
    require_tenant_admin(principal_of(request))
    return service_of(request).state


def application_document(base: str, application: Document) -> Document:
    document = {key: value for key, value in application.items() if key not in _INTERNAL}
    tenant = str(application["owner"])
    document["owner"] = {"self": f"{base}/tenant/tenants/{tenant}", "tenant": {"id": tenant}}
    document["self"] = f"{base}{BASE}/{application['id']}"
    return document


def _get(request: web.Request, state: TenantState) -> Document:
    return state.applications.get(request.match_info["id"], state.tenant_id)


def _collection(request: web.Request, state: TenantState, found: list[Document]) -> web.Response:
    base = render.base_url(request)
    document = paged(request, "applications", found, lambda a: application_document(base, a))
    return json_response(document, "applicationcollection")


@routes.get(BASE)
async def list_applications(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    params = dict(params_of(request))
    found = state.applications.all(state.tenant_id)
    for name in ("name", "type", "availability", "contextPath"):
        if params.get(name):
            found = [app for app in found if str(app.get(name, "")).lower() == params[name].lower()]
    if params.get("owner") or params.get("tenant"):
        found = [app for app in found if app["owner"] in (params.get("owner"), params.get("tenant"))]
    if params.get("subscriber"):
        subscribed = {app["id"] for app in state.applications.subscribed(state.tenant_id)}
        found = [app for app in found if app["id"] in subscribed]
    if params.get("hasVersions"):
        wanted = params["hasVersions"].lower() == "true"
        found = [app for app in found if bool(app.get("versions")) == wanted]
    return _collection(request, state, found)


@routes.post(BASE)
async def create_application(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    application = state.applications.create(await read_json_object(request), state.tenant_id)
    audit(
        state,
        principal_of(request),
        "Application",
        "Application created",
        f"Application '{application['name']}' created",
        source=application["id"],
    )
    document = application_document(render.base_url(request), application)
    return written_response(request, document, "application", status=201, location=document["self"])


@routes.get("/application/applicationsByName/{name}")
async def by_name(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    name = request.match_info["name"]
    return _collection(
        request, state, [a for a in state.applications.all(state.tenant_id) if a["name"] == name]
    )


@routes.get("/application/applicationsByTenant/{tenant}")
@routes.get("/application/applicationsByOwner/{tenant}")
async def by_tenant(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    check_tenant_path(state, principal_of(request), request.match_info["tenant"])
    return _collection(request, state, state.applications.all(state.tenant_id))


@routes.get("/application/applicationsByUser/{user}")
async def by_user(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    state.users.get(state.tenant_id, request.match_info["user"])
    return _collection(request, state, state.applications.subscribed(state.tenant_id))


@routes.get(BASE + "/{id}")
async def get_application(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    return json_response(application_document(render.base_url(request), _get(request, state)), "application")


@routes.put(BASE + "/{id}")
async def update_application(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    application = state.applications.update(
        request.match_info["id"], await read_json_object(request), state.tenant_id
    )
    return written_response(
        request, application_document(render.base_url(request), application), "application", status=200
    )


@routes.delete(BASE + "/{id}")
async def delete_application(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    application = state.applications.delete(request.match_info["id"])
    files = files_of(request)
    for binary in application["binaries"]:
        files.remove("applications", binary["id"])
    for prefix in (BOOTSTRAP_PREFIX, SERVICE_PREFIX):
        user = state.users.find(state.tenant_id, prefix + application["name"])
        if user is not None:
            state.delete_user(user)
    audit(
        state,
        principal_of(request),
        "Application",
        "Application deleted",
        f"Application '{application['name']}' deleted",
        source=application["id"],
    )
    return web.Response(status=204)


@routes.post(BASE + "/{id}/clone")
async def clone_application(request: web.Request) -> web.StreamResponse:
    """A copy named ``clone<name>`` (key and context path likewise), without archives."""
    state = _admin(request)
    original = _get(request, state)
    body = {
        key: value
        for key, value in application_document(render.base_url(request), original).items()
        if key not in ("id", "self", "owner", "activeVersionId")
    }
    for key in ("name", "key", "contextPath"):
        if isinstance(body.get(key), str):
            body[key] = f"clone{body[key]}"
    clone = state.applications.create(body, state.tenant_id)
    document = application_document(render.base_url(request), clone)
    return written_response(request, document, "application", status=201, location=document["self"])


# -- archives and versions -----------------------------------------------------------------------------
async def _store_archive(request: web.Request, state: TenantState, *, versioned: bool) -> Document:
    application = _get(request, state)
    files = files_of(request)
    with files.stage() as staged:
        meta = await receive(request, files, staged, file_part="applicationBinary" if versioned else "file")
        version = None
        if versioned:
            if "applicationVersion" not in meta["parts"]:
                raise missing_fields("applicationVersion")
            version = parse_version(meta["parts"]["applicationVersion"])
        binary_id = state.ids.next_id()
        binary = {
            "id": binary_id,
            "name": meta.get("name", "application.zip"),
            "contentType": meta["type"] if meta["type"] != "application/octet-stream" else ZIP,
            "length": staged.length,
            "created": format_time(state.now()),
        }
        state.applications.add_binary(application["id"], binary, version)
        files.commit(staged, "applications", binary_id)
    return {**binary, "version": version}


@routes.post(BASE + "/{id}/binaries")
async def upload_archive(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    await _store_archive(request, state, versioned=False)
    document = application_document(render.base_url(request), _get(request, state))
    return written_response(request, document, "application", status=201)


def _attachment(base: str, application: Document, binary: Document) -> Document:
    url = f"{base}{BASE}/{application['id']}/binaries/{binary['id']}"
    return {
        "id": binary["id"],
        "name": binary["name"],
        "length": binary["length"],
        "created": binary["created"],
        "contextPath": application.get("contextPath", ""),
        "downloadUrl": url,
    }


@routes.get(BASE + "/{id}/binaries")
async def list_archives(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    application = _get(request, state)
    base = render.base_url(request)
    document = {"attachments": [_attachment(base, application, b) for b in application["binaries"]]}
    return json_response(document, "applicationbinaries")


def _archive(request: web.Request, application: Document) -> Document:
    binary_id = request.match_info["binary"]
    for binary in application["binaries"]:
        if binary["id"] == binary_id:
            return dict(binary)
    raise not_found("application", f"Binary {binary_id} of application {application['id']} not found")


@routes.get(BASE + "/{id}/binaries/{binary}")
async def download_archive(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    binary = _archive(request, _get(request, state))
    path = files_of(request).path("applications", binary["id"])
    return web.FileResponse(path, headers={"Content-Type": str(binary.get("contentType") or ZIP)})


@routes.delete(BASE + "/{id}/binaries/{binary}")
async def delete_archive(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    binary = _archive(request, _get(request, state))
    state.applications.remove_binary(request.match_info["id"], binary["id"])
    files_of(request).remove("applications", binary["id"])
    return web.Response(status=204)


@routes.get(BASE + "/{id}/versions")
async def list_versions(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    application = _get(request, state)
    version, tag = request.query.get("version"), request.query.get("tag")
    if version or tag:
        found = state.applications.find_version(application, version=version, tag=tag)
        return json_response(found, "applicationVersion")
    document = {"applicationVersions": list(application.get("versions", []))}
    return json_response(document, "applicationVersionCollection")


@routes.post(BASE + "/{id}/versions")
async def create_version(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    stored = await _store_archive(request, state, versioned=True)
    version = {
        "version": stored["version"]["version"],
        "binaryId": stored["id"],
        "tags": stored["version"]["tags"],
    }
    return json_response(version, "applicationVersion", status=201)


@routes.put(BASE + "/{id}/versions/{version}")
async def tag_version(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    body = await read_json_object(request)
    tags = body.get("tags", body.get("tag"))
    if not isinstance(tags, list):
        raise missing_fields("tags")
    entry = state.applications.tag_version(
        request.match_info["id"], request.match_info["version"], [str(t) for t in tags]
    )
    return json_response(entry, "applicationVersion", status=201)  # as the OpenAPI file documents


@routes.delete(BASE + "/{id}/versions")
async def delete_version(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    application = _get(request, state)
    version, tag = request.query.get("version"), request.query.get("tag")
    if not version and not tag:
        raise missing_fields("version")
    entry = state.applications.find_version(application, version=version, tag=tag)
    state.applications.remove_binary(application["id"], entry["binaryId"])
    files_of(request).remove("applications", entry["binaryId"])
    return web.Response(status=204)


# -- bootstrap and service users, the current application ------------------------------------------------
def _credentials(state: TenantState, application: Document, prefix: str, field: str) -> Document:
    """``{tenant, name, password}`` of the application's user ``<prefix><name>`` (created once)."""
    username = prefix + str(application["name"])
    password = application.get(field)
    if state.users.find(state.tenant_id, username) is None or not isinstance(password, str):
        existing = state.users.find(state.tenant_id, username)
        if existing is not None:
            state.delete_user(existing)
        password = state.secrets.password(32)
        roles = [USER] if prefix == SERVICE_PREFIX else []
        state.users.add(state.tenant_id, username, roles=roles, password=password, now=state.now())
        state.applications.custom.put({**application, field: password})
    return {"tenant": state.tenant_id, "name": username, "password": password}


@routes.get(BASE + "/{id}/bootstrapUser")
async def bootstrap_user(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    application = _get(request, state)
    if application["type"] != "MICROSERVICE":
        raise bad_request("Only microservices have a bootstrap user")
    return json_response(_credentials(state, application, BOOTSTRAP_PREFIX, "bootstrapPassword"), "user")


def _current(request: web.Request, state: TenantState) -> Document:
    """The application calling: named by ``X-Cumulocity-Application-Key`` or by its bootstrap or
    service user."""
    key = request.headers.get("X-Cumulocity-Application-Key")
    if key:
        found = state.applications.by_key(key, state.tenant_id)
        if found is not None:
            return found
    username = principal_of(request).username
    for prefix in (BOOTSTRAP_PREFIX, SERVICE_PREFIX):
        if username.startswith(prefix):
            name = username[len(prefix) :]
            for application in state.applications.all(state.tenant_id):
                if application["name"] == name:
                    return application
    raise not_found(
        "application", "No current application: send X-Cumulocity-Application-Key or log in as its user"
    )


@routes.get("/application/currentApplication")
async def current_application(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    return json_response(
        application_document(render.base_url(request), _current(request, state)), "application"
    )


@routes.put("/application/currentApplication")
async def update_current_application(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    current = _current(request, state)
    updated = state.applications.update(current["id"], await read_json_object(request), state.tenant_id)
    return written_response(
        request, application_document(render.base_url(request), updated), "application", status=200
    )


@routes.get("/application/currentApplication/subscriptions")
async def current_subscriptions(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    application = _current(request, state)
    subscribed = {app["id"] for app in state.applications.subscribed(state.tenant_id)}
    users = []
    if application["id"] in subscribed and "builtin" not in application:
        users.append(_credentials(state, application, SERVICE_PREFIX, "servicePassword"))
    return json_response({"users": users}, "applicationusercollection")


# -- the tenant's subscriptions ------------------------------------------------------------------------------
SUBSCRIPTIONS = "/tenant/tenants/{tenant}/applications"


def _reference(base: str, application: Document) -> dict[str, Any]:
    return {
        "self": f"{base}{BASE}/{application['id']}",
        "application": application_document(base, application),
    }


@routes.get(SUBSCRIPTIONS)
async def list_subscriptions(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    check_tenant_path(state, principal_of(request), request.match_info["tenant"])
    base = render.base_url(request)
    found = state.applications.subscribed(state.tenant_id)
    document = paged(request, "references", found, lambda a: _reference(base, a))
    return json_response(document, "applicationreferencecollection")


@routes.post(SUBSCRIPTIONS)
async def subscribe(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    check_tenant_path(state, principal_of(request), request.match_info["tenant"])
    body = await read_json_object(request)
    target = body.get("application")
    url = target.get("self") if isinstance(target, dict) else None
    application_id = target.get("id") if isinstance(target, dict) else None
    if application_id is None and isinstance(url, str):
        application_id = url.rstrip("/").rsplit("/", 1)[-1]
    if application_id in (None, ""):
        raise missing_fields("application.self")
    application = state.applications.subscribe(str(application_id), state.tenant_id)
    document = _reference(render.base_url(request), application)
    return written_response(request, document, "applicationreference", status=201)


@routes.delete(SUBSCRIPTIONS + "/{id}")
async def unsubscribe(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    check_tenant_path(state, principal_of(request), request.match_info["tenant"])
    state.applications.unsubscribe(request.match_info["id"])
    return web.Response(status=204)
