"""SmartREST 2.0 custom template collections on the tenant's MQTT endpoint (§2.6): PURE.

A collection lives where Cumulocity keeps it, so one created over REST (a ``c8y_SmartRest2Template``
managed object with the external id ``c8y_SmartRest2DeviceIdentifier``/``<xid>``) serves MQTT and one
created over MQTT shows in the inventory:

- ``create_collection`` (``s/ut/<xid>``): an empty publish asks whether it exists (``20,<xid>,<id>``
  or ``41,<xid>`` on ``s/dt``); otherwise the publish holds the whole collection (``10``/``11``
  lines, see ``core.smartrest.custom``). An existing collection is never changed over MQTT.
- ``handle_custom`` (``s/uc/<xid>[/<child>]``): every line is applied to its request template: POST
  creates a measurement, event, alarm or managed object, PUT updates an alarm (by type: ACTIVE,
  then ACKNOWLEDGED), an operation (by fragment: EXECUTING, then PENDING) or a managed object, GET
  reads a managed object. Templates with ``response`` answer on ``s/dc/<xid>`` with the lines of the
  collection's response templates over the result.
- ``operation_lines``: an operation for the device, read through the response templates of each
  collection the session subscribed to (``s/dc/<xid>``), each line led by the target's external id.

Errors go to ``s/e``: ``41,<xid>,...`` when the collection does not exist or is broken, ``41,<line>,...``
for a bad definition, ``42`` malformed line, ``43`` unknown message id, ``45`` wrong field count or
value, ``41,<msgId>,...`` a request that cannot be applied. Devices reach only their own objects
(``check_may_write``), as with the static templates.
"""

from __future__ import annotations

from typing import Any

from c8ylink.core.c8y_topics import SMARTREST_ERRORS, TEMPLATES_DOWNSTREAM, custom_downstream
from c8ylink.core.errors import SmartRestError
from c8ylink.core.smartrest.codec import decode_record, encode_record, split_records
from c8ylink.core.smartrest.custom import (
    EXISTS,
    NOT_FOUND,
    TEMPLATE_FRAGMENT,
    TEMPLATE_ID_TYPE,
    TEMPLATE_TYPE,
    Request,
    TemplateCollection,
    TemplateDefinitionError,
    apply_request,
    from_fragment,
    parse_collection,
    response_records,
    to_fragment,
)
from c8ylink.core.smartrest.messages import error_record
from c8ylink.tenant.mqtt.auth import DeviceIdentity
from c8ylink.tenant.mqtt.devices import DeviceMessageError, addressed_object, check_writable, serial_of
from c8ylink.tenant.mqtt.lines import Outgoing
from c8ylink.tenant.state.devicecontrol import update_operation
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.filters import Criteria
from c8ylink.tenant.state.telemetry import create_event, create_measurements, raise_alarm
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.times import format_time

Document = dict[str, Any]


def _error(code: int | str, reference: str, message: str) -> Outgoing:
    return (SMARTREST_ERRORS, encode_record(error_record(int(code), reference, message)).encode("utf-8"))


def collection_object(state: TenantState, xid: str) -> Document | None:
    """The managed object holding collection ``xid``, if it exists."""
    bound = state.identity.find(TEMPLATE_ID_TYPE, xid)
    return state.inventory.find(bound.object_id) if bound is not None else None


def load_collection(state: TenantState, xid: str) -> TemplateCollection:
    """Collection ``xid``; ``TemplateDefinitionError`` (41) when it is missing or broken."""
    document = collection_object(state, xid)
    if document is None:
        raise TemplateDefinitionError(xid, f"Template collection {xid} not found")
    try:
        return from_fragment(document.get(TEMPLATE_FRAGMENT))
    except TemplateDefinitionError as exc:
        raise TemplateDefinitionError(xid, f"Template collection {xid} is broken: {exc.reason}") from None


def create_collection(
    state: TenantState, identity: DeviceIdentity, xid: str, payload: bytes
) -> list[Outgoing]:
    existing = collection_object(state, xid)
    if not payload.strip():
        line = f"{EXISTS},{xid},{existing['id']}" if existing is not None else f"{NOT_FOUND},{xid}"
        return [(TEMPLATES_DOWNSTREAM, line.encode("utf-8"))]
    if existing is not None:
        return [_error(41, xid, "Cannot create templates for already existing template object")]
    try:
        lines = [
            (number, decode_record(text, line=number)) for number, text in split_records(payload) if text
        ]
        collection = parse_collection(lines)
    except SmartRestError as exc:
        return [_error(*_record_of(exc))]
    body = {
        "name": xid,
        "type": TEMPLATE_TYPE,
        "__externalId": xid,
        TEMPLATE_FRAGMENT: to_fragment(collection),
    }
    document = state.inventory.create(body, owner=identity.username, now=state.now())
    state.identity.add(document["id"], TEMPLATE_ID_TYPE, xid)
    return []


