"""Cumulocity's MQTT topics (cumulocity-api.md §1.5, §1.8), declared once for the tenant's endpoint, the
device's bridge and the mapper.

The topics are constants (``SMARTREST_UPSTREAM``, ``MEASUREMENT_CREATE``, ...) and builders
(``smartrest_upstream(child)``, ``inventory_update(xid)``, ...); ``BRIDGED_TOPICS`` (+ ``TOKEN_TOPICS``,
``SMARTREST1_TOPICS`` and the per-template ones) is what thin-edge's bridge forwards, in its order.

``parse_c8y_topic`` classifies a topic of the platform's MQTT endpoint (SmartREST static, custom,
default, templates, credentials, token, SmartREST 1.0, JSON via MQTT, operations, errors) as upstream
(the device publishes) or downstream (the device subscribes): ``<mode>/<direction><type>[/<xid>][/<child>]``
for SmartREST, ``[t|q|c/]<api>/<resource>/<action>[/<id>]`` for JSON. ``subscription_allowed``
applies the rule that a device may subscribe only to downstream topics (§1.2).

Topic names here are the cloud's; thin-edge's local bridge prefixes them with ``c8y/`` (§1.10). The
builders that put an identifier into a topic (an external id, a template X-Id) check it first:
``TopicError`` for one that cannot be a topic level (empty, ``/``, ``+``, ``#``, NUL, control
characters, non-characters), so no caller can build a topic that mosquitto refuses as malformed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from c8ylink.core.mqtt.topic import TopicError, topic_filter_problem, topic_level_problem, topic_name_problem

MODES = ("s", "t", "q", "c")  # persistent, transient, quiescent, CEP
# JSON via MQTT: <api>/<resource>/<action>[/<id>]
MEASUREMENTS, EVENTS = "measurement/measurements", "event/events"
ALARMS, MANAGED_OBJECTS = "alarm/alarms", "inventory/managedObjects"
MEASUREMENT_CREATE = f"{MEASUREMENTS}/create"
MEASUREMENT_CREATE_BULK = f"{MEASUREMENTS}/createBulk"
EVENT_CREATE = f"{EVENTS}/create"
EVENT_CREATE_BULK = f"{EVENTS}/createBulk"
ALARM_CREATE = f"{ALARMS}/create"
ALARM_CREATE_BULK = f"{ALARMS}/createBulk"
INVENTORY_UPDATE = f"{MANAGED_OBJECTS}/update"  # /<external id>
DEVICECONTROL_NOTIFICATIONS = "devicecontrol/notifications"
JSON_ERRORS = "error"
SMARTREST_UPSTREAM = "s/us"
SMARTREST_DOWNSTREAM = "s/ds"
SMARTREST_ERRORS = "s/e"
TOKEN_REQUEST = "s/uat"
TOKEN_DOWNSTREAM = "s/dat"
CREDENTIALS_REQUEST = "s/ucr"
CREDENTIALS_DOWNSTREAM = "s/dcr"
TEMPLATES_DOWNSTREAM = "s/dt"
DEFAULT_DOWNSTREAM = "s/dd"  # responses of the default collection (X-Id from the client id)
SMARTREST1_DOWNSTREAM = "s/dl"


# -------------------------------------------------------------------------------------------- builders


def topic_level(identifier: str, what: str = "external id") -> str:
    """``identifier`` if it can be one level of a topic name; ``TopicError`` saying why not otherwise."""
    problem = topic_level_problem(identifier)
    if problem is not None:
        raise TopicError(f"Cannot build a topic for {what} {ascii(identifier)[:200]}: {problem}")
    return identifier


def smartrest_topic(code: str, *parts: str, mode: str = "s") -> str:
    """``<mode>/<code>[/<part>...]``: ``smartrest_topic("us", "child1")`` is ``s/us/child1``."""
    return "/".join((mode, code, *(topic_level(part, "topic level") for part in parts)))


def smartrest_upstream(child: str | None = None) -> str:
    """``s/us`` for the device itself, ``s/us/<child xid>`` for a descendant."""
    return SMARTREST_UPSTREAM if child is None else f"{SMARTREST_UPSTREAM}/{topic_level(child)}"


def custom_upstream(template: str) -> str:
    """``s/uc/<template collection X-Id>``."""
    return smartrest_topic("uc", topic_level(template, "template"))


def custom_downstream(template: str) -> str:
    """``s/dc/<template collection X-Id>``."""
    return smartrest_topic("dc", topic_level(template, "template"))


def inventory_update(external_id: str) -> str:
    """``inventory/managedObjects/update/<external id>`` (JSON via MQTT)."""
    return f"{INVENTORY_UPDATE}/{topic_level(external_id)}"


def subtree(topic: str) -> str:
    """The filter of ``topic`` and everything below it: ``<topic>/#``."""
    return f"{topic}/#"


# -------------------------------------------------------------------------------------------- bridged


