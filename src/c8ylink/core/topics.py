"""thin-edge's ``te/`` topic scheme as values (tedge.md §6.1), external ids.

thin-edge: ``<root>/<e1>/<e2>/<e3>/<e4>[/<channel>...]``; the four entity segments are an
``EntityTopicId`` (``device/main//``), the rest a ``Channel`` value. ``topic_for(root, entity,
channel)`` builds a topic and ``parse_topic(root, topic)`` is its inverse.

External ids: the main device uses the device id; any other entity ``<main id>:`` followed by its
topic id without trailing slashes, ``/`` -> ``:`` (``dev1:device:child01``), unless it registered an
``@id``. External ids end up in topics (``c8y/s/us/<xid>``, built by ``c8y_topics``), so ``/``, ``+``,
``#``, NUL, control characters and non-characters (what mosquitto refuses in a topic) are refused, in
entity topic ids too.

Cumulocity's own topic grammar lives in ``c8y_topics``.
"""

from __future__ import annotations

from dataclasses import dataclass

from c8ylink.core.mqtt.topic import TopicError, topic_name_problem

FORBIDDEN_EXTERNAL_ID_CHARS = ("/", "+", "#", "\0")
_FORBIDDEN_TOPIC_CHARS = ("+", "#", "\0")


# --------------------------------------------------------------------------------------------- thin-edge


@dataclass(frozen=True, slots=True)
class EntityTopicId:
    """The four entity segments of a thin-edge topic, e.g. ``device/main//``."""

    value: str

    def __post_init__(self) -> None:
        segments = self.value.split("/")
        if len(segments) != 4:
            raise TopicError(
                f"Invalid entity topic id '{self.value}': expected 4 segments, got {len(segments)}"
            )
        if any(char in self.value for char in _FORBIDDEN_TOPIC_CHARS):
            raise TopicError(f"Invalid entity topic id '{self.value}': wildcards and NUL are not allowed")
        problem = topic_name_problem(self.value)
        if problem is not None:
            raise TopicError(f"Invalid entity topic id {self.value!a}: {problem}")
        if not segments[0]:
            raise TopicError(f"Invalid entity topic id '{self.value}': the first segment is empty")

    def __str__(self) -> str:
        return self.value

    @classmethod
    def main_device(cls) -> EntityTopicId:
        return cls("device/main//")

    @classmethod
    def child_device(cls, name: str) -> EntityTopicId:
        """``device/<name>//`` of the default scheme."""
        return cls(f"device/{name}//")

    @classmethod
    def service(cls, name: str, device: str = "main") -> EntityTopicId:
        """``device/<device>/service/<name>`` of the default scheme."""
        return cls(f"device/{device}/service/{name}")

    @property
    def segments(self) -> tuple[str, str, str, str]:
        first, second, third, fourth = self.value.split("/")
        return first, second, third, fourth

    def default_device_name(self) -> str | None:
        """``<name>`` for ``device/<name>//``, None outside the default scheme."""
        kind, name, third, fourth = self.segments
        return name if kind == "device" and name and not third and not fourth else None

    def default_service_name(self) -> str | None:
        """``<name>`` for ``device/<device>/service/<name>``, None otherwise."""
        kind, device, third, name = self.segments
        return name if kind == "device" and device and third == "service" and name else None

    def default_service_parent(self) -> EntityTopicId | None:
        """``device/<device>//`` for a service of the default scheme."""
        if self.default_service_name() is None:
            return None
        return EntityTopicId.child_device(self.segments[1])

    def in_default_scheme(self) -> bool:
        return self.default_device_name() is not None or self.default_service_name() is not None


@dataclass(frozen=True, slots=True)
class EntityMetadata:
    """The registration topic itself (no channel)."""


@dataclass(frozen=True, slots=True)
class Measurement:
    type: str


@dataclass(frozen=True, slots=True)
class MeasurementMetadata:
    type: str


@dataclass(frozen=True, slots=True)
class Event:
    type: str


@dataclass(frozen=True, slots=True)
class EventMetadata:
    type: str


@dataclass(frozen=True, slots=True)
class Alarm:
    type: str


@dataclass(frozen=True, slots=True)
class AlarmMetadata:
    type: str


@dataclass(frozen=True, slots=True)
class Twin:
    fragment: str


@dataclass(frozen=True, slots=True)
class Health:
    """``status/health``."""


@dataclass(frozen=True, slots=True)
class Command:
    operation: str
    command_id: str


@dataclass(frozen=True, slots=True)
class CommandMetadata:
    """``cmd/<operation>``: the entity can run this operation (capability registration)."""

    operation: str