def _record_of(exc: SmartRestError) -> tuple[str, str, str]:
    to_record = getattr(exc, "to_record", None)
    return to_record() if callable(to_record) else ("41", "", exc.message)


def handle_custom(
    state: TenantState,
    identity: DeviceIdentity,
    xid: str,
    child: str | None,
    payload: bytes,
    *,
    downstream: str | None = None,
) -> list[Outgoing]:
    """The lines of one ``s/uc/<xid>`` publish; responses on ``downstream`` (default ``s/dc/<xid>``)."""
    try:
        collection = load_collection(state, xid)
        lines = split_records(payload)
    except SmartRestError as exc:
        return [_error(*_record_of(exc))]
    replies: list[Outgoing] = []
    for number, text in lines:
        if not text.strip():
            replies.append(_error(42, str(number), "Empty line (one SmartREST message per line)"))
            continue
        try:
            record = decode_record(text, line=number)
            template = collection.request(record[0])
            if template is None:
                replies.append(_error(43, record[0], f"No template {record[0]} in collection {xid}"))
                continue
            request = apply_request(template, record[1:])
        except SmartRestError as exc:
            replies.append(_error(*_record_of(exc)))
            continue
        try:
            result = _perform(state, identity, child, request)
        except DeviceMessageError as exc:
            replies.append(_error(exc.code, request.template.msg_id, exc.message))
            continue
        except TenantApiError as exc:
            replies.append(_error(41, request.template.msg_id, exc.message))
            continue
        if template.response:
            topic = downstream or custom_downstream(xid)
            replies.extend(
                (topic, encode_record(r).encode("utf-8")) for r in response_records(collection, result)
            )
    return replies


def _perform(state: TenantState, identity: DeviceIdentity, child: str | None, request: Request) -> Document:
    template, body, principal = request.template, request.body, identity.principal
    api, method = template.api, template.method
    if api == "INVENTORY":
        return _inventory(state, identity, request)
    target = addressed_object(state, identity, child)
    if method == "POST":
        document = {"source": {"id": target}, **body}
        document.setdefault("time", format_time(state.now()))
        if api == "MEASUREMENT":
            return create_measurements(state, principal, [document])[0]
        if api == "EVENT":
            return create_event(state, principal, document)
        return raise_alarm(state, principal, document)
    if api == "ALARM":
        alarm_type = str(body.pop("type", ""))
        alarm = state.alarms.open_alarm(target, alarm_type)
        if alarm is None:
            raise DeviceMessageError(41, f"No active alarm of type {alarm_type}")
        return state.alarms.update(alarm["id"], body, now=state.now())
    fragment = str(body.pop("fragment", ""))
    operation = _operation(state, target, fragment)
    return update_operation(state, principal, operation["id"], body)


def _operation(state: TenantState, target: str, fragment: str) -> Document:
    for status in ("EXECUTING", "PENDING"):
        criteria = Criteria(
            equals=(("deviceId", frozenset({target})), ("status", frozenset({status}))),
            fragment_type=fragment,
        )
        found = state.operations.select(criteria)
        if found:
            return found[0]
    raise DeviceMessageError(41, f"No EXECUTING or PENDING operation with fragment {fragment}")


def _inventory(state: TenantState, identity: DeviceIdentity, request: Request) -> Document:
    template, body = request.template, request.body
    if template.method == "POST":
        document = state.inventory.create(body, owner=identity.username, now=state.now())
        if request.id_type and request.object_ref:
            state.identity.add(document["id"], request.id_type, request.object_ref)
        return document
    if request.id_type:
        bound = state.identity.find(request.id_type, request.object_ref)
        object_id = bound.object_id if bound is not None else None
    else:
        object_id = request.object_ref
    if object_id is None or object_id not in state.inventory:
        raise DeviceMessageError(
            41, f"No managed object for {request.id_type or 'id'} '{request.object_ref}'"
        )
    check_writable(state, identity, object_id)
    if template.method == "PUT":
        return state.inventory.update(object_id, body, now=state.now())
    return state.inventory.get(object_id)


def operation_lines(
    state: TenantState, operation: Document, subscribed: list[tuple[str, str]]
) -> list[Outgoing]:
    """An operation through the response templates of the collections in ``subscribed``
    (``(xid, topic)``: ``s/dc/<xid>``, or ``s/dd`` for the default collection of the client id)."""
    target = serial_of(state, str(operation.get("deviceId")))
    lines: list[Outgoing] = []
    for xid, topic in subscribed:
        try:
            collection = load_collection(state, xid)
        except TemplateDefinitionError:
            continue
        lines.extend(
            (topic, encode_record(r).encode("utf-8"))
            for r in response_records(collection, operation, target=target)
        )
    return lines