@dataclass(frozen=True, slots=True)
class BridgedTopic:
    """A topic filter a device's bridge forwards: upstream (to the cloud) or downstream, at ``qos``."""

    pattern: str
    upstream: bool
    qos: int = 1


# what thin-edge's bridge forwards, in its order (tedge.md §4.1)
BRIDGED_TOPICS: tuple[BridgedTopic, ...] = (
    BridgedTopic(TEMPLATES_DOWNSTREAM, upstream=False),
    BridgedTopic(subtree(smartrest_topic("ut")), upstream=True),
    *(BridgedTopic(subtree(smartrest_topic("us", mode=mode)), upstream=True) for mode in MODES),
    BridgedTopic(SMARTREST_DOWNSTREAM, upstream=False),
    BridgedTopic(SMARTREST_ERRORS, upstream=False, qos=0),
    *(BridgedTopic(subtree(smartrest_topic("uc", mode=mode)), upstream=True) for mode in MODES),
    BridgedTopic(subtree(smartrest_topic("dc")), upstream=False),
    BridgedTopic(subtree(INVENTORY_UPDATE), upstream=True),
    *(
        BridgedTopic(topic, upstream=True)
        for topic in (
            MEASUREMENT_CREATE,
            MEASUREMENT_CREATE_BULK,
            EVENT_CREATE,
            EVENT_CREATE_BULK,
            ALARM_CREATE,
            ALARM_CREATE_BULK,
        )
    ),
    BridgedTopic(DEVICECONTROL_NOTIFICATIONS, upstream=False),
    BridgedTopic(JSON_ERRORS, upstream=False),
)
# only with certificate authentication: the JWT request and its answer
TOKEN_TOPICS = (BridgedTopic(TOKEN_REQUEST, upstream=True, qos=0), BridgedTopic(TOKEN_DOWNSTREAM, False, 0))
# only when SmartREST 1.0 templates are registered (c8y.smartrest1.templates)
SMARTREST1_TOPICS: tuple[BridgedTopic, ...] = (
    *(BridgedTopic(subtree(smartrest_topic("ul", mode=mode)), upstream=True) for mode in MODES),
    BridgedTopic(SMARTREST1_DOWNSTREAM, upstream=False),
)


def custom_template_topics(template: str) -> tuple[BridgedTopic, BridgedTopic]:
    """What the bridge forwards for a SmartREST 2.0 template collection (c8y.smartrest.templates)."""
    return BridgedTopic(custom_upstream(template), True), BridgedTopic(custom_downstream(template), False)


def smartrest1_template_topics(template: str) -> tuple[BridgedTopic, ...]:
    """What the bridge forwards for a SmartREST 1.0 template (c8y.smartrest1.templates)."""
    return (
        BridgedTopic(smartrest_topic("ul", template), upstream=True),
        BridgedTopic(smartrest_topic("dl", template), upstream=False),
        BridgedTopic(smartrest_topic("ol", template), upstream=False),
    )


class C8yTopicKind(enum.Enum):
    STATIC = "static"  # s/us[/<child>], s/ds
    CUSTOM = "custom"  # s/uc/<xid>[/<child>], s/dc/<xid>
    DEFAULT = "default"  # s/ud[/<child>], s/dd (X-Id from the client id)
    TEMPLATES = "templates"  # s/ut/<xid>, s/dt
    CREDENTIALS = "credentials"  # s/ucr, s/dcr
    TOKEN = "token"  # s/uat, s/dat
    ERRORS = "errors"  # s/e
    LEGACY = "legacy"  # SmartREST 1.0: s/ul[/<xid>], s/dl[/<xid>], s/ol/<xid>
    JSON = "json"  # <api>/<resource>/<action>[/<id>]
    OPERATIONS = "operations"  # devicecontrol/notifications
    JSON_ERRORS = "json-errors"  # error


@dataclass(frozen=True, slots=True)
class C8yTopic:
    """A topic of Cumulocity's MQTT endpoint, classified (cumulocity-api.md §1.5, §1.8)."""

    kind: C8yTopicKind
    upstream: bool  # True: the device publishes; False: the device subscribes
    mode: str | None = None  # s/t/q/c for SmartREST and prefixed JSON
    child: str | None = None  # descendant external id (s/us/<child>)
    template: str | None = None  # SmartREST collection X-Id (s/uc/<xid>, s/ut/<xid>)
    resource: str | None = None  # JSON: "measurement/measurements"
    action: str | None = None  # JSON: create|createBulk|update|delete
    resource_id: str | None = None  # JSON: update/<id>, delete/<id>


# (api/resource) -> actions that may carry an id, actions without id
_JSON_ACTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    EVENTS: (frozenset({"update", "delete"}), frozenset({"create", "createBulk"})),
    ALARMS: (frozenset({"update"}), frozenset({"create", "createBulk"})),
    MEASUREMENTS: (frozenset({"delete"}), frozenset({"create", "createBulk"})),
    MANAGED_OBJECTS: (frozenset({"update"}), frozenset({"create"})),
}

