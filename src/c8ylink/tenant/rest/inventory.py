"""``/inventory/managedObjects``: CRUD, queries, child references (cumulocity-api.md §3.2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.binaries import FILES, prune_contents
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import (
    count_response,
    encode_json,
    json_response,
    media_type,
    read_json,
    read_json_object,
    written_response,
)
from c8ylink.tenant.rest.params import boolean, paged, params_of
from c8ylink.tenant.state.access import Principal, require_tenant_admin, require_writer
from c8ylink.tenant.state.audit import audit
from c8ylink.tenant.state.errors import not_found, validation_error
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.inventory import InventoryFilter, is_heartbeat
from c8ylink.tenant.state.inventory_access import check_may_read, visible
from c8ylink.tenant.state.paging import parse_bool
from c8ylink.tenant.state.query import parse_query
from c8ylink.tenant.state.series import supported_measurements, supported_series
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.users import User

routes = web.RouteTableDef()
BASE = "/inventory/managedObjects"
KINDS = "{kind:childDevices|childAssets|childAdditions}"
MANAGED_OBJECT_TYPE = media_type("managedobject")


def _filter(state: TenantState, params: dict[str, str]) -> InventoryFilter:
    query = None
    fragment_type = params.get("fragmentType") or None
    if params.get("query"):
        query = parse_query(params["query"], state.inventory.group_parents)
    elif params.get("q"):
        query = parse_query(params["q"], state.inventory.group_parents)
        fragment_type = fragment_type or "c8y_IsDevice"
    ids = (
        tuple(part.strip() for part in params["ids"].split(",") if part.strip())
        if params.get("ids")
        else None
    )
    return InventoryFilter(
        query=query,
        type=params.get("type") or None,
        fragment_type=fragment_type,
        owner=params.get("owner") or None,
        text=params.get("text") or None,
        ids=ids,
        only_roots=parse_bool(params, "onlyRoots"),
        child_device_id=params.get("childDeviceId") or None,
        child_asset_id=params.get("childAssetId") or None,
        child_addition_id=params.get("childAdditionId") or None,
    )


def _audit(state: TenantState, principal: Principal, activity: str, document: dict[str, Any]) -> None:
    name = document.get("name")
    label = f"'{name}'" if isinstance(name, str) else document["id"]
    text = f"{activity} {label}"
    audit(state, principal, "Inventory", activity, text, source=document["id"])


@routes.get(BASE)
async def list_objects(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    params = dict(params_of(request))
    found = visible(
        state, principal_of(request), "MANAGED_OBJECT", state.inventory.select(_filter(state, params))
    )
    with_children = boolean(request, "withChildren", True)
    base = render.base_url(request)
    document = paged(
        request,
        "managedObjects",
        found,
        lambda doc: render.managed_object(base, state, doc, with_children=with_children),
    )
    return json_response(document, "managedobjectcollection")


@routes.post(BASE)
async def create_object(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    require_writer(principal)
    state = service_of(request).state
    body = await read_json(request)
    document = state.inventory.create(body, owner=principal.username, now=state.now())
    _audit(state, principal, "Managed object created", document)
    base = render.base_url(request)
    return written_response(
        request,
        render.managed_object(base, state, document),
        "managedobject",
        status=201,
        location=render.object_url(base, document["id"]),
    )


@routes.get(BASE + "/count")
async def count_objects(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    found = state.inventory.select(_filter(state, dict(params_of(request))))
    return count_response(request, len(visible(state, principal_of(request), "MANAGED_OBJECT", found)))


RENDERED = web.AppKey("c8ylink.rendered_objects", dict)
_RENDERED_LIMIT = 4096


@routes.get(BASE + "/{id}")
async def get_object(request: web.Request) -> web.StreamResponse:
    """The most frequent request of all; its encoded answer is reused until anything changes."""
    state = service_of(request).state
    object_id = request.match_info["id"]
    check_may_read(state, principal_of(request), "MANAGED_OBJECT", object_id)
    with_children = boolean(request, "withChildren", True) if request.query else True
    base = render.base_url(request)
    cache: dict[tuple[str, str, bool], tuple[int, bytes]] = request.app[RENDERED]
    key = (object_id, base, with_children)
    cached = cache.get(key)
    if cached is None or cached[0] != state.journal.version:
        document = render.managed_object(
            base, state, state.inventory.get(object_id), with_children=with_children
        )
        if len(cache) >= _RENDERED_LIMIT:
            cache.clear()
        cached = cache[key] = (state.journal.version, encode_json(document))
    return web.Response(body=cached[1], headers={"Content-Type": MANAGED_OBJECT_TYPE})


@routes.put(BASE + "/{id}")
async def update_object(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    object_id = request.match_info["id"]
    state.inventory.get(object_id)
    principal = principal_of(request)
    state.check_may_write(principal, object_id)
    body = await read_json_object(request)
    if is_heartbeat(body):
        if "X-Cumulocity-Application-Key" not in request.headers:
            state.inventory.touch(object_id, now=state.now())
        return written_response(request, {"id": object_id}, "managedobject", status=200)
    document = state.inventory.update(object_id, body, now=state.now())
    _audit(state, principal, "Managed object updated", document)
    return written_response(
        request, render.managed_object(render.base_url(request), state, document), "managedobject", status=200
    )


@routes.delete(BASE + "/{id}")
async def delete_object(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    object_id = request.match_info["id"]
    document = state.inventory.get(object_id)
    state.check_may_write(principal_of(request), object_id)
    _audit(state, principal_of(request), "Managed object deleted", document)
    cascade = boolean(request, "cascade") or boolean(request, "forceCascade")
    removed = state.delete_managed_object(
        object_id, cascade=cascade, with_device_user=boolean(request, "withDeviceUser")
    )
    files = request.app.get(FILES)
    if files is not None:
        for removed_id in removed:
            files.remove("inventory", removed_id)
        prune_contents(files, state, "events")  # attachments of the events deleted with it
    return web.Response(status=204)


@routes.get(BASE + "/{id}/" + KINDS)
async def list_children(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    parent_id, kind = request.match_info["id"], request.match_info["kind"]
    state.inventory.get(parent_id)
    children = [state.inventory.get(child) for child in state.inventory.references(parent_id, kind)]
    base = render.base_url(request)
    document = paged(
        request, "references", children, lambda child: render.reference(base, parent_id, kind, child, state)
    )
    return json_response(document, "managedobjectreferencecollection")


@routes.post(BASE + "/{id}/" + KINDS)
async def add_children(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    principal = principal_of(request)
    parent_id, kind = request.match_info["id"], request.match_info["kind"]
    state.inventory.get(parent_id)
    state.check_may_write(principal, parent_id)
    body = await read_json_object(request)
    children = [_child_of(state, principal, item) for item in _reference_items(body)]
    for child_id in children:
        state.add_child_reference(parent_id, kind, child_id)
    base = render.base_url(request)
    last = state.inventory.get(children[-1])
    return written_response(
        request,
        render.reference(base, parent_id, kind, last, state),
        "managedobjectreference",
        status=201,
        location=f"{render.object_url(base, parent_id)}/{kind}/{last['id']}",
    )


def _reference_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    if "references" in body:
        items = body["references"]
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise validation_error("references must be a non-empty list of managed object references")
        return [item.get("managedObject", item) for item in items]
    if isinstance(body.get("managedObject"), dict):
        return [body["managedObject"]]
    return [body]


def _child_of(state: TenantState, principal: Principal, item: dict[str, Any]) -> str:
    """An existing object named by ``{"id": ...}``, or a new one created from a full body."""
    if set(item) <= {"id", "self", "name"} and item.get("id") is not None:
        child_id = str(item["id"])
        state.inventory.get(child_id)
        return child_id
    return str(state.inventory.create(item, owner=principal.username, now=state.now())["id"])


@routes.delete(BASE + "/{id}/" + KINDS)
async def remove_children(request: web.Request) -> web.StreamResponse:
    """Bulk unassign: ``{"references": [{"managedObject": {"id": ...}}, ...]}``."""
    state = service_of(request).state
    parent_id, kind = request.match_info["id"], request.match_info["kind"]
    state.inventory.get(parent_id)
    state.check_may_write(principal_of(request), parent_id)
    body = await read_json_object(request)
    items = _reference_items(body) if "references" in body else []
    if not items:
        raise validation_error("references must be a non-empty list of managed object references")
    ids = []
    for item in items:
        if item.get("id") in (None, ""):
            raise validation_error("every reference needs managedObject.id")
        ids.append(str(item["id"]))
    for child_id in ids:  # all or nothing: check every reference before removing any
        if child_id not in state.inventory.references(parent_id, kind):
            raise not_found("inventory", f"Managed object {child_id} is not in {kind} of {parent_id}")
    for child_id in ids:
        state.inventory.remove_reference(parent_id, kind, child_id)
    return web.Response(status=204)


@routes.get(BASE + "/{id}/availability")
async def get_availability(request: web.Request) -> web.StreamResponse:
    """What Cumulocity answers (the 10.18 OpenAPI file documents a bare date-time instead)."""
    state = service_of(request).state
    object_id = request.match_info["id"]
    document = state.inventory.get(object_id)
    availability = document.get("c8y_Availability") or {}
    connection = document.get("c8y_Connection") or {}
    answer: dict[str, Any] = {
        "deviceId": object_id,
        "dataStatus": availability.get("status", "UNAVAILABLE"),
        "connectionStatus": connection.get("status", "DISCONNECTED"),
    }
    serials = state.identity.of_object(object_id)
    if serials:
        answer["externalId"] = serials[0].value
    if "lastMessage" in availability:
        answer["lastMessage"] = availability["lastMessage"]
    if "c8y_RequiredAvailability" in document:
        answer["interval"] = document["c8y_RequiredAvailability"].get("responseInterval")
    return json_response(answer, None)


def _owner(request: web.Request) -> tuple[TenantState, User]:
    state = service_of(request).state
    document = state.inventory.get(request.match_info["id"])
    owner = document.get("owner")
    user = state.users.find(state.tenant_id, owner) if isinstance(owner, str) else None
    if user is None:
        raise not_found("inventory", f"Managed object {document['id']} has no owner in this tenant")
    return state, user


def _owner_document(request: web.Request, user: User) -> dict[str, Any]:
    url = f"{render.object_url(render.base_url(request), request.match_info['id'])}/user"
    return {"userName": user.username, "enabled": user.enabled, "self": url}


@routes.get(BASE + "/{id}/user")
async def get_owner(request: web.Request) -> web.StreamResponse:
    _, user = _owner(request)
    return json_response(_owner_document(request, user), "managedobjectuser")


@routes.put(BASE + "/{id}/user")
async def put_owner(request: web.Request) -> web.StreamResponse:
    """Enable or disable the device's owner (its device user)."""
    require_tenant_admin(principal_of(request))
    state, user = _owner(request)
    body = await read_json_object(request)
    if not isinstance(body.get("enabled"), bool):
        raise validation_error("enabled must be true or false")
    user = state.users.update_profile(user, {"enabled": body["enabled"]})
    return written_response(request, _owner_document(request, user), "managedobjectuser", status=200)


