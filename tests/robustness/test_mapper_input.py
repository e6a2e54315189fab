"""Bad ``te/`` messages to the mapper (in-process, through ``convert``): bad JSON, huge payloads, deep
nesting, wrong types, bad topic ids. Each becomes at most one ``te/errors`` message naming the topic,
never an exception, and nothing is published towards Cumulocity for it.

Ids that cannot stand in an MQTT topic (control characters, DEL, C1 controls, non-characters, ``/``,
``+``, ``#``) in a registration's ``@id`` or ``@parent``, or in the topic id itself, are refused the same
way: one error, no topic towards Cumulocity that mosquitto would refuse as a malformed packet (the same
with a real broker: tests/e2e/mapper/test_bad_ids.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from c8ylink.core.mqtt.topic import topic_name_problem
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.converter import convert
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.state import MapperState

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
DEEP = b'{"a":' * 5000 + b"1" + b"}" * 5000

PAYLOADS: dict[str, bytes] = {
    "not JSON": b"temperature=21",
    "truncated": b'{"temperature": ',
    "NaN": b'{"temperature": NaN}',
    "Infinity": b'{"temperature": Infinity}',
    "1e999": b'{"temperature": 1e999}',
    "deep nesting": DEEP,
    "deep arrays": b"[" * 100_000 + b"]" * 100_000,
    "array": b"[1, 2]",
    "string": b'"x"',
    "null": b"null",
    "number": b"5",
    "invalid UTF-8": b'{"t": "\xff"}',
    "NUL": b'{"t\x00": 1}',
    "huge": b'{"a": "' + b"x" * 70_000 + b'"}',
    "time is a list": b'{"time": [1], "t": 1}',
    "time out of range": b'{"time": "99999-01-01T00:00:00Z", "t": 1}',
    "time is a huge number": b'{"time": 1e300, "t": 1}',
    "text is an object": b'{"text": {"a": 1}}',
    "severity unknown": b'{"severity": "apocalyptic", "text": "x"}',
    "@type list": b'{"@type": ["child-device"]}',
    "@id number": b'{"@type": "child-device", "@id": 5}',
    "@parent object": b'{"@type": "child-device", "@parent": {"a": 1}}',
}
CHANNELS = [
    "te/device/main///m/env",
    "te/device/main///e/login",
    "te/device/main///a/temperature_high",
    "te/device/child1//",
    "te/device/main///twin/x",
]
CASES = [
    (f"{channel} {name}", channel, payload) for channel in CHANNELS for name, payload in PAYLOADS.items()
]

BAD_TOPICS = [
    "te",
    "te/",
    "te/device",
    "te/device/main///m",
    "te/device/main///unknown/x",
    "te/+/main///m/env",
    "te/device/#",
    "te/device/main///m/a/b/c",
    "te//////",
    "te/device/main///m/" + "x" * 70_000,
]


def _convert(topic: str, payload: bytes) -> list[Message]:
    config = MapperConfig(device_id="dev1")
    return convert(Message.of(topic, payload), MapperState.create(config), NOW, config)


def _checked(topic: str, out: list[Message]) -> None:
    errors = [message for message in out if message.topic == "te/errors"]
    assert len(errors) <= 1
    for error in errors:
        body = json.loads(error.payload)
        assert body["topic"] == topic and body["error"]


@pytest.mark.parametrize(("topic", "payload"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_payload_is_at_most_one_error(topic: str, payload: bytes) -> None:
    out = _convert(topic, payload)
    _checked(topic, out)
    if any(message.topic == "te/errors" for message in out):
        assert all(not message.topic.startswith(("c8y/", "s/")) for message in out)


@pytest.mark.parametrize("topic", BAD_TOPICS, ids=[t[:40] for t in BAD_TOPICS])
def test_a_bad_topic_is_at_most_one_error(topic: str) -> None:
    _checked(topic, _convert(topic, b'{"temperature": 1}'))


BAD_IDS = {
    "newline": "child\nx",
    "CR": "child\rx",
    "0x01": "child\x01x",
    "tab": "child\tx",
    "DEL": "child\x7fx",
    "C1 0x9e": "\x9eo",
    "C1 0x80": "child\x80",
    "U+FFFE": "child\ufffe",
    "U+FDD0": "child\ufdd0",
    "U+10FFFF": "child\U0010ffff",
    "slash": "a/b",
    "plus": "a+b",
    "hash": "a#b",
    "NUL": "a\0b",
    "empty": "",
}


def _cloud_topics(out: list[Message]) -> list[str]:
    return [message.topic for message in out if message.topic.startswith("c8y/")]


@pytest.mark.parametrize("bad", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_an_id_that_cannot_be_a_topic_level_is_refused(bad: str) -> None:
    config = MapperConfig(device_id="dev1")
    state = MapperState.create(config)
    registration = json.dumps({"@type": "child-device", "@id": bad}).encode()
    refused = convert(Message.of("te/device/child1//", registration), state, NOW, config)
    _checked("te/device/child1//", refused)
    assert [message.topic for message in refused] == ["te/errors"]
    for topic in ("te/device/child1///m/env", "te/device/child1///e/x", "te/device/child1///twin/x"):
        out = convert(Message.of(topic, b'{"t": 1, "text": "x"}'), state, NOW, config)
        _checked(topic, out)
        assert all(topic_name_problem(name) is None for name in _cloud_topics(out))
        assert all(message.topic != "te/errors" for message in out)  # auto-registered under its own id


@pytest.mark.parametrize("bad", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_a_parent_that_cannot_be_a_topic_id_is_refused(bad: str) -> None:
    registration = json.dumps({"@type": "child-device", "@parent": f"device/{bad}//"}).encode()
    out = _convert("te/device/child1//", registration)
    _checked("te/device/child1//", out)
    assert all(topic_name_problem(name) is None for name in _cloud_topics(out))


@pytest.mark.parametrize("bad", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_a_topic_id_with_such_characters_is_refused(bad: str) -> None:
    topic = f"te/device/{bad}///m/env"
    out = _convert(topic, b'{"t": 1}')
    _checked(topic, out)
    assert all(topic_name_problem(name) is None for name in _cloud_topics(out))