# second SmartREST segment -> (kind, upstream, extra segments allowed: min, max)
_SMARTREST: dict[str, tuple[C8yTopicKind, bool, int, int]] = {
    "us": (C8yTopicKind.STATIC, True, 0, 1),
    "ds": (C8yTopicKind.STATIC, False, 0, 0),
    "uc": (C8yTopicKind.CUSTOM, True, 1, 2),
    "dc": (C8yTopicKind.CUSTOM, False, 1, 1),
    "ud": (C8yTopicKind.DEFAULT, True, 0, 1),
    "dd": (C8yTopicKind.DEFAULT, False, 0, 0),
    "ut": (C8yTopicKind.TEMPLATES, True, 1, 1),
    "dt": (C8yTopicKind.TEMPLATES, False, 0, 0),
    "ucr": (C8yTopicKind.CREDENTIALS, True, 0, 0),
    "dcr": (C8yTopicKind.CREDENTIALS, False, 0, 0),
    "uat": (C8yTopicKind.TOKEN, True, 0, 0),
    "dat": (C8yTopicKind.TOKEN, False, 0, 0),
    "e": (C8yTopicKind.ERRORS, False, 0, 0),
    "ul": (C8yTopicKind.LEGACY, True, 0, 1),
    "dl": (C8yTopicKind.LEGACY, False, 0, 1),
    "ol": (C8yTopicKind.LEGACY, False, 1, 1),
}


def parse_c8y_topic(topic: str) -> C8yTopic:
    """Classify a concrete topic (no wildcards); ``TopicError`` for a topic the endpoint does not serve."""
    problem = topic_name_problem(topic)
    if problem is not None:
        raise TopicError(f"Topic '{topic}' is not a topic name: {problem}")
    if topic == DEVICECONTROL_NOTIFICATIONS:
        return C8yTopic(C8yTopicKind.OPERATIONS, upstream=False)
    if topic == JSON_ERRORS:
        return C8yTopic(C8yTopicKind.JSON_ERRORS, upstream=False)
    segments = topic.split("/")
    if segments[0] in MODES and len(segments) >= 2 and segments[1] in _SMARTREST:
        return _parse_smartrest(topic, segments)
    mode = segments[0] if segments[0] in ("t", "q", "c") else None
    parsed = _parse_json(segments[1:] if mode else segments, mode)
    if parsed is None:
        raise TopicError(f"Topic '{topic}' is not a Cumulocity MQTT topic")
    return parsed


def _parse_smartrest(topic: str, segments: list[str]) -> C8yTopic:
    mode, code, extra = segments[0], segments[1], segments[2:]
    kind, upstream, least, most = _SMARTREST[code]
    if not least <= len(extra) <= most or any(not part for part in extra):
        raise TopicError(f"Topic '{topic}' has the wrong number of segments for '{mode}/{code}'")
    template = extra[0] if least else None
    child = extra[least] if len(extra) > least else None
    if kind is C8yTopicKind.LEGACY and code in ("ul", "dl"):
        template, child = (extra[0] if extra else None), None
    return C8yTopic(kind, upstream, mode=mode, child=child, template=template)


def _parse_json(segments: list[str], mode: str | None) -> C8yTopic | None:
    if len(segments) not in (3, 4):
        return None
    resource, action = "/".join(segments[:2]), segments[2]
    actions = _JSON_ACTIONS.get(resource)
    if actions is None:
        return None
    with_id, without_id = actions
    resource_id = segments[3] if len(segments) == 4 else None
    if resource_id is None and action not in without_id | with_id:
        return None
    if resource_id is not None and (action not in with_id or not resource_id):
        return None
    return C8yTopic(
        C8yTopicKind.JSON, True, mode=mode, resource=resource, action=action, resource_id=resource_id
    )


def is_upstream_topic(topic: str) -> bool:
    """Whether a device may publish to ``topic`` (False for downstream and unknown topics)."""
    try:
        return parse_c8y_topic(topic).upstream
    except TopicError:
        return False


def subscription_allowed(topic_filter: str) -> bool:
    """Whether a device may subscribe to ``topic_filter``: every topic it can match must be downstream.

    A filter with wildcards is allowed only when its literal part fixes a downstream family, e.g.
    ``s/dc/#`` (what the thin-edge bridge subscribes); ``#``, ``s/#`` or ``+/ds`` are refused.
    """
    segments = topic_filter.split("/")
    wildcard = next((index for index, part in enumerate(segments) if part in ("+", "#")), None)
    if wildcard is None:
        try:
            return not parse_c8y_topic(topic_filter).upstream
        except TopicError:
            return False
    if topic_filter_problem(topic_filter) is not None:
        return False
    literal = segments[:wildcard]
    if len(literal) < 2 or literal[0] not in MODES or literal[1] not in _SMARTREST:
        return False
    _, upstream, _, _ = _SMARTREST[literal[1]]
    return not upstream
