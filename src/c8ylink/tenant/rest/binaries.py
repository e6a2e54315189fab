"""Binaries: ``/inventory/binaries`` (managed objects with ``c8y_IsBinary`` whose content is a file)
and the attachment of an event, ``/event/events/{id}/binaries``.

Contents are streamed to disk (``c8ylink.tenant.files``), never held whole; the metadata is stored
only once the whole content has arrived, so an interrupted upload leaves nothing behind.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import BodyPartReader, web

from c8ylink.tenant.files import FileStore, Staged
from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, written_response
from c8ylink.tenant.rest.params import paged, params_of
from c8ylink.tenant.state.access import require_writer
from c8ylink.tenant.state.errors import TenantApiError, conflict, missing_fields, not_found, validation_error
from c8ylink.tenant.state.inventory import InventoryFilter, object_not_found
from c8ylink.tenant.state.tenant import TenantState

routes = web.RouteTableDef()
BASE = "/inventory/binaries"
FILES: web.AppKey[FileStore] = web.AppKey("c8ylink.files", FileStore)
CHUNK = 64 * 1024
OCTET_STREAM = "application/octet-stream"
MAX_OBJECT_PART = 64 * 1024


def owned_contents(state: TenantState) -> dict[str, Callable[[str], bool]]:
    """Per area of the file store: does the content with this id still belong to something?"""

    def inventory(item_id: str) -> bool:
        document = state.inventory.find(item_id)
        return document is not None and "c8y_IsBinary" in document

    def events(item_id: str) -> bool:
        try:
            return "c8y_IsBinary" in state.events.get(item_id)
        except TenantApiError:
            return False

    archives = {b["id"] for a in state.applications.custom.all() for b in a.get("binaries", ())}
    return {"inventory": inventory, "events": events, "applications": archives.__contains__}


def prune_contents(files: FileStore, state: TenantState, *areas: str) -> None:
    checks = owned_contents(state)
    for area in areas or tuple(checks):
        files.prune(area, checks[area])


def files_of(request: web.Request) -> FileStore:
    files = request.app.get(FILES)
    if files is None:
        raise TenantApiError(503, "general/serviceUnavailable", "Binaries need a tenant with a data dir")
    return files


async def _part_chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while chunk := await part.read_chunk(CHUNK):
        yield chunk


async def _body_chunks(request: web.Request) -> AsyncIterator[bytes]:
    async for chunk in request.content.iter_chunked(CHUNK):
        yield chunk


async def receive(
    request: web.Request, files: FileStore, staged: Staged, *, file_part: str = "file"
) -> dict[str, Any]:
    """Stream the upload into ``staged``; the metadata: ``name``, ``type`` (from the ``object`` part
    of a multipart body, or the file part's name and type, or the request's content type) and
    ``parts`` (the other small parts of a multipart body, as text)."""
    content_type = request.headers.get("Content-Type", "")
    if request.content_type != "multipart/form-data":
        await files.receive(staged, _body_chunks(request))
        return {"type": content_type.split(";", 1)[0].strip() or OCTET_STREAM, "parts": {}}
    reader = await request.multipart()
    parts: dict[str, str] = {}
    found: dict[str, Any] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise validation_error("Nested multipart bodies are not supported")
        if part.name == file_part:
            found = {"name": part.filename, "type": part.headers.get("Content-Type")}
            await files.receive(staged, _part_chunks(part))
        elif part.name:
            raw = await part.read()
            if len(raw) > MAX_OBJECT_PART:
                raise validation_error(f"The {part.name} part is too large")
            parts[part.name] = raw.decode("utf-8", errors="replace")
    if not found:
        raise missing_fields(file_part)
    described = _described(parts.get("object"))
    name = described.get("name") or found.get("name") or "file"
    kind = described.get("type") or found.get("type") or OCTET_STREAM
    if not isinstance(name, str) or not isinstance(kind, str):
        raise validation_error("object.name and object.type must be strings")
    return {"name": name, "type": kind, "parts": parts}


def _described(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        described = json.loads(text)
    except ValueError as exc:
        raise validation_error(f"The object part is not JSON: {exc}") from exc
    if not isinstance(described, dict):
        raise validation_error("The object part must be a JSON object")
    return described


# -- inventory binaries ------------------------------------------------------------------------------------
def binary_document(base: str, document: dict[str, Any]) -> dict[str, Any]:
    return {**document, "self": f"{base}{BASE}/{document['id']}"}


def _binary(state: TenantState, binary_id: str) -> dict[str, Any]:
    document = state.inventory.find(binary_id)
    if document is None or "c8y_IsBinary" not in document:
        raise object_not_found(binary_id)
    return document


@routes.post(BASE)
async def upload(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    require_writer(principal)
    files = files_of(request)
    state = service_of(request).state
    with files.stage() as staged:
        meta = await receive(request, files, staged)
        body = {
            "name": meta.get("name", "file"),
            "type": meta["type"],
            "contentType": meta["type"],
            "length": staged.length,
            "c8y_IsBinary": {},
        }
        document = state.inventory.create(body, owner=principal.username, now=state.now())
        files.commit(staged, "inventory", document["id"])
    rendered = binary_document(render.base_url(request), document)
    return written_response(request, rendered, "managedobject", status=201, location=rendered["self"])


@routes.get(BASE)
async def list_binaries(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    params = dict(params_of(request))
    ids = tuple(p.strip() for p in params["ids"].split(",") if p.strip()) if params.get("ids") else None
    found = state.inventory.select(
        InventoryFilter(
            type=params.get("type") or None,
            fragment_type="c8y_IsBinary",
            owner=params.get("owner") or None,
            text=params.get("text") or None,
            ids=ids,
            child_device_id=params.get("childDeviceId") or None,
            child_asset_id=params.get("childAssetId") or None,
            child_addition_id=params.get("childAdditionId") or None,
        )
    )
    base = render.base_url(request)
    document = paged(request, "managedObjects", found, lambda d: binary_document(base, d))
    return json_response(document, "managedobjectcollection")


@routes.get(BASE + "/{id}")
async def download(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    document = _binary(state, request.match_info["id"])
    path = files_of(request).path("inventory", document["id"])
    if not path.is_file():
        raise not_found("binaries", f"The content of binary {document['id']} is missing")
    content_type = document.get("contentType") or OCTET_STREAM
    return web.FileResponse(path, headers={"Content-Type": str(content_type)})


@routes.put(BASE + "/{id}")
async def replace(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    files = files_of(request)
    document = _binary(state, request.match_info["id"])
    state.check_may_write(principal_of(request), document["id"])
    content_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip() or OCTET_STREAM
    with files.stage() as staged:
        await files.receive(staged, _body_chunks(request))
        update = {"length": staged.length, "contentType": content_type}
        document = state.inventory.update(document["id"], update, now=state.now())
        files.commit(staged, "inventory", document["id"])
    return written_response(
        request, binary_document(render.base_url(request), document), "managedobject", status=201
    )


@routes.delete(BASE + "/{id}")
async def delete_binary(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    files = files_of(request)
    document = _binary(state, request.match_info["id"])
    state.check_may_write(principal_of(request), document["id"])
    state.delete_managed_object(document["id"], cascade=False, with_device_user=False)
    files.remove("inventory", document["id"])
    return web.Response(status=204)


# -- event attachments -------------------------------------------------------------------------------------
EVENT_BINARY = "/event/events/{id}/binaries"


def _event_binary(base: str, event: dict[str, Any]) -> dict[str, Any]:
    info = event.get("c8y_IsBinary") or {}
    return {
        "self": f"{base}/event/events/{event['id']}/binaries",
        "source": event["id"],
        "name": info.get("name", "file"),
        "type": info.get("type", OCTET_STREAM),
        "length": info.get("length", 0),
    }


async def _attach(request: web.Request, *, replace_existing: bool) -> web.StreamResponse:
    state = service_of(request).state
    files = files_of(request)
    event = state.events.get(request.match_info["id"])
    state.check_may_write(principal_of(request), event["source"]["id"])
    if not replace_existing and "c8y_IsBinary" in event:
        raise conflict("event", f"Event {event['id']} already has a binary attachment")
    with files.stage() as staged:
        meta = await receive(request, files, staged)
        info = {"name": meta.get("name", "file"), "type": meta["type"], "length": staged.length}
        event = state.events.update(event["id"], {"c8y_IsBinary": info}, now=state.now())
        files.commit(staged, "events", event["id"])
    return json_response(_event_binary(render.base_url(request), event), None, status=201)


@routes.post(EVENT_BINARY)
async def attach(request: web.Request) -> web.StreamResponse:
    return await _attach(request, replace_existing=False)


@routes.put(EVENT_BINARY)
async def reattach(request: web.Request) -> web.StreamResponse:
    return await _attach(request, replace_existing=True)


def _attachment_not_found(event_id: str) -> TenantApiError:
    return not_found("event", f"Event {event_id} has no binary attachment")


@routes.get(EVENT_BINARY)
async def get_attachment(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    event = state.events.get(request.match_info["id"])
    path = files_of(request).path("events", event["id"])
    if "c8y_IsBinary" not in event or not path.is_file():
        raise _attachment_not_found(event["id"])
    content_type = str(event["c8y_IsBinary"].get("type") or OCTET_STREAM)
    return web.FileResponse(path, headers={"Content-Type": content_type})


@routes.delete(EVENT_BINARY)
async def delete_attachment(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    event = state.events.get(request.match_info["id"])
    state.check_may_write(principal_of(request), event["source"]["id"])
    if "c8y_IsBinary" not in event:
        raise _attachment_not_found(event["id"])
    state.events.update(event["id"], {"c8y_IsBinary": None}, now=state.now())
    files_of(request).remove("events", event["id"])
    return web.Response(status=204)
