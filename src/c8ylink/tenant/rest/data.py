"""Measurements, events and alarms (cumulocity-api.md §3.4-3.6)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.binaries import FILES
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import (
    count_response,
    json_response,
    read_json,
    read_json_object,
    written_response,
)
from c8ylink.tenant.rest.params import boolean, paged, params_of, source_ids, windows
from c8ylink.tenant.state.access import require_business_user
from c8ylink.tenant.state.audit import audit
from c8ylink.tenant.state.errors import missing_fields, validation_error
from c8ylink.tenant.state.filters import Criteria, csv_values
from c8ylink.tenant.state.inventory_access import check_may_read, visible
from c8ylink.tenant.state.series import measurement_series
from c8ylink.tenant.state.telemetry import create_event, create_measurements, raise_alarm
from c8ylink.tenant.state.tenant import TenantState

routes = web.RouteTableDef()
TIME_WINDOWS = (
    ("time", "dateFrom", "dateTo"),
    ("creationTime", "createdFrom", "createdTo"),
    ("lastUpdated", "lastUpdatedFrom", "lastUpdatedTo"),
)


def _heartbeat(request: web.Request) -> bool:
    return "X-Cumulocity-Application-Key" not in request.headers


def _criteria(
    state: TenantState,
    params: dict[str, str],
    *,
    multi: tuple[str, ...] = (),
    single: tuple[str, ...] = ("type",),
    fragment: bool = True,
) -> Criteria:
    equals: list[tuple[str, frozenset[str]]] = []
    sources = source_ids(state, params)
    if sources is not None:
        equals.append(("source.id", sources))
    for name in single:
        if params.get(name):
            equals.append((name, frozenset({params[name]})))
    for name in multi:
        values = csv_values(params, name)
        if values is not None:
            equals.append((name, values))
    return Criteria(
        equals=tuple(equals),
        fragment_type=(params.get("fragmentType") or None) if fragment else None,
        windows=windows(params, TIME_WINDOWS),
    )


# -- measurements --------------------------------------------------------------------------------------
@routes.post("/measurement/measurements")
async def post_measurements(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    body = await read_json(request)
    base = render.base_url(request)
    if isinstance(body, dict) and isinstance(body.get("measurements"), list):
        created = create_measurements(
            state, principal_of(request), body["measurements"], heartbeat=_heartbeat(request)
        )
        document: dict[str, Any] = {"measurements": [render.measurement(base, m) for m in created]}
        return written_response(request, document, "measurementcollection", status=201)
    created = create_measurements(state, principal_of(request), [body], heartbeat=_heartbeat(request))
    single = render.measurement(base, created[0])
    return written_response(request, single, "measurement", status=201, location=single["self"])


@routes.get("/measurement/measurements")
async def list_measurements(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    params = dict(params_of(request))
    found = state.measurements.select(
        _criteria(state, params, fragment=False),
        series=(params.get("valueFragmentType") or None, params.get("valueFragmentSeries") or None),
        revert=boolean(request, "revert"),
    )
    found = visible(state, principal_of(request), "MEASUREMENT", found, "source.id")
    base = render.base_url(request)
    return json_response(
        paged(request, "measurements", found, lambda m: render.measurement(base, m)), "measurementcollection"
    )


@routes.delete("/measurement/measurements")
async def delete_measurements(request: web.Request) -> web.StreamResponse:
    require_business_user(principal_of(request))
    state = service_of(request).state
    state.measurements.delete_matching(_criteria(state, dict(params_of(request))))
    return web.Response(status=204)


@routes.get("/measurement/measurements/series")
async def get_series(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    params = dict(params_of(request))
    missing = [name for name in ("source", "dateFrom", "dateTo") if not params.get(name)]
    if missing:
        raise missing_fields(*missing)
    found = state.measurements.select(
        _criteria(state, params, single=(), fragment=False), revert=boolean(request, "revert")
    )
    wanted = [value for key, value in request.query.items() if key == "series" and value]
    return json_response(measurement_series(found, wanted, params.get("aggregationType") or None), None)


@routes.get("/measurement/measurements/{id}")
async def get_measurement(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    document = state.measurements.get(request.match_info["id"])
    return json_response(render.measurement(render.base_url(request), document), "measurement")


@routes.delete("/measurement/measurements/{id}")
async def delete_measurement(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    document = state.measurements.get(request.match_info["id"])
    state.check_may_write(principal_of(request), document["source"]["id"])
    state.measurements.delete(document["id"])
    return web.Response(status=204)


# -- events --------------------------------------------------------------------------------------------
@routes.post("/event/events")
async def post_event(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    created = create_event(
        state, principal_of(request), await read_json(request), heartbeat=_heartbeat(request)
    )
    document = render.event(render.base_url(request), created)
    return written_response(request, document, "event", status=201, location=document["self"])


@routes.get("/event/events")
async def list_events(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    selected = state.events.select(
        _criteria(state, dict(params_of(request))), revert=boolean(request, "revert")
    )
    found = visible(state, principal_of(request), "EVENT", selected, "source.id")
    base = render.base_url(request)
    return json_response(paged(request, "events", found, lambda e: render.event(base, e)), "eventcollection")


@routes.delete("/event/events")
async def delete_events(request: web.Request) -> web.StreamResponse:
    require_business_user(principal_of(request))
    state = service_of(request).state
    state.events.delete_matching(_criteria(state, dict(params_of(request))))
    return web.Response(status=204)


@routes.get("/event/events/{id}")
async def get_event(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    event = state.events.get(request.match_info["id"])
    check_may_read(state, principal_of(request), "EVENT", str(event["source"]["id"]))
    return json_response(render.event(render.base_url(request), event), "event")


@routes.put("/event/events/{id}")
async def put_event(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    current = state.events.get(request.match_info["id"])
    state.check_may_write(principal_of(request), current["source"]["id"])
    updated = state.events.update(current["id"], await read_json_object(request), now=state.now())
    return written_response(request, render.event(render.base_url(request), updated), "event", status=200)


@routes.delete("/event/events/{id}")
async def delete_event(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    current = state.events.get(request.match_info["id"])
    state.check_may_write(principal_of(request), current["source"]["id"])
    state.events.delete(current["id"])
    files = request.app.get(FILES)
    if files is not None:
        files.remove("events", current["id"])
    return web.Response(status=204)


# -- alarms --------------------------------------------------------------------------------------------
def _alarm_criteria(state: TenantState, params: dict[str, str]) -> Criteria:
    resolved = params.get("resolved")
    if resolved:
        lowered = resolved.lower()
        if lowered not in ("true", "false"):
            raise validation_error(f"resolved must be true or false, not '{resolved}'")
        params = {**params, "status": "CLEARED" if lowered == "true" else "ACTIVE,ACKNOWLEDGED"}
    return _criteria(state, params, multi=("status", "severity", "type"), single=())


@routes.post("/alarm/alarms")
async def post_alarm(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    created = raise_alarm(
        state, principal_of(request), await read_json(request), heartbeat=_heartbeat(request)
    )
    audit(
        state,
        principal_of(request),
        "Alarm",
        "Alarm created",
        f"Alarm {created['type']} raised: {created.get('text', '')}",
        source=created["source"]["id"],
    )
    document = render.alarm(render.base_url(request), state, created)
    return written_response(request, document, "alarm", status=201, location=document["self"])


@routes.get("/alarm/alarms")
async def list_alarms(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    selected = state.alarms.select(
        _alarm_criteria(state, dict(params_of(request))), revert=boolean(request, "revert")
    )
    found = visible(state, principal_of(request), "ALARM", selected, "source.id")
    base = render.base_url(request)
    return json_response(
        paged(request, "alarms", found, lambda a: render.alarm(base, state, a)), "alarmcollection"
    )


@routes.get("/alarm/alarms/count")
async def count_alarms(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    found = state.alarms.select(_alarm_criteria(state, dict(params_of(request))))
    return count_response(request, len(visible(state, principal_of(request), "ALARM", found, "source.id")))


@routes.put("/alarm/alarms")
async def put_alarms(request: web.Request) -> web.StreamResponse:
    require_business_user(principal_of(request))
    state = service_of(request).state
    params = dict(params_of(request))
    if not params:
        raise validation_error("At least one query parameter is needed to update alarms in bulk")
    body = await read_json_object(request)
    status = body.get("status")
    if not isinstance(status, str):
        raise validation_error("Following mandatory fields should be included: status")
    state.alarms.update_matching(_alarm_criteria(state, params), status, now=state.now())
    return web.Response(status=200)


@routes.delete("/alarm/alarms")
async def delete_alarms(request: web.Request) -> web.StreamResponse:
    require_business_user(principal_of(request))
    state = service_of(request).state
    state.alarms.delete_matching(_alarm_criteria(state, dict(params_of(request))))
    return web.Response(status=204)


@routes.get("/alarm/alarms/{id}")
async def get_alarm(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    document = state.alarms.get(request.match_info["id"])
    return json_response(render.alarm(render.base_url(request), state, document), "alarm")


@routes.put("/alarm/alarms/{id}")
async def put_alarm(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    current = state.alarms.get(request.match_info["id"])
    state.check_may_write(principal_of(request), current["source"]["id"])
    updated = state.alarms.update(current["id"], await read_json_object(request), now=state.now())
    changes = [
        {
            "attribute": key,
            "changeType": "REPLACED",
            "previousValue": str(current[key]),
            "newValue": str(updated[key]),
        }
        for key in ("status", "severity", "text")
        if key in current and current.get(key) != updated.get(key)
    ]
    audit(
        state,
        principal_of(request),
        "Alarm",
        "Alarm updated",
        f"Alarm {updated['type']} updated",
        source=updated["source"]["id"],
        changes=changes,
    )
    return written_response(
        request, render.alarm(render.base_url(request), state, updated), "alarm", status=200
    )