@routes.get(BASE + "/{id}/supportedMeasurements")
async def get_supported_measurements(request: web.Request) -> web.StreamResponse:
    found = _measurements_of(request)
    return json_response({"c8y_SupportedMeasurements": supported_measurements(found)}, None)


@routes.get(BASE + "/{id}/supportedSeries")
async def get_supported_series(request: web.Request) -> web.StreamResponse:
    return json_response({"c8y_SupportedSeries": supported_series(_measurements_of(request))}, None)


def _measurements_of(request: web.Request) -> Sequence[dict[str, Any]]:
    state = service_of(request).state
    object_id = request.match_info["id"]
    state.inventory.get(object_id)
    return state.measurements.select(Criteria(equals=(("source.id", frozenset({object_id})),)))


@routes.get(BASE + "/{id}/" + KINDS + "/{child}")
async def get_child(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    parent_id, kind, child_id = (
        request.match_info["id"],
        request.match_info["kind"],
        request.match_info["child"],
    )
    state.inventory.get(parent_id)
    if child_id not in state.inventory.references(parent_id, kind):
        raise not_found("inventory", f"Managed object {child_id} is not in {kind} of {parent_id}")
    child = state.inventory.get(child_id)
    return json_response(
        render.reference(render.base_url(request), parent_id, kind, child, state), "managedobjectreference"
    )


@routes.delete(BASE + "/{id}/" + KINDS + "/{child}")
async def remove_child(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    parent_id, kind, child_id = (
        request.match_info["id"],
        request.match_info["kind"],
        request.match_info["child"],
    )
    state.inventory.get(parent_id)
    state.check_may_write(principal_of(request), parent_id)
    state.inventory.remove_reference(parent_id, kind, child_id)
    return web.Response(status=204)
