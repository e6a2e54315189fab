"""The mapper's converters (``device.mapper.converter.convert``, documented never to raise for bad
input): any topic below one of its channels with any payload gives messages, each on a topic a
broker accepts. A crash is an exception, or an outgoing topic mosquitto would refuse."""

from __future__ import annotations

from datetime import UTC, datetime

import harness

with harness.instrumented():
    from c8ylink.core.mqtt.topic import topic_name_problem
    from c8ylink.device.mapper.config import MapperConfig
    from c8ylink.device.mapper.converter import convert
    from c8ylink.device.mapper.message import Message
    from c8ylink.device.mapper.state import MapperState

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
CONFIG = MapperConfig(device_id="dev1")
# the first input byte picks a channel prefix; the input up to the first NUL completes the topic
PREFIXES = [
    "te/device/main///m/",
    "te/device/main///e/",
    "te/device/main///a/",
    "te/device/main///twin/",
    "te/device/main///cmd/",
    "te/device/main/service/",
    "te/device/",
    "te/",
    "c8y/devicecontrol/notifications",
    "c8y/s/ds",
    "c8y-internal/alarms/",
    "te/device/main///status/health",
]
SEEDS = [
    b'\x00env\x00{"temperature": 21.5, "time": "2026-01-01T00:00:00Z"}',
    b'\x01login\x00{"text": "hi"}',
    b'\x02high\x00{"severity": "major", "text": "x"}',
    b'\x03x\x00[1, {"a": null}]',
    b'\x04restart/1\x00{"status": "init"}',
    b'\x06child1//\x00{"@type": "child-device", "name": "c"}',
    b'\x08\x00{"id": "1", "c8y_Restart": {}, "externalSource": {"externalId": "dev1"}}',
    b"\x09\x00510,dev1\n528,dev1,nginx,1.0,,install",
]


def one_input(data: bytes) -> None:
    if not data:
        return
    prefix = PREFIXES[data[0] % len(PREFIXES)]
    rest = data[1:]
    suffix, _, payload = rest.partition(b"\x00")
    topic = prefix + suffix.decode("utf-8", "replace")
    state = MapperState.create(CONFIG)
    for message in convert(Message.of(topic, payload), state, NOW, CONFIG):
        problem = topic_name_problem(message.topic)
        if problem is not None:
            raise AssertionError(f"the mapper built topic {message.topic!r}: {problem}")


if __name__ == "__main__":
    harness.main(one_input, SEEDS)
