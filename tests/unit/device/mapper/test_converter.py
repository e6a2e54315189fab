"""The dispatcher: bad input of every kind becomes one te/errors message; properties over any input."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from c8ylink.core.mqtt.topic import topic_level_problem
from c8ylink.core.smartrest.codec import THIN_EDGE_STYLE, decode_records
from c8ylink.core.smartrest.templates import Direction
from c8ylink.core.smartrest.validation import validate_line
from c8ylink.device.mapper.message import Message

if TYPE_CHECKING:
    from conftest import Mapper, MapperFactory

ERROR_KEYS = {"error", "message", "topic", "time"}

# the bad inputs of issue 9, each with the error kind it must produce
BAD_INPUT = [
    ("non-JSON payload", "te/device/main///m/env", b"temperature=21", "invalid-json"),
    ("non-UTF-8 payload", "te/device/main///e/x", b'{"text": "\xff"}', "invalid-json"),
    ("JSON of the wrong shape", "te/device/main///a/x", b'["major"]', "invalid-payload"),
    ("non-numeric measurement", "te/device/main///m/env", b'{"temperature": "hot"}', "invalid-payload"),
    ("boolean measurement", "te/device/main///m/env", b'{"on": true}', "invalid-payload"),
    ("huge payload", "te/device/main///m/env", b'{"a": 1, "pad": "' + b"x" * 16200 + b'"}',
     "payload-too-large"),
    ("unknown channel", "te/device/main///metrics/env", b"{}", "invalid-topic"),
    ("too few topic segments", "te/device/main", b"{}", "invalid-topic"),
    ("invalid timestamp", "te/device/main///e/x", b'{"time": "2021-02-30T00:00:00Z"}', "invalid-timestamp"),
    ("operation for an unknown child", "c8y/devicecontrol/notifications",
     b'{"id": "9", "c8y_Restart": {}, "externalSource": {"externalId": "dev1:device:nobody"}}',
     "unknown-entity"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("topic", "payload", "kind"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_becomes_an_error_naming_the_topic(
    mapper: Mapper, topic: str, payload: bytes, kind: str
) -> None:
    out = mapper.send(topic, payload)
    errors = [m for m in out if m.topic == "te/errors"]
    assert len(errors) == 1
    body = json.loads(errors[0].payload)
    assert set(body) == ERROR_KEYS
    assert (body["error"], body["topic"]) == (kind, topic)
    assert (errors[0].qos, errors[0].retain) == (1, False)


def test_converted_message_over_the_limit_becomes_an_error(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(max_payload_size=300)
    payload = {f"m{i}": i for i in range(20)}  # small input, bigger output
    assert len(json.dumps(payload)) < 300
    (error,) = mapper.send("te/device/main///m/env", payload)
    body = json.loads(error.payload)
    assert (body["error"], body["topic"]) == ("payload-too-large", "te/device/main///m/env")


def test_unrelated_topics_and_own_errors_are_ignored(mapper: Mapper) -> None:
    assert mapper.send("te/errors", '{"error": "x"}') == []
    assert mapper.send("other/topic", "x") == []
    assert mapper.send("c8y/s/e", "41,100,Device already existing") == []


# --------------------------------------------------------------------------------------------- properties

entities = st.sampled_from(
    [
        "device/main//",
        "device/child01//",
        "device/main/service/app",
        "device/child01/service/app",
        "custom///",
    ]
)
CHANNELS = "|/m/env|/m/|/m/env/meta|/e/login|/a/temp|/twin/x|/status/health|/cmd/restart|/cmd/software_update"
CHANNELS += "|/cmd/log_upload|/cmd/restart/c8y-mapper-1|/cmd/software_update/c8y-mapper-2"
CHANNELS += "|/cmd/software_list/c8y-mapper-3"
channels = st.sampled_from(CHANNELS.split("|"))
segments = st.sampled_from(["device", "main", "child01", "service", "", "m", "e", "a", "twin", "cmd", "x"])
te_topics = st.one_of(
    st.builds(lambda entity, channel: f"te/{entity}{channel}", entities, channels),
    st.lists(segments, min_size=1, max_size=8).map(lambda parts: "te/" + "/".join(parts)),
)
cloud_topics = st.sampled_from(
    ["c8y/devicecontrol/notifications", "c8y/s/ds", "c8y-internal/alarms/te/device/main///a/x"]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
# objects with the keys the converters look at
interesting = st.fixed_dictionaries(
    {},
    optional={
        "time": st.sampled_from(["2026-01-01T00:00:00Z", "bad", 1.5]),
        "status": st.sampled_from(["up", "executing", "successful", "failed"]),
        "text": st.text(max_size=8),
        "severity": st.text(max_size=6),
        "temperature": st.floats(allow_nan=False, allow_infinity=False),
        "@type": st.sampled_from(["child-device", "service", "device"]),
        "id": st.text(max_size=3),
        "c8y_Restart": st.just({}),
    },
)
payloads = st.one_of(
    st.binary(max_size=40),
    json_values.map(lambda v: json.dumps(v).encode()),
    interesting.map(lambda v: json.dumps(v).encode()),
)


def _assert_well_formed(out: list[Message], limit: int) -> None:
    for message in out:
        if message.topic == "te/errors":
            assert set(json.loads(message.payload)) == ERROR_KEYS
        elif message.topic.startswith("c8y/"):
            assert len(message.payload) <= limit
            if message.topic.startswith("c8y/s/us"):
                for record in decode_records(message.payload, THIN_EDGE_STYLE):
                    validate_line(record, Direction.UPSTREAM)
            else:
                json.loads(message.payload)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(st.tuples(st.one_of(te_topics, cloud_topics), payloads), min_size=1, max_size=6))
def test_any_input_gives_well_formed_output_and_never_raises(
    make_mapper: MapperFactory, batch: list[tuple[str, bytes]]
) -> None:
    mapper = make_mapper(max_payload_size=2000)
    for topic, payload in batch:
        _assert_well_formed(mapper.send(topic, payload), 2000)


# what can stand in a topic level (mosquitto refuses control characters and non-characters)
names = st.text(st.characters(codec="utf-8", exclude_characters="/+#\0"), min_size=1, max_size=12).filter(
    lambda name: name != "main" and topic_level_problem(name) is None
)
texts = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=names, text=texts, severity=st.sampled_from(["critical", "major", "minor", "warning"]), child=names
)
def test_smartrest_output_decodes_to_what_was_sent(
    make_mapper: MapperFactory, kind: str, text: str, severity: str, child: str
) -> None:
    mapper = make_mapper()
    mapper.send(f"te/device/{child}//", {"@type": "child-device", "name": text or "x"})
    (alarm, _) = mapper.send(f"te/device/{child}///a/{kind}", {"severity": severity, "text": text})
    ((_, alarm_type, alarm_text, _),) = decode_records(alarm.payload, THIN_EDGE_STYLE)
    assert (alarm_type, alarm_text) == (kind, text or kind)
    assert alarm.topic == f"c8y/s/us/dev1:device:{child}"
    event = mapper.send(f"te/device/main///e/{kind}", {"text": text})[0]
    ((_, event_type, event_text, _),) = decode_records(event.payload, THIN_EDGE_STYLE)
    assert (event_type, event_text) == (kind, text or kind)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(0, 3000), limit=st.integers(200, 2500))
def test_nothing_over_the_limit_reaches_the_cloud(make_mapper: MapperFactory, size: int, limit: int) -> None:
    mapper = make_mapper(max_payload_size=limit)
    payload = {"value": 1, "note": "x" * size}
    for topic in ("te/device/main///m/env", "te/device/main///e/big", "te/device/main///twin/big"):
        for message in mapper.send(topic, payload if "twin" not in topic else {"x": "y" * size}):
            assert message.topic == "te/errors" or len(message.payload) <= limit


@pytest.mark.parametrize("depth", [65, 5000], ids=["deeper than 64", "deeper than the parser"])
def test_deeply_nested_json_is_refused(mapper: Mapper, depth: int) -> None:
    (error,) = mapper.send("te/device/main///twin/x", "[" * depth + "]" * depth)
    assert json.loads(error.payload)["error"] == "invalid-json"


def test_subscriptions_cover_every_topic_the_converters_map(make_mapper: MapperFactory) -> None:
    config = make_mapper(topic_root="tex", topic_prefix="cloud").config
    assert config.subscriptions == (
        "tex/+/+/+/+", "tex/+/+/+/+/twin/+", "tex/+/+/+/+/m/+", "tex/+/+/+/+/m/+/meta", "tex/+/+/+/+/e/+",
        "tex/+/+/+/+/a/+", "tex/+/+/+/+/status/health", "tex/+/+/+/+/cmd/+", "tex/+/+/+/+/cmd/+/+",
        "tex/+/+/+/+/signal/sync", "cloud/s/ds", "cloud/devicecontrol/notifications",
        "cloud-internal/alarms/#",
    )  # fmt: skip
