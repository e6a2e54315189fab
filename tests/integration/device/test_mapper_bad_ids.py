"""Ids that cannot stand in an MQTT topic, against a real mosquitto (issue 16).

A child registered with an ``@id`` holding a newline, a control character, DEL, a C1 control or a
Unicode non-character used to make the mapper publish to ``c8y/s/us/<id>``: mosquitto refuses such a
topic as a malformed packet and drops the connection, so the mapper reconnected again and again and
lost conversions. Now the registration is refused (one ``te/errors`` message), nothing is published for
it, the mapper keeps its one connection, and later messages (for that child too) still convert.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

DEVICE_ID = "dev1"  # what device_config sets
MEASUREMENTS = "c8y/measurement/measurements/create"
MAPPER_CLIENT = "as tedge-mapper-c8y"  # mosquitto's "New client connected from ... as <id>"

BAD_IDS = {
    "newline": "child\nx",
    "carriage return": "child\rx",
    "0x01": "child\x01x",
    "DEL": "child\x7fx",
    "C1 0x9e": "\x9eo",
    "C1 0x85": "child\x85",
    "U+FFFE": "child\ufffe",
    "U+FDD0": "\ufdd0",
    "plus": "a+b",
    "hash": "a#",
    "slash": "a/b",
}


def test_ids_mosquitto_would_refuse_are_refused_and_the_mapper_stays_connected(
    mosquitto: Any,
    device_config: Callable[..., Path],
    start_mapper: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:
    mapper = start_mapper(device_config(mosquitto), mosquitto)
    with probe(mosquitto) as watch:
        for index, bad in enumerate(BAD_IDS.values()):
            topic = f"te/device/bad{index}//"
            watch.publish(topic, {"@type": "child-device", "@id": bad, "name": f"bad {index}"}, retain=True)
            error = watch.error_for(topic)
            assert error["error"] == "invalid-registration", error
            # the child's data still converts: auto-registered under its derived id
            watch.publish(f"te/device/bad{index}///m/env", {"n": index})
            body = watch.expect_json(MEASUREMENTS, lambda v, n=index: v.get("n") == {"n": {"value": n}})
            assert body["externalSource"]["externalId"] == f"{DEVICE_ID}:device:bad{index}"
        for index in range(len(BAD_IDS)):  # a parent that is no topic id
            topic = f"te/device/orphan{index}//"
            parent = f"device/{list(BAD_IDS.values())[index]}//"
            watch.publish(topic, {"@type": "child-device", "@parent": parent})
            watch.error_for(topic)
        watch.publish("te/device/main///m/after", {"ok": 1})
        watch.expect_json(MEASUREMENTS, lambda v: v["type"] == "after")
        sent = [message.topic for message in watch.seen if message.topic.startswith("c8y/")]
        assert all(not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in topic) for topic in sent), sent
    assert mapper.process.poll() is None
    log = mosquitto.log.read_text(errors="replace")
    assert "malformed" not in log.lower(), log[-2000:]
    assert log.count(MAPPER_CLIENT) == 1, f"the mapper reconnected:\n{log[-2000:]}"
    assert "Traceback" not in mapper.output
