"""Retention rules (``/retention/retentions``, applied by the tenant's sweep), bulk operations
(``/devicecontrol/bulkoperations``: one operation per device of a group, created from ``startDate``
one every ``creationRamp`` seconds: ``tenant.state.housekeeping``) and Notification 2.0
subscriptions and tokens (``/notification2``; the WebSocket consumer is ``rest.notification2``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from c8ylink.tenant.rest import render
from c8ylink.tenant.rest.keys import principal_of, service_of
from c8ylink.tenant.rest.media import json_response, read_json_object, written_response
from c8ylink.tenant.rest.params import paged, params_of
from c8ylink.tenant.state.access import require_business_user, require_tenant_admin
from c8ylink.tenant.state.audit import audit
from c8ylink.tenant.state.errors import conflict, missing_fields, validation_error
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.housekeeping import PENDING, release_bulk_operations
from c8ylink.tenant.state.operations import validate_operation
from c8ylink.tenant.state.records import Document
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.times import normalize_time

routes = web.RouteTableDef()


def _reader(request: web.Request) -> TenantState:
    require_business_user(principal_of(request))
    return service_of(request).state


def _admin(request: web.Request) -> TenantState:
    require_tenant_admin(principal_of(request))
    return service_of(request).state


# -- retention rules ---------------------------------------------------------------------------------------
RETENTIONS = "/retention/retentions"
DATA_TYPES = ("ALARM", "AUDIT", "BULK_OPERATION", "EVENT", "MEASUREMENT", "OPERATION", "*")


def _retention_fields(body: dict[str, Any], current: Document | None) -> Document:
    rule: Document = dict(current or {"dataType": "*", "fragmentType": "*", "type": "*", "source": "*"})
    for key in ("dataType", "fragmentType", "type", "source"):
        if key in body:
            if not isinstance(body[key], str) or not body[key]:
                raise validation_error(f"{key} must be a non-empty string")
            rule[key] = body[key]
    if rule["dataType"] not in DATA_TYPES:
        raise validation_error(f"dataType must be one of {', '.join(DATA_TYPES)}")
    if "maximumAge" in body:
        age = body["maximumAge"]
        if isinstance(age, bool) or not isinstance(age, int) or age < 0:
            raise validation_error("maximumAge must be a number of days")
        rule["maximumAge"] = age
    if "maximumAge" not in rule:
        raise missing_fields("maximumAge")
    rule["editable"] = bool(body.get("editable", rule.get("editable", True)))
    return rule


def _retention(base: str, rule: Document) -> Document:
    return {**rule, "self": f"{base}{RETENTIONS}/{rule['id']}"}


@routes.get(RETENTIONS)
async def list_retentions(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    base = render.base_url(request)
    rules = state.retentions.all()
    return json_response(
        paged(request, "retentionRules", rules, lambda r: _retention(base, r)), "retentionrulecollection"
    )


@routes.post(RETENTIONS)
async def create_retention(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    rule = state.retentions.create(_retention_fields(await read_json_object(request), None))
    document = _retention(render.base_url(request), rule)
    return written_response(request, document, "retentionrule", status=201, location=document["self"])


@routes.get(RETENTIONS + "/{id}")
async def get_retention(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    return json_response(
        _retention(render.base_url(request), state.retentions.get(request.match_info["id"])), "retentionrule"
    )


@routes.put(RETENTIONS + "/{id}")
async def update_retention(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    current = state.retentions.get(request.match_info["id"])
    rule = state.retentions.put(_retention_fields(await read_json_object(request), current))
    return written_response(request, _retention(render.base_url(request), rule), "retentionrule", status=200)


@routes.delete(RETENTIONS + "/{id}")
async def delete_retention(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    state.retentions.delete(request.match_info["id"])
    return web.Response(status=204)


# -- bulk operations ---------------------------------------------------------------------------------------
BULK = "/devicecontrol/bulkoperations"
_FINAL = ("SUCCESSFUL", "FAILED")


def _bulk(base: str, state: TenantState, bulk: Document) -> Document:
    operations = state.operations.select(Criteria(equals=(("bulkOperationId", frozenset({bulk["id"]})),)))
    counts = {
        status: sum(1 for op in operations if op["status"] == status)
        for status in ("PENDING", "EXECUTING", "SUCCESSFUL", "FAILED")
    }
    progress = {
        "pending": counts["PENDING"],
        "executing": counts["EXECUTING"],
        "successful": counts["SUCCESSFUL"],
        "failed": counts["FAILED"],
        "all": len(operations),
    }
    done = counts["SUCCESSFUL"] + counts["FAILED"] == len(operations) and not bulk.get(PENDING)
    if bulk["status"] == "DELETED":
        general = "CANCELED"
    elif done:
        general = "FAILED" if counts["FAILED"] else "SUCCESSFUL"
    else:
        general = "EXECUTING_WITH_ERRORS" if counts["FAILED"] else "EXECUTING"
    status = bulk["status"] if bulk["status"] == "DELETED" else ("COMPLETED" if done else "IN_PROGRESS")
    return {
        **{key: value for key, value in bulk.items() if not key.startswith("_")},
        "status": status,
        "generalStatus": general,
        "progress": progress,
        "self": f"{base}{BULK}/{bulk['id']}",
    }


def _bulk_fields(body: dict[str, Any], current: Document | None) -> Document:
    bulk: Document = dict(current or {})
    if "groupId" in body or "failedParentId" in body:
        if current is not None:
            raise validation_error("groupId and failedParentId cannot be changed")
        for key in ("groupId", "failedParentId"):
            if key in body:
                bulk[key] = str(body[key])
    if "startDate" in body:
        bulk["startDate"] = normalize_time(body["startDate"], "startDate")
    if "creationRamp" in body:
        ramp = body["creationRamp"]
        if isinstance(ramp, bool) or not isinstance(ramp, int | float) or ramp < 0:
            raise validation_error("creationRamp must be a number of seconds")
        bulk["creationRamp"] = ramp
    if "operationPrototype" in body:
        if not isinstance(body["operationPrototype"], dict) or not body["operationPrototype"]:
            raise validation_error("operationPrototype must be an operation")
        bulk["operationPrototype"] = body["operationPrototype"]
    missing = [key for key in ("operationPrototype", "startDate", "creationRamp") if key not in bulk]
    if "groupId" not in bulk and "failedParentId" not in bulk:
        missing.insert(0, "groupId")
    if missing:
        raise missing_fields(*missing)
    return bulk


def _targets(state: TenantState, bulk: Document) -> list[str]:
    if "groupId" in bulk:
        state.inventory.get(bulk["groupId"])
        members = state.inventory.references(bulk["groupId"], "childAssets") + state.inventory.references(
            bulk["groupId"], "childDevices"
        )
        return [m for m in dict.fromkeys(members) if "c8y_IsDevice" in state.inventory.get(m)]
    parent = state.bulk_operations.get(bulk["failedParentId"])
    failed = state.operations.select(
        Criteria(equals=(("bulkOperationId", frozenset({parent["id"]})), ("status", frozenset({"FAILED"}))))
    )
    return [op["deviceId"] for op in failed]


@routes.get(BULK)
async def list_bulk(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    base = render.base_url(request)
    found = state.bulk_operations.all()
    return json_response(
        paged(request, "bulkOperations", found, lambda b: _bulk(base, state, b)), "bulkoperationcollection"
    )


@routes.post(BULK)
async def create_bulk(request: web.Request) -> web.StreamResponse:
    principal = principal_of(request)
    require_business_user(principal)
    state = service_of(request).state
    fields = _bulk_fields(await read_json_object(request), None)
    targets = _targets(state, fields)
    validate_operation({**fields["operationPrototype"], "deviceId": "0"})  # a bad prototype: 422 now
    bulk = state.bulk_operations.create({**fields, "status": "IN_PROGRESS", PENDING: targets})
    release_bulk_operations(state, state.now())  # those due already (a startDate that has passed)
    bulk = state.bulk_operations.get(bulk["id"])
    audit(
        state,
        principal,
        "BulkOperation",
        "Bulk operation created",
        f"Bulk operation for {len(targets)} devices",
        source=bulk["id"],
    )
    document = _bulk(render.base_url(request), state, bulk)
    return written_response(request, document, "bulkoperation", status=201, location=document["self"])


@routes.get(BULK + "/{id}")
async def get_bulk(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    return json_response(
        _bulk(render.base_url(request), state, state.bulk_operations.get(request.match_info["id"])),
        "bulkoperation",
    )


@routes.put(BULK + "/{id}")
async def update_bulk(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    current = state.bulk_operations.get(request.match_info["id"])
    bulk = state.bulk_operations.put(_bulk_fields(await read_json_object(request), current))
    return written_response(
        request, _bulk(render.base_url(request), state, bulk), "bulkoperation", status=200
    )


@routes.delete(BULK + "/{id}")
async def delete_bulk(request: web.Request) -> web.StreamResponse:
    state = _reader(request)
    bulk = state.bulk_operations.get(request.match_info["id"])
    state.bulk_operations.put({**bulk, "status": "DELETED"})
    return web.Response(status=204)


# -- Notification 2.0 --------------------------------------------------------------------------------------
SUBSCRIPTIONS = "/notification2/subscriptions"
CONTEXTS = ("mo", "tenant")
APIS = (
    "alarms",
    "alarmsWithChildren",
    "events",
    "eventsWithChildren",
    "managedobjects",
    "measurements",
    "operations",
    "*",
)


def _subscription(base: str, state: TenantState, entry: Document) -> Document:
    document = {**entry, "self": f"{base}{SUBSCRIPTIONS}/{entry['id']}"}
    if "source" in entry:
        source = {"id": entry["source"]["id"], "self": render.object_url(base, entry["source"]["id"])}
        name = state.source_name(entry["source"]["id"])
        if name is not None:
            source["name"] = name
        document["source"] = source
    return document


def _subscription_fields(state: TenantState, body: dict[str, Any]) -> Document:
    context, name = body.get("context"), body.get("subscription")
    if not isinstance(context, str) or not isinstance(name, str) or not name:
        raise missing_fields("context", "subscription")
    if context not in CONTEXTS:
        raise validation_error(f"context must be one of {', '.join(CONTEXTS)}")
    if not name.isalnum():
        raise validation_error("subscription must consist of letters and digits")
    entry: Document = {
        "context": context,
        "subscription": name,
        "nonPersistent": bool(body.get("nonPersistent", False)),
    }
    if context == "mo":
        source = body.get("source")
        if not isinstance(source, dict) or source.get("id") in (None, ""):
            raise missing_fields("source.id")
        entry["source"] = {"id": str(state.inventory.get(str(source["id"]))["id"])}
    subscription_filter = body.get("subscriptionFilter") or {}
    if not isinstance(subscription_filter, dict):
        raise validation_error("subscriptionFilter must be an object")
    apis = subscription_filter.get("apis", ["*"])
    if not isinstance(apis, list) or any(api not in APIS for api in apis):
        raise validation_error(f"subscriptionFilter.apis must be some of {', '.join(APIS)}")
    entry["subscriptionFilter"] = {**subscription_filter, "apis": apis}
    copied = body.get("fragmentsToCopy")
    if copied is not None:
        if not isinstance(copied, list) or not all(isinstance(f, str) for f in copied):
            raise validation_error("fragmentsToCopy must be a list of fragment names")
        entry["fragmentsToCopy"] = copied
    return entry


def _matching(state: TenantState, params: dict[str, str]) -> list[Document]:
    def matches(entry: Document) -> bool:
        if params.get("context") and entry["context"] != params["context"]:
            return False
        if params.get("source") and entry.get("source", {}).get("id") != params["source"]:
            return False
        return not (params.get("subscription") and entry["subscription"] != params["subscription"])

    return state.notification_subscriptions.select(matches)


@routes.get(SUBSCRIPTIONS)
async def list_subscriptions(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    base = render.base_url(request)
    found = _matching(state, dict(params_of(request)))
    return json_response(
        paged(request, "subscriptions", found, lambda s: _subscription(base, state, s)),
        "subscriptioncollection",
    )


@routes.post(SUBSCRIPTIONS)
async def create_subscription(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    entry = _subscription_fields(state, await read_json_object(request))
    for existing in state.notification_subscriptions.all():
        if (existing["context"], existing["subscription"], existing.get("source")) == (
            entry["context"],
            entry["subscription"],
            entry.get("source"),
        ):
            raise conflict(
                "notification2", f"Subscription {entry['subscription']} exists already for this source"
            )
    created = state.notification_subscriptions.create(entry)
    document = _subscription(render.base_url(request), state, created)
    return written_response(request, document, "subscription", status=201, location=document["self"])


@routes.delete(SUBSCRIPTIONS)
async def delete_subscriptions(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    params = dict(params_of(request))
    if not params.get("context") and not params.get("source"):
        raise missing_fields("context")
    for entry in _matching(state, params):
        state.notification_subscriptions.delete(entry["id"])
    return web.Response(status=204)


@routes.get(SUBSCRIPTIONS + "/{id}")
async def get_subscription(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    entry = state.notification_subscriptions.get(request.match_info["id"])
    return json_response(_subscription(render.base_url(request), state, entry), "subscription")


@routes.delete(SUBSCRIPTIONS + "/{id}")
async def delete_subscription(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    state.notification_subscriptions.delete(request.match_info["id"])
    return web.Response(status=204)


@routes.post("/notification2/token")
async def create_token(request: web.Request) -> web.StreamResponse:
    state = _admin(request)
    body = await read_json_object(request)
    subscriber, subscription = body.get("subscriber"), body.get("subscription")
    if (
        not isinstance(subscriber, str)
        or not subscriber
        or not isinstance(subscription, str)
        or not subscription
    ):
        raise missing_fields("subscriber", "subscription")
    if not any(entry["subscription"] == subscription for entry in state.notification_subscriptions.all()):
        raise validation_error(f"There is no subscription named {subscription}")
    minutes = body.get("expiresInMinutes", 1440)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise validation_error("expiresInMinutes must be a positive number")
    token = state.tokens.issue_notification_token(
        subscriber, subscription, minutes=minutes, shared=bool(body.get("shared", False)), now=state.now()
    )
    return json_response({"token": token}, None)


@routes.post("/notification2/unsubscribe")
async def unsubscribe(request: web.Request) -> web.StreamResponse:
    state = service_of(request).state
    token = request.query.get("token")
    if not token:
        raise missing_fields("token")
    state.tokens.verify_notification_token(token, now=state.now())
    return json_response({"result": "DONE"}, None)
