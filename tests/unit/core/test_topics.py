"""thin-edge topic scheme (tedge.md §6.1): topics <-> (entity, channel), external ids, SmartREST topics."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.mqtt.topic import TopicError, topic_level_problem
from c8ylink.core.topics import (
    Alarm,
    AlarmMetadata,
    Channel,
    Command,
    CommandMetadata,
    EntityMetadata,
    EntityTopicId,
    Event,
    EventMetadata,
    Health,
    Measurement,
    MeasurementMetadata,
    Twin,
    derive_external_id,
    parse_topic,
    topic_for,
    validate_external_id,
    validate_topic_root,
)

MAIN = EntityTopicId.main_device()
CHILD = EntityTopicId.child_device("child01")
SERVICE = EntityTopicId.service("nodered")

TOPICS: list[tuple[str, EntityTopicId, Channel]] = [
    ("te/device/main//", MAIN, EntityMetadata()),
    ("te/device/main///m/environment", MAIN, Measurement("environment")),
    ("te/device/main///m/", MAIN, Measurement("")),
    ("te/device/main///m/environment/meta", MAIN, MeasurementMetadata("environment")),
    ("te/device/child01///e/login", CHILD, Event("login")),
    ("te/device/child01///e/login/meta", CHILD, EventMetadata("login")),
    ("te/device/main/service/nodered/a/temp_high", SERVICE, Alarm("temp_high")),
    ("te/device/main/service/nodered/a/temp_high/meta", SERVICE, AlarmMetadata("temp_high")),
    ("te/device/main///twin/c8y_Hardware", MAIN, Twin("c8y_Hardware")),
    ("te/device/main/service/nodered/status/health", SERVICE, Health()),
    ("te/device/main///cmd/restart", MAIN, CommandMetadata("restart")),
    ("te/device/main///cmd/restart/c8y-mapper-123", MAIN, Command("restart", "c8y-mapper-123")),
    ("te/custom///", EntityTopicId("custom///"), EntityMetadata()),
]


@pytest.mark.parametrize(("topic", "entity", "channel"), TOPICS, ids=[t[0] for t in TOPICS])
def test_topics_parse_to_entity_and_channel_and_back(
    topic: str, entity: EntityTopicId, channel: Channel
) -> None:
    assert parse_topic("te", topic) == (entity, channel)
    assert topic_for("te", entity, channel) == topic


BAD_TOPICS = [
    ("other root", "tedge/device/main///m/x", "is not under 'te/'"),
    ("too few segments", "te/device/main", "has no entity topic id"),
    ("unknown channel", "te/device/main///x/y", "unknown channel 'x/y'"),
    ("measurement without type segment", "te/device/main///m", "unknown channel 'm'"),
    ("too deep", "te/device/main///m/a/b", "unknown channel 'm/a/b'"),
    ("twin without fragment", "te/device/main///twin/", "unknown channel 'twin/'"),
    ("command with empty id", "te/device/main///cmd/restart/", "unknown channel"),
    ("health typo", "te/device/main///status/healthy", "unknown channel"),
    ("empty first segment", "te//main//", "the first segment is empty"),
]


@pytest.mark.parametrize(("topic", "message"), [c[1:] for c in BAD_TOPICS], ids=[c[0] for c in BAD_TOPICS])
def test_unknown_topics_are_refused(topic: str, message: str) -> None:
    with pytest.raises(TopicError, match=message):
        parse_topic("te", topic)


def test_default_scheme_names() -> None:
    assert CHILD.default_device_name() == "child01"
    assert SERVICE.default_service_name() == "nodered"
    assert SERVICE.default_service_parent() == MAIN
    assert EntityTopicId.service("collectd", "child01").default_service_parent() == CHILD
    assert EntityTopicId("custom/child1//").in_default_scheme() is False
    assert CHILD.default_service_name() is None


def test_entity_topic_id_has_four_segments_and_no_wildcards() -> None:
    for bad in ("device/main/", "device/main///", "device/+//", "device/#//"):
        with pytest.raises(TopicError):
            EntityTopicId(bad)


EXTERNAL_IDS = [
    ("main device", MAIN, "dev1"),
    ("child", CHILD, "dev1:device:child01"),
    ("service of main", SERVICE, "dev1:device:main:service:nodered"),
    ("service of child", EntityTopicId.service("nodered", "child01"), "dev1:device:child01:service:nodered"),
    ("custom scheme", EntityTopicId("custom///"), "dev1:custom"),
]


@pytest.mark.parametrize(("entity", "xid"), [c[1:] for c in EXTERNAL_IDS], ids=[c[0] for c in EXTERNAL_IDS])
def test_external_ids_are_derived_as_upstream(entity: EntityTopicId, xid: str) -> None:
    assert derive_external_id(entity, "dev1", MAIN) == xid


@pytest.mark.parametrize("bad", ["a/b", "a+b", "a#b", "a\0b", "", "a\nb", "a\x01", "\x7f", "\x9eo", "\ufffe"])
def test_external_ids_usable_in_topics_only(bad: str) -> None:
    with pytest.raises(TopicError, match="Invalid external ID"):
        validate_external_id(bad)
    assert validate_external_id("dev1:device:child01") == "dev1:device:child01"


# what can stand in a topic level: no separators, wildcards, NUL, control characters or non-characters
segment = st.text(st.characters(codec="utf-8", exclude_characters="/+#\0"), max_size=8).filter(
    lambda text: not text or topic_level_problem(text) is None
)
name = segment.filter(bool)
entities = st.tuples(name, segment, segment, segment).map(lambda s: EntityTopicId("/".join(s)))
channels = st.one_of(
    st.just(EntityMetadata()),
    st.just(Health()),
    st.builds(Measurement, segment),
    st.builds(MeasurementMetadata, segment),
    st.builds(Event, segment),
    st.builds(EventMetadata, segment),
    st.builds(Alarm, segment),
    st.builds(AlarmMetadata, segment),
    st.builds(Twin, name),
    st.builds(Command, name, name),
    st.builds(CommandMetadata, name),
)


@given(entity=entities, channel=channels)
def test_parse_topic_inverts_topic_for(entity: EntityTopicId, channel: Channel) -> None:
    assert parse_topic("te", topic_for("te", entity, channel)) == (entity, channel)


@pytest.mark.parametrize("root", ["", "te/#", "+", "a/+/b"])
def test_topic_roots_without_wildcards_only(root: str) -> None:
    with pytest.raises(TopicError, match="cannot be a topic root"):
        validate_topic_root(root)
    assert validate_topic_root("te/x") == "te/x"