@dataclass(frozen=True, slots=True)
class Signal:
    """``signal/<type>``: a request to the components (``sync``: announce the capabilities again)."""

    type: str


Channel = (
    EntityMetadata
    | Measurement
    | MeasurementMetadata
    | Event
    | EventMetadata
    | Alarm
    | AlarmMetadata
    | Twin
    | Health
    | Command
    | CommandMetadata
    | Signal
)

_KIND_OF = {
    Measurement: "m",
    MeasurementMetadata: "m",
    Event: "e",
    EventMetadata: "e",
    Alarm: "a",
    AlarmMetadata: "a",
}


def channel_segments(channel: Channel) -> tuple[str, ...]:
    """The topic segments after the entity id."""
    match channel:
        case EntityMetadata():
            return ()
        case Measurement(kind_type) | Event(kind_type) | Alarm(kind_type):
            return (_KIND_OF[type(channel)], kind_type)
        case MeasurementMetadata(kind_type) | EventMetadata(kind_type) | AlarmMetadata(kind_type):
            return (_KIND_OF[type(channel)], kind_type, "meta")
        case Twin(fragment):
            return ("twin", fragment)
        case Health():
            return ("status", "health")
        case Command(operation, command_id):
            return ("cmd", operation, command_id)
        case CommandMetadata(operation):
            return ("cmd", operation)
        case Signal(signal_type):
            return ("signal", signal_type)


def topic_for(root: str, entity: EntityTopicId, channel: Channel) -> str:
    """``<root>/<entity>[/<channel>]``."""
    return "/".join((root, entity.value, *channel_segments(channel)))


def parse_topic(root: str, topic: str) -> tuple[EntityTopicId, Channel]:
    """The entity and channel of a ``<root>/...`` topic; ``TopicError`` for anything else."""
    prefix = root + "/"
    if not topic.startswith(prefix):
        raise TopicError(f"Topic '{topic}' is not under '{root}/'")
    segments = topic[len(prefix) :].split("/")
    if len(segments) < 4:
        raise TopicError(f"Topic '{topic}' has no entity topic id (4 segments after '{root}/')")
    entity = EntityTopicId("/".join(segments[:4]))
    return entity, _parse_channel(topic, segments[4:])


def _parse_channel(topic: str, rest: list[str]) -> Channel:
    match rest:
        case []:
            return EntityMetadata()
        case ["m", kind_type]:
            return Measurement(kind_type)
        case ["m", kind_type, "meta"]:
            return MeasurementMetadata(kind_type)
        case ["e", kind_type]:
            return Event(kind_type)
        case ["e", kind_type, "meta"]:
            return EventMetadata(kind_type)
        case ["a", kind_type]:
            return Alarm(kind_type)
        case ["a", kind_type, "meta"]:
            return AlarmMetadata(kind_type)
        case ["twin", fragment] if fragment:
            return Twin(fragment)
        case ["status", "health"]:
            return Health()
        case ["cmd", operation] if operation:
            return CommandMetadata(operation)
        case ["cmd", operation, command_id] if operation and command_id:
            return Command(operation, command_id)
        case ["signal", signal_type] if signal_type:
            return Signal(signal_type)
    raise TopicError(f"Topic '{topic}' has an unknown channel '{'/'.join(rest)}'")


def validate_topic_root(root: str) -> str:
    """``root`` if it can prefix topics (``te``): not empty, no wildcards; ``TopicError`` otherwise."""
    if topic_name_problem(root) is not None:
        raise TopicError(f"'{root}' cannot be a topic root: give a topic without '+' or '#', e.g. te")
    return root


def validate_external_id(external_id: str) -> str:
    """``external_id`` if it can be used in a topic; ``TopicError`` naming the bad character otherwise."""
    if not external_id:
        raise TopicError("Invalid external ID: it is empty")
    for char in FORBIDDEN_EXTERNAL_ID_CHARS:
        if char in external_id:
            shown = "NUL" if char == "\0" else char
            raise TopicError(f"Invalid external ID: {external_id} contains invalid character: {shown}")
    problem = topic_name_problem(external_id)
    if problem is not None:
        raise TopicError(f"Invalid external ID: {ascii(external_id)[:200]}: {problem}")
    return external_id


def derive_external_id(entity: EntityTopicId, main_device_id: str, main_device: EntityTopicId) -> str:
    """The external id thin-edge derives for an entity without ``@id`` (validated)."""
    if entity == main_device:
        return validate_external_id(main_device_id)
    return validate_external_id(f"{main_device_id}:" + entity.value.rstrip("/").replace("/", ":"))
