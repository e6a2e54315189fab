"""Bad ``te/`` messages to the mapper (in-process, through ``convert``): bad JSON, huge payloads, deep
nesting, wrong types, bad topic ids. Each becomes at most one ``te/errors`` message naming the topic,
never an exception, and nothing is published towards Cumulocity for it.

(Topic ids with control characters are the MQTT side's work, issue 16; not here yet.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

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
