"""The tenant itself (``/tenant/tenants/{id}``) and its usage statistics (``/tenant/statistics``,
``/summary``, ``/device/{id}/daily|monthly/{date}``). The local tenant has no sub-tenants: creating
one is refused (403), the list of sub-tenants is empty."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.applications import application_document
from c8ylink.tenant.rest.certificates import check_tenant_path
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json_object, written_response
from c8ylink.tenant.rest.params import paged, params_of
from c8ylink.tenant.state.access import require_business_user, require_tenant_admin
from c8ylink.tenant.state.errors import forbidden, validation_error
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.inventory import InventoryFilter
from c8ylink.tenant.state.tenant import MANAGEMENT_TENANT, TenantState
from c8ylink.tenant.state.times import format_time, parse_query_time
from c8ylink.tenant.state.usage import daily_usage, device_statistics, summary

routes = web.RouteTableDef()
TENANTS = "/tenant/tenants"
_EDITABLE = ("company", "contactName", "contactPhone", "adminEmail", "customProperties")


def tenant_document(base: str, state: TenantState) -> dict[str, Any]:
    stored = state.tenant_info.find(state.tenant_id) or {}
    url = f"{base}{TENANTS}/{state.tenant_id}"
    applications = [application_document(base, a) for a in state.applications.subscribed(state.tenant_id)]
    owned = [application_document(base, a) for a in state.applications.custom.all()]
    admin = next((u for u in state.users.all(state.tenant_id) if u.is_admin), None)
    document: dict[str, Any] = {
        "id": state.tenant_id,
        "domain": state.domain,
        "company": state.tenant_id,
        "status": "ACTIVE",
        "parent": MANAGEMENT_TENANT,
        "allowCreateTenants": False,
        "creationTime": admin.created if admin is not None else format_time(state.now()),
        "customProperties": {},
        "applications": {"self": f"{url}/applications", "references": applications},
        "ownedApplications": {"self": f"{url}/applications", "references": owned},
        "self": url,
    }
    if admin is not None:
        document["adminName"] = admin.username
    document.update({key: value for key, value in stored.items() if key in _EDITABLE})
    return document


@routes.get(TENANTS)
async def list_tenants(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    return json_response(paged(request, "tenants", [], lambda t: t), "tenantcollection")


@routes.post(TENANTS)
async def create_tenant(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    raise forbidden("The local tenant cannot create sub-tenants")


@routes.get(TENANTS + "/{tenant}")
async def get_tenant(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    require_business_user(principal)
    state = service_of(request).state
    check_tenant_path(state, principal, request.match_info["tenant"])
    return json_response(tenant_document(render.base_url(request), state), "tenant")


@routes.put(TENANTS + "/{tenant}")
async def update_tenant(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    require_tenant_admin(principal)
    state = service_of(request).state
    check_tenant_path(state, principal, request.match_info["tenant"])
    body = await read_json_object(request)
    stored = dict(state.tenant_info.find(state.tenant_id) or {"id": state.tenant_id})
    for key in _EDITABLE:
        if key in body:
            expected = dict if key == "customProperties" else str
            if not isinstance(body[key], expected):
                raise validation_error(f"{key} has the wrong type")
            stored[key] = body[key]
    state.tenant_info.put(stored)
    return written_response(request, tenant_document(render.base_url(request), state), "tenant", status=200)


@routes.delete(TENANTS + "/{tenant}")
async def delete_tenant(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    require_tenant_admin(principal)
    state = service_of(request).state
    check_tenant_path(state, principal, request.match_info["tenant"])
    raise forbidden("A tenant cannot delete itself")


# -- usage statistics -----------------------------------------------------------------------------------
def _window(request: web.Request, state: TenantState) -> tuple[str, str]:
    params = params_of(request)
    today = format_time(state.now())[:10]
    first = (
        format_time(parse_query_time(params["dateFrom"], "dateFrom"))[:10]
        if params.get("dateFrom")
        else today[:8] + "01"
    )
    last = format_time(parse_query_time(params["dateTo"], "dateTo"))[:10] if params.get("dateTo") else today
    return first, last


def _devices(state: TenantState) -> list[dict[str, Any]]:
    return state.inventory.select(InventoryFilter(fragment_type="c8y_IsDevice"))


def _data(state: TenantState) -> dict[str, Sequence[dict[str, Any]]]:
    return {
        "inventoriesCreatedCount": state.inventory.select(InventoryFilter()),
        "measurementsCreatedCount": state.measurements.select(Criteria()),
        "eventsCreatedCount": state.events.select(Criteria()),
        "alarmsCreatedCount": state.alarms.select(Criteria()),
    }


def _usage(state: TenantState, first: str, last: str) -> list[dict[str, Any]]:
    devices = _devices(state)
    children = sum(len(state.inventory.references(d["id"], "childDevices")) for d in devices)
    return daily_usage(
        _data(state), first=first, last=last, devices=len(devices), with_children=len(devices) + children
    )


@routes.get("/tenant/statistics")
async def usage_statistics(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    state = service_of(request).state
    first, last = _window(request, state)
    entries = _usage(state, first, last)
    return json_response(
        paged(request, "usageStatistics", entries, lambda e: e), "tenantusagestatisticscollection"
    )


@routes.get("/tenant/statistics/summary")
async def usage_summary(request: web.Request) -> web.StreamResponse:
    require_tenant_admin(principal_of(request))
    state = service_of(request).state
    first, last = _window(request, state)
    entries = _usage(state, first, last)
    devices = entries[0]["deviceCount"] if entries else len(_devices(state))
    with_children = entries[0]["deviceWithChildrenCount"] if entries else devices
    names = [a["name"] for a in state.applications.subscribed(state.tenant_id)]
    document = summary(entries, day=first, devices=devices, with_children=with_children, applications=names)
    return json_response(document, "tenantusagestatisticssummary")


@routes.get("/tenant/statistics/allTenantsSummary")
async def all_tenants_summary(request: web.Request) -> web.StreamResponse:
    """The one tenant's summary, in a list (the local tenant has no sub-tenants)."""
    require_tenant_admin(principal_of(request))
    state = service_of(request).state
    first, last = _window(request, state)
    entries = _usage(state, first, last)
    devices = entries[0]["deviceCount"] if entries else len(_devices(state))
    names = [a["name"] for a in state.applications.subscribed(state.tenant_id)]
    document = summary(entries, day=first, devices=devices, with_children=devices, applications=names)
    document.update(
        {"tenantId": state.tenant_id, "tenantDomain": state.domain, "tenantCompany": state.tenant_id}
    )
    document.pop("day", None)
    return json_response([document], None)


@routes.get("/tenant/statistics/device/{tenant}/{period:daily|monthly}/{date}")
async def device_usage(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    require_tenant_admin(principal)
    state = service_of(request).state
    check_tenant_path(state, principal, request.match_info["tenant"])
    date = request.match_info["date"]
    day = format_time(parse_query_time(date, "date"))[:10]
    prefix = day if request.match_info["period"] == "daily" else day[:7]
    data = _data(state)
    documents = [*data["measurementsCreatedCount"], *data["eventsCreatedCount"], *data["alarmsCreatedCount"]]
    types = {d["id"]: d.get("type") for d in _devices(state)}
    found = device_statistics(documents, prefix=prefix, device_types=types)
    base = render.base_url(request)
    return json_response({"statistics": found, "self": f"{base}{request.path}"}, None)
