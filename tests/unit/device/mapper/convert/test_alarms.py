"""te/<entity>/a/<type> -> SmartREST 301-306 or JSON; retained-clear semantics (tedge.md §6.5)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from c8ylink.device.mapper.convert.alarms import finish_alarm_sync
from c8ylink.device.mapper.state import MapperState

if TYPE_CHECKING:
    from conftest import Mapper

NOW_TEXT = "2026-01-01T12:00:00.000Z"
TOPIC = "te/device/main///a/temp_high"
SHADOW = "c8y-internal/alarms/te/device/main///a/temp_high"

SEVERITIES = [("critical", "301"), ("major", "302"), ("minor", "303"), ("warning", "304"), ("MAJOR", "302"),
              ("unknown", "303"), (None, "303")]  # fmt: skip


@pytest.mark.parametrize(("severity", "template"), SEVERITIES, ids=[str(s) for s, _ in SEVERITIES])
def test_severity_selects_the_template(mapper: Mapper, severity: str | None, template: str) -> None:
    payload = {"text": "Temperature high"} | ({} if severity is None else {"severity": severity})
    out = mapper.send(TOPIC, payload, retain=True)
    assert (out[0].topic, out[0].text) == ("c8y/s/us", f"{template},temp_high,Temperature high,{NOW_TEXT}")


def test_defaults_and_child_topic(mapper: Mapper) -> None:
    mapper.send("te/device/child01//", {"@type": "child-device"})
    out = mapper.texts("te/device/child01///a/", {})
    assert out[0] == ("c8y/s/us/dev1:device:child01", f"303,ThinEdgeAlarm,ThinEdgeAlarm,{NOW_TEXT}")


def test_custom_fragments_go_as_json_with_upper_case_severity(mapper: Mapper) -> None:
    mapper.send("te/device/child01//", {"@type": "child-device"})
    out = mapper.send("te/device/child01///a/pressure", {"severity": "major", "text": "high", "message": "x"})
    assert out[0].topic == "c8y/alarm/alarms/create"
    assert json.loads(out[0].payload) == {
        "type": "pressure", "severity": "MAJOR", "text": "high", "time": NOW_TEXT, "message": "x",
        "externalSource": {"externalId": "dev1:device:child01", "type": "c8y_Serial"},
    }  # fmt: skip


def test_empty_retained_payload_clears(mapper: Mapper) -> None:
    mapper.send(TOPIC, {"severity": "major"}, retain=True)
    out = mapper.send(TOPIC, b"", retain=True)
    assert [(m.topic, m.text, m.retain) for m in out] == [
        ("c8y/s/us", "306,temp_high", False),
        (SHADOW, "", True),
    ]


def test_each_alarm_keeps_a_retained_copy(mapper: Mapper) -> None:
    out = mapper.send(TOPIC, '{"severity":"major"}', retain=True)
    assert (out[-1].topic, out[-1].text, out[-1].retain) == (SHADOW, '{"severity":"major"}', True)


def test_redelivered_alarm_is_not_raised_twice(mapper: Mapper) -> None:
    assert mapper.send(TOPIC, '{"severity":"major"}', retain=True)
    assert mapper.send(TOPIC, '{"severity":"major"}', retain=True) == []
    assert mapper.send(TOPIC, '{"severity":"critical"}', retain=True)[0].text.startswith("301,")


def test_after_restart_alarms_cleared_meanwhile_are_cleared_in_the_cloud(mapper: Mapper) -> None:
    # before the restart: two alarms raised
    mapper.send(TOPIC, '{"severity":"major"}', retain=True)
    mapper.send("te/device/main///a/door", '{"severity":"minor"}', retain=True)
    shadows = [m for m in mapper.published if m.topic.startswith("c8y-internal/")]
    # restart: fresh state; the broker re-delivers the copies and the one alarm still active
    mapper.state = MapperState.create(mapper.config)
    for shadow in shadows:
        assert mapper.send(shadow.topic, shadow.payload, retain=True) == []
    assert mapper.send(TOPIC, '{"severity":"major"}', retain=True) == []  # unchanged: not raised again
    out = finish_alarm_sync(mapper.state, mapper.config)
    assert [(m.topic, m.text) for m in out] == [
        ("c8y-internal/alarms/te/device/main///a/door", ""),
        ("c8y/s/us", "306,door"),
    ]
    assert finish_alarm_sync(mapper.state, mapper.config) == []


def test_a_live_alarm_seen_before_its_copy_wins(mapper: Mapper) -> None:
    assert mapper.send(TOPIC, '{"severity":"critical"}', retain=True)
    assert mapper.send(SHADOW, '{"severity":"major"}', retain=True) == []
    assert mapper.send(TOPIC, '{"severity":"critical"}', retain=True) == []
    assert finish_alarm_sync(mapper.state, mapper.config) == []


def test_bad_alarm_is_reported(mapper: Mapper) -> None:
    (error,) = mapper.send(TOPIC, "{oops", retain=True)
    assert json.loads(error.payload)["error"] == "invalid-json"
