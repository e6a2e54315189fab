"""The entity store: defaults, hierarchy, pending and deregistration, auto-registration, early buffer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from c8ylink.core.topics import EntityTopicId
from c8ylink.device.mapper.entities import (
    Buffered,
    EntityKind,
    EntityStore,
    Registration,
    parse_registration,
)
from c8ylink.device.mapper.errors import ConversionError, ErrorKind
from c8ylink.device.mapper.message import Message

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 1, 1, 12, 5, tzinfo=UTC)

MAIN = EntityTopicId.main_device()
CHILD = EntityTopicId.child_device("child01")
NESTED = EntityTopicId.child_device("nested")
SERVICE = EntityTopicId.service("nodered")


def store() -> EntityStore:
    return EntityStore(MAIN, "dev1")


def child(topic_id: EntityTopicId = CHILD, **kw: object) -> Registration:
    return Registration(topic_id, EntityKind.CHILD_DEVICE, **kw)  # type: ignore[arg-type]


def test_main_device_is_known_from_the_start() -> None:
    entities = store()
    assert entities.main.external_id == "dev1"
    assert entities.by_external_id("dev1") == entities.main
    assert entities.main.health == EntityTopicId.service("tedge-agent")


def test_child_defaults_follow_thin_edge() -> None:
    entities = store()
    (entity,) = entities.register(child()).entities
    assert (entity.external_id, entity.name, entity.type, entity.parent) == (
        "dev1:device:child01", "dev1:device:child01", "thin-edge.io-child", MAIN
    )  # fmt: skip
    assert entity.health == EntityTopicId.service("tedge-agent", "child01")
    assert entities.by_external_id("dev1:device:child01") == entity


def test_service_defaults_follow_thin_edge() -> None:
    entities = store()
    (entity,) = entities.register(Registration(SERVICE, EntityKind.SERVICE)).entities
    assert (entity.external_id, entity.name, entity.type, entity.parent) == (
        "dev1:device:main:service:nodered", "nodered", "service", MAIN
    )  # fmt: skip


def test_explicit_id_and_names_win() -> None:
    entities = store()
    (entity,) = entities.register(child(external_id="child01", name="Child", type="Hub")).entities
    assert (entity.external_id, entity.name, entity.type) == ("child01", "Child", "Hub")


def test_nested_child_waits_for_its_parent() -> None:
    entities = store()
    assert entities.register(child(NESTED, parent=CHILD)).entities == ()
    assert entities.get(NESTED) is None
    registered = entities.register(child()).entities
    assert [e.topic_id for e in registered] == [CHILD, NESTED]
    assert entities.get(NESTED).parent == CHILD  # type: ignore[union-attr]


def test_identical_registration_changes_nothing() -> None:
    entities = store()
    entities.register(child())
    assert entities.register(child()).entities == ()
    assert len(entities.register(child(name="renamed")).entities) == 1


def test_external_id_collision_is_refused() -> None:
    entities = store()
    entities.register(child(external_id="same"))
    with pytest.raises(ConversionError, match="already used by device/child01//") as caught:
        entities.register(child(NESTED, external_id="same"))
    assert caught.value.kind is ErrorKind.INVALID_REGISTRATION


def test_service_cannot_be_a_parent() -> None:
    entities = store()
    entities.register(Registration(SERVICE, EntityKind.SERVICE))
    with pytest.raises(ConversionError, match="is a service"):
        entities.register(child(parent=SERVICE))


def test_self_parent_is_refused_and_a_bad_waiting_child_does_not_block_its_parent() -> None:
    entities = store()
    with pytest.raises(ConversionError, match="cannot be its own parent"):
        entities.register(child(parent=CHILD))
    entities.register(child(NESTED, parent=SERVICE))  # waits for a parent that turns out to be a service
    (service,) = entities.register(Registration(SERVICE, EntityKind.SERVICE)).entities
    assert service.topic_id == SERVICE
    assert entities.get(NESTED) is None


def test_deregistration_removes_descendants_but_never_the_main_device() -> None:
    entities = store()
    entities.register(child())
    entities.register(child(NESTED, parent=CHILD))
    entities.register(Registration(EntityTopicId.service("app", "nested"), EntityKind.SERVICE))
    removed = entities.deregister(CHILD)
    assert {e.topic_id.value for e in removed} == {
        "device/child01//",
        "device/nested//",
        "device/nested/service/app",
    }
    assert entities.by_external_id("dev1:device:nested") is None
    assert entities.deregister(MAIN) == []
    assert entities.get(MAIN) is not None


def test_auto_registration_only_in_the_default_scheme() -> None:
    entities = store()
    regs = entities.auto_registrations(EntityTopicId.service("app", "child01"))
    assert [(r.topic_id.value, r.kind) for r in regs] == [
        ("device/child01//", EntityKind.CHILD_DEVICE),
        ("device/child01/service/app", EntityKind.SERVICE),
    ]
    assert entities.auto_registrations(EntityTopicId("custom/x//")) == []
    assert entities.auto_registrations(MAIN) == []


def test_early_messages_are_buffered_oldest_dropped_first() -> None:
    entities = EntityStore(MAIN, "dev1", buffer_size=2)
    custom = EntityTopicId("custom///")
    first, second, third = (Message.of(f"te/custom////m/{n}", "{}") for n in "abc")
    assert entities.buffer(custom, first, NOW) is None
    assert entities.buffer(custom, second, NOW) is None
    assert entities.buffer(custom, third, LATER) == first
    registered = entities.register(child(custom))
    assert registered.replay == (Buffered(second, NOW), Buffered(third, LATER))
    assert entities.take_buffered(custom) == []


REGISTRATIONS = [
    ("unknown type", {"@type": "gateway"}, "'@type' must be one of device, child-device, service"),
    ("missing type", {"name": "x"}, "'@type' must be one of"),
    ("name not a string", {"@type": "child-device", "name": 3}, "'name' must be a string"),
    ("bad @id", {"@type": "child-device", "@id": "a/b"}, "contains invalid character: /"),
    ("@id with a newline", {"@type": "child-device", "@id": "a\nb"}, "control character \\(U\\+000A\\)"),
    ("@id with 0x01", {"@type": "child-device", "@id": "a\x01b"}, "control character \\(U\\+0001\\)"),
    ("@id with DEL", {"@type": "child-device", "@id": "a\x7f"}, "control character \\(U\\+007F\\)"),
    ("@id with C1", {"@type": "child-device", "@id": "\x9eo"}, "control character \\(U\\+009E\\)"),
    ("@parent with 0x01", {"@type": "child-device", "@parent": "device/\x01//"}, "U\\+0001"),
    ("bad @parent", {"@type": "child-device", "@parent": "device/x"}, "expected 4 segments"),
]


@pytest.mark.parametrize(
    ("payload", "message"), [c[1:] for c in REGISTRATIONS], ids=[c[0] for c in REGISTRATIONS]
)
def test_malformed_registrations_are_refused(payload: dict[str, object], message: str) -> None:
    with pytest.raises(ConversionError, match=message):
        parse_registration(CHILD, payload)


def test_other_keys_become_fragments() -> None:
    registration = parse_registration(
        CHILD, {"@type": "child-device", "@unknown": 1, "c8y_Hardware": {"model": "x"}}
    )
    assert registration.fragments == {"c8y_Hardware": {"model": "x"}}
