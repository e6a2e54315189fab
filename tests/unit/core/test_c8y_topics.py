"""Cumulocity's topic grammar and the tenant's subscription rule (cumulocity-api.md §1.2, §1.5, §1.8)."""

from __future__ import annotations

import pytest

from c8ylink.core.c8y_topics import (
    BRIDGED_TOPICS,
    SMARTREST1_TOPICS,
    TOKEN_TOPICS,
    C8yTopic,
    C8yTopicKind,
    custom_downstream,
    custom_template_topics,
    custom_upstream,
    inventory_update,
    is_upstream_topic,
    parse_c8y_topic,
    smartrest1_template_topics,
    smartrest_topic,
    smartrest_upstream,
    subscription_allowed,
    subtree,
)
from c8ylink.core.mqtt.topic import TopicError, TopicFilter

K = C8yTopicKind

TOPICS = [
    ("s/us", C8yTopic(K.STATIC, True, mode="s")),
    ("t/us", C8yTopic(K.STATIC, True, mode="t")),
    ("s/us/child1", C8yTopic(K.STATIC, True, mode="s", child="child1")),
    ("s/ds", C8yTopic(K.STATIC, False, mode="s")),
    ("s/uc/tmpl", C8yTopic(K.CUSTOM, True, mode="s", template="tmpl")),
    ("s/uc/tmpl/child1", C8yTopic(K.CUSTOM, True, mode="s", template="tmpl", child="child1")),
    ("s/dc/tmpl", C8yTopic(K.CUSTOM, False, mode="s", template="tmpl")),
    ("s/ud/child1", C8yTopic(K.DEFAULT, True, mode="s", child="child1")),
    ("s/dd", C8yTopic(K.DEFAULT, False, mode="s")),
    ("s/ut/tmpl", C8yTopic(K.TEMPLATES, True, mode="s", template="tmpl")),
    ("s/dt", C8yTopic(K.TEMPLATES, False, mode="s")),
    ("s/ucr", C8yTopic(K.CREDENTIALS, True, mode="s")),
    ("s/dcr", C8yTopic(K.CREDENTIALS, False, mode="s")),
    ("s/uat", C8yTopic(K.TOKEN, True, mode="s")),
    ("s/dat", C8yTopic(K.TOKEN, False, mode="s")),
    ("s/e", C8yTopic(K.ERRORS, False, mode="s")),
    ("s/ul/sr1", C8yTopic(K.LEGACY, True, mode="s", template="sr1")),
    ("s/ol/sr1", C8yTopic(K.LEGACY, False, mode="s", template="sr1")),
    ("measurement/measurements/create",
     C8yTopic(K.JSON, True, resource="measurement/measurements", action="create")),
    ("t/event/events/createBulk",
     C8yTopic(K.JSON, True, mode="t", resource="event/events", action="createBulk")),
    ("inventory/managedObjects/update/dev1:device:child1",
     C8yTopic(K.JSON, True, resource="inventory/managedObjects", action="update",
              resource_id="dev1:device:child1")),
    ("event/events/delete/42",
     C8yTopic(K.JSON, True, resource="event/events", action="delete", resource_id="42")),
    ("devicecontrol/notifications", C8yTopic(K.OPERATIONS, False)),
    ("error", C8yTopic(K.JSON_ERRORS, False)),
]  # fmt: skip


@pytest.mark.parametrize(("topic", "expected"), TOPICS, ids=[t[0] for t in TOPICS])
def test_topics_are_classified(topic: str, expected: C8yTopic) -> None:
    assert parse_c8y_topic(topic) == expected
    assert is_upstream_topic(topic) is expected.upstream


@pytest.mark.parametrize(
    "topic",
    [
        "x/us",
        "s/us/a/b",
        "s/uc",
        "s/ds/extra",
        "s/us/",
        "measurement/measurements/update",
        "alarm/alarms/delete/1",
        "inventory/managedObjects/update/",
        "c8y/s/us",
        "s/us/+",
    ],
)
def test_other_topics_are_refused(topic: str) -> None:
    with pytest.raises(TopicError):
        parse_c8y_topic(topic)
    assert is_upstream_topic(topic) is False


SUBSCRIPTIONS = [
    ("s/ds", True),
    ("s/e", True),
    ("s/dat", True),
    ("s/dt", True),
    ("s/dc/tmpl", True),
    ("s/dc/#", True),
    ("s/dc/+", True),
    ("devicecontrol/notifications", True),
    ("error", True),
    ("s/us", False),
    ("s/us/#", False),
    ("s/uat", False),
    ("measurement/measurements/create", False),
    ("#", False),
    ("s/#", False),
    ("+/ds", False),
    ("s/d#", False),
    ("s/#/ds", False),
    ("unknown/topic", False),
]


@pytest.mark.parametrize(("topic_filter", "allowed"), SUBSCRIPTIONS, ids=[s[0] for s in SUBSCRIPTIONS])
def test_devices_may_subscribe_to_downstream_topics_only(topic_filter: str, allowed: bool) -> None:
    assert subscription_allowed(topic_filter) is allowed


# -- the topics declared once: builders and what a device's bridge forwards --------------------------------


def test_builders() -> None:
    assert smartrest_upstream() == "s/us"
    assert smartrest_upstream("dev1:device:child01") == "s/us/dev1:device:child01"
    assert (custom_upstream("tpl"), custom_downstream("tpl")) == ("s/uc/tpl", "s/dc/tpl")
    assert inventory_update("dev1") == "inventory/managedObjects/update/dev1"
    assert smartrest_topic("us", mode="t") == "t/us"
    assert subtree("s/dc") == "s/dc/#"


BAD_IDS = ["", "a/b", "+", "a#", "x\0y", "a\nb", "a\x01b", "a\x7fb", "\x9eo", "a\ufffe", "\ud800"]


@pytest.mark.parametrize("bad", BAD_IDS, ids=[ascii(bad) for bad in BAD_IDS])
def test_builders_refuse_an_id_that_cannot_be_a_topic_level(bad: str) -> None:
    for build in (smartrest_upstream, inventory_update, custom_upstream, custom_downstream):
        with pytest.raises(TopicError, match="Cannot build a topic for"):
            build(bad)
    with pytest.raises(TopicError, match="Cannot build a topic for"):
        smartrest_topic("us", bad)


def test_the_refusal_shows_the_id_escaped() -> None:
    with pytest.raises(TopicError) as caught:
        inventory_update("child\nx")
    assert "\n" not in str(caught.value)
    assert "'child\\nx'" in str(caught.value)


def _instance(pattern: str) -> str:
    """A concrete topic the filter matches: ``#`` and ``+`` levels replaced by a name."""
    return "/".join("xid" if level in ("+", "#") else level for level in pattern.split("/"))


def test_every_bridged_topic_is_one_the_endpoint_serves_in_that_direction() -> None:
    topics = [*BRIDGED_TOPICS, *TOKEN_TOPICS, *SMARTREST1_TOPICS]
    topics += [*custom_template_topics("tpl"), *smartrest1_template_topics("tpl")]
    for topic in topics:
        TopicFilter(topic.pattern)  # a valid filter
        assert parse_c8y_topic(_instance(topic.pattern)).upstream is topic.upstream, topic
        if not topic.upstream:
            assert subscription_allowed(topic.pattern), topic
