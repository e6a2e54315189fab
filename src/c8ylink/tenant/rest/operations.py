"""``/devicecontrol/operations`` (cumulocity-api.md §3.7)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json, read_json_object, written_response
from c8ylink.tenant.rest.params import boolean, paged, params_of, windows
from c8ylink.tenant.state.access import require_business_user
from c8ylink.tenant.state.audit import audit
from c8ylink.tenant.state.devicecontrol import create_operation, update_operation
from c8ylink.tenant.state.errors import validation_error
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.inventory_access import check_may_read, visible
from c8ylink.tenant.state.operations import STATUSES
from c8ylink.tenant.state.tenant import TenantState

routes = web.RouteTableDef()
BASE = "/devicecontrol/operations"


def _criteria(params: dict[str, str]) -> Criteria:
    equals = []
    for name in ("agentId", "deviceId", "bulkOperationId"):
        if params.get(name):
            equals.append((name, frozenset({params[name]})))
    status = params.get("status")
    if status:
        if status not in STATUSES:
            raise validation_error(f"status must be one of {', '.join(STATUSES)}, not '{status}'")
        equals.append(("status", frozenset({status})))
    return Criteria(
        equals=tuple(equals),
        fragment_type=params.get("fragmentType") or None,
        windows=windows(params, (("creationTime", "dateFrom", "dateTo"),)),
    )


def _with_external_ids(base: str, state: TenantState, document: dict[str, Any]) -> dict[str, Any]:
    rendered = render.operation(base, document)
    device_id = document["deviceId"]
    rendered["deviceExternalIDs"] = {
        "externalIds": [render.external_id(base, entry) for entry in state.identity.of_object(device_id)],
        "self": f"{base}/identity/globalIds/{device_id}/externalIds",
    }
    return rendered


@routes.post(BASE)
async def post_operation(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    created = create_operation(state, principal_of(request), await read_json(request))
    audit(
        state,
        principal_of(request),
        "Operation",
        "Operation created",
        f"Operation created: status='{created['status']}'",
        source=created["deviceId"],
    )
    document = render.operation(render.base_url(request), created)
    return written_response(request, document, "operation", status=201, location=document["self"])


@routes.get(BASE)
async def list_operations(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    params = dict(params_of(request))
    selected = state.operations.select(_criteria(params), revert=boolean(request, "revert"))
    found = visible(state, principal_of(request), "OPERATION", selected, "deviceId")
    base = render.base_url(request)
    if params.get("agentId"):
        document = paged(request, "operations", found, lambda op: _with_external_ids(base, state, op))
    else:
        document = paged(request, "operations", found, lambda op: render.operation(base, op))
    return json_response(document, "operationcollection")


@routes.delete(BASE)
async def delete_operations(request: web.Request) -> web.StreamResponse:
    require_business_user(principal_of(request))
    state = service_of(request).state
    state.operations.delete_matching(_criteria(dict(params_of(request))))
    return web.Response(status=204)


@routes.get(BASE + "/{id}")
async def get_operation(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    document = state.operations.get(request.match_info["id"])
    check_may_read(state, principal_of(request), "OPERATION", str(document["deviceId"]))
    return json_response(render.operation(render.base_url(request), document), "operation")


@routes.put(BASE + "/{id}")
async def put_operation(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    body = await read_json_object(request)
    updated = update_operation(state, principal_of(request), request.match_info["id"], body)
    audit(
        state,
        principal_of(request),
        "Operation",
        "Operation updated",
        f"Operation updated: status='{updated['status']}'",
        source=updated["deviceId"],
    )
    return written_response(
        request, render.operation(render.base_url(request), updated), "operation", status=200
    )
