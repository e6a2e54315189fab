"""One publish of a device session -> state changes + what goes back to that session: PURE.

``handle_publish(state, identity, topic, payload, message_id)`` routes by Cumulocity's topic grammar
(``core.c8y_topics``): static SmartREST, JSON via MQTT, the token request ``s/uat`` (answered with
``71,<JWT>`` on ``s/dat`` for certificate sessions). A publish to a downstream or unknown topic is
dropped with an ``s/e`` line saying so. Custom template collections: created and checked on
``s/ut/<xid>``, used on ``s/uc/<xid>[/<child>]`` (``custom_templates``), and on ``s/ud[/<child>]`` (answers on
``s/dd``) for the default collection the client id names (``d:<serial>:<xid>``).

The bootstrap user (``management/devicebootstrap``) may only ask for device credentials: an empty
publish on ``s/ucr`` answers ``70,<tenant>,<username>,<password>`` on ``s/dcr`` once the operator
accepted the device request named by the client id, and nothing before (the request moves to
PENDING_ACCEPTANCE, as a REST poll does).
"""

from __future__ import annotations

from c8ylink.core.c8y_topics import (
    CREDENTIALS_DOWNSTREAM,
    DEFAULT_DOWNSTREAM,
    SMARTREST_ERRORS,
    TOKEN_DOWNSTREAM,
    C8yTopicKind,
    parse_c8y_topic,
)
from c8ylink.core.mqtt.topic import TopicError
from c8ylink.core.smartrest.codec import encode_record
from c8ylink.core.smartrest.messages import device_token, error_record
from c8ylink.tenant.mqtt.auth import CERTIFICATE, DeviceIdentity
from c8ylink.tenant.mqtt.custom_templates import create_collection, handle_custom
from c8ylink.tenant.mqtt.json_api import handle_json
from c8ylink.tenant.mqtt.lines import Outgoing
from c8ylink.tenant.mqtt.smartrest import handle_static
from c8ylink.tenant.state.enrollment import device_credentials
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.tenant import TenantState


def _error(code: int, reference: str, message: str) -> Outgoing:
    return (SMARTREST_ERRORS, encode_record(error_record(code, reference, message)).encode("utf-8"))


def handle_publish(
    state: TenantState, identity: DeviceIdentity, topic_name: str, payload: bytes, message_id: int = 0
) -> list[Outgoing]:
    try:
        topic = parse_c8y_topic(topic_name)
    except TopicError:
        return [_error(41, topic_name, f"Unknown topic {topic_name}: nothing was stored")]
    if not topic.upstream:
        return [_error(41, topic_name, f"{topic_name} is a downstream topic: devices cannot publish to it")]
    if identity.principal.is_bootstrap or topic.kind is C8yTopicKind.CREDENTIALS:
        return _credentials(state, identity, topic.kind)
    if topic.kind is C8yTopicKind.STATIC:
        return handle_static(state, identity, topic.child, payload)
    if topic.kind is C8yTopicKind.JSON:
        return handle_json(state, identity, topic, payload, message_id)
    if topic.kind is C8yTopicKind.TOKEN:
        return _token(state, identity)
    if topic.kind is C8yTopicKind.TEMPLATES and topic.template is not None:
        return create_collection(state, identity, topic.template, payload)
    if topic.kind is C8yTopicKind.CUSTOM and topic.template is not None:
        return handle_custom(state, identity, topic.template, topic.child, payload)
    if topic.kind is C8yTopicKind.DEFAULT and identity.template_xid:
        # s/ud[/<child>]: the collection named in the client id, answers on s/dd
        xid = identity.template_xid
        return handle_custom(state, identity, xid, topic.child, payload, downstream=DEFAULT_DOWNSTREAM)
    if topic.kind is C8yTopicKind.DEFAULT:
        return [
            _error(41, topic_name, "No default template collection: the client id names none (d:<id>:<xid>)")
        ]
    return [_error(41, topic_name, f"{topic_name}: SmartREST 1.0 is not emulated")]


def _credentials(state: TenantState, identity: DeviceIdentity, kind: C8yTopicKind) -> list[Outgoing]:
    if kind is not C8yTopicKind.CREDENTIALS:
        return [_error(41, "s/ucr", "The bootstrap user may only request device credentials on s/ucr")]
    if not identity.principal.is_bootstrap:
        return [_error(41, "s/ucr", "Device credentials are requested with the bootstrap user")]
    try:
        issued = device_credentials(state, identity.principal, {"id": identity.serial})
    except TenantApiError:
        return []  # not (yet) accepted: the device asks again
    line = ",".join(("70", issued["tenantId"], issued["username"], issued["password"]))
    return [(CREDENTIALS_DOWNSTREAM, line.encode("utf-8"))]


def _token(state: TenantState, identity: DeviceIdentity) -> list[Outgoing]:
    if identity.method != CERTIFICATE:
        return [_error(41, "s/uat", "Device tokens are issued to certificate-authenticated sessions only")]
    issued = state.tokens.issue_device_token(identity.username, now=state.now())
    return [(TOKEN_DOWNSTREAM, encode_record(device_token(issued.token)).encode("utf-8"))]
