"""te/<entity>/m/<type> -> c8y/measurement/measurements/create (tedge.md §6.3)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

if TYPE_CHECKING:
    from conftest import Mapper, MapperFactory

NOW_TEXT = "2026-01-01T12:00:00.000Z"
CREATE = "c8y/measurement/measurements/create"
CHILD_SOURCE = {"externalSource": {"externalId": "dev1:device:child01", "type": "c8y_Serial"}}

CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("single value", "te/device/main///m/environment", {"temperature": 23.4},
     {"type": "environment", "time": NOW_TEXT, "temperature": {"temperature": {"value": 23.4}}}),
    ("group", "te/device/main///m/", {"Climate": {"Temperature": 23.4, "Humidity": 95}},
     {"type": "ThinEdgeMeasurement", "time": NOW_TEXT,
      "Climate": {"Temperature": {"value": 23.4}, "Humidity": {"value": 95}}}),
    ("time as text is kept", "te/device/main///m/x", {"time": "2023-01-25T18:41:14.776170774Z", "a": 1},
     {"type": "x", "time": "2023-01-25T18:41:14.776170774Z", "a": {"a": {"value": 1}}}),
    ("unix time", "te/device/main///m/x", {"time": 1700000000.5, "a": 1},
     {"type": "x", "time": "2023-11-14T22:13:20.500Z", "a": {"a": {"value": 1}}}),
    ("type in payload wins", "te/device/main///m/x", {"type": "custom", "a": 1},
     {"type": "custom", "time": NOW_TEXT, "a": {"a": {"value": 1}}}),
    ("other strings ignored", "te/device/main///m/x", {"a": 1, "note": "hello"},
     {"type": "x", "time": NOW_TEXT, "a": {"a": {"value": 1}}}),
    ("child gets externalSource", "te/device/child01///m/x", {"a": -1.5e-3},
     {**CHILD_SOURCE, "type": "x", "time": NOW_TEXT, "a": {"a": {"value": -1.5e-3}}}),
]  # fmt: skip


@pytest.mark.parametrize(("topic", "payload", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_measurements_become_cumulocity_json(
    mapper: Mapper, topic: str, payload: dict[str, Any], expected: dict[str, Any]
) -> None:
    out = [m for m in mapper.send(topic, payload) if m.topic == CREATE]
    assert len(out) == 1
    assert json.loads(out[0].payload) == expected


def test_units_come_from_the_retained_metadata(mapper: Mapper) -> None:
    meta = {"Temperature": {"unit": "°C"}, "Climate.Humidity": {"unit": "%RH"}}
    assert mapper.send("te/device/main///m/env/meta", meta) == []
    (out,) = mapper.send("te/device/main///m/env", {"Temperature": 21, "Climate": {"Humidity": 40, "Dew": 5}})
    body = json.loads(out.payload)
    assert body["Temperature"] == {"Temperature": {"value": 21, "unit": "°C"}}
    assert body["Climate"] == {"Humidity": {"value": 40, "unit": "%RH"}, "Dew": {"value": 5}}
    # units belong to their measurement type, and an empty metadata message clears them
    (other,) = mapper.send("te/device/main///m/other", {"Temperature": 1})
    assert "unit" not in json.loads(other.payload)["Temperature"]["Temperature"]
    mapper.send("te/device/main///m/env/meta", b"")
    (again,) = mapper.send("te/device/main///m/env", {"Temperature": 21})
    assert json.loads(again.payload)["Temperature"] == {"Temperature": {"value": 21}}


BAD = [
    (
        "boolean value",
        {"a": True},
        "invalid-payload",
        "'a' must be a number or an object of numbers, got a boolean",
    ),
    ("array value", {"a": [1]}, "invalid-payload", "got an array"),
    ("null value", {"a": None}, "invalid-payload", "got null"),
    ("string in group", {"g": {"s": "1"}}, "invalid-payload", "'g.s' must be a number, got a string"),
    ("nested group", {"g": {"s": {"x": 1}}}, "invalid-payload", "'g.s' must be a number, got an object"),
    ("empty group", {"g": {}}, "invalid-payload", "group 'g' has no measurement value"),
    ("no numbers", {"note": "x"}, "invalid-payload", "no measurement value"),
    ("array payload", [1, 2], "invalid-payload", "a measurement must be a JSON object"),
    ("type not a string", {"type": 3, "a": 1}, "invalid-payload", "'type' must be a non-empty string"),
    ("bad time text", {"time": "yesterday", "a": 1}, "invalid-timestamp", "Invalid timestamp 'yesterday'"),
    ("bad time type", {"time": True, "a": 1}, "invalid-timestamp", "expected text or a number"),
    ("time out of range", {"time": 1e300, "a": 1}, "invalid-timestamp", "Invalid Unix timestamp"),
    (
        "reserved externalSource",
        {"externalSource": {"externalId": "x"}, "a": 1},
        "invalid-payload",
        "'externalSource' is a reserved key",
    ),
]


@pytest.mark.parametrize(("payload", "kind", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_measurements_are_reported_on_te_errors(
    mapper: Mapper, payload: Any, kind: str, message: str
) -> None:
    (error,) = mapper.send("te/device/main///m/x", payload)
    body = json.loads(error.payload)
    assert error.topic == "te/errors"
    assert (body["error"], body["topic"]) == (kind, "te/device/main///m/x")
    assert message in body["message"]


def test_not_a_number_literals_are_refused(mapper: Mapper) -> None:
    for literal in ("NaN", "Infinity", "-Infinity", "1e999"):
        (error,) = mapper.send("te/device/main///m/x", '{"a": ' + literal + "}")
        assert json.loads(error.payload)["error"] == "invalid-json", literal


key = st.text(st.characters(codec="utf-8"), min_size=1, max_size=10).filter(
    lambda k: k not in ("time", "type", "externalSource")
)
number = st.one_of(st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False))
values = st.dictionaries(
    key, st.one_of(number, st.dictionaries(key, number, min_size=1, max_size=4)), min_size=1, max_size=6
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=values)
def test_every_number_reaches_cumulocity(make_mapper: MapperFactory, payload: dict[str, Any]) -> None:
    mapper = make_mapper()
    (out,) = [m for m in mapper.send("te/device/child01///m/env", payload) if m.topic == CREATE]
    body = json.loads(out.payload)
    for name, value in payload.items():
        series = {name: value} if not isinstance(value, dict) else value
        for member, number_value in series.items():
            assert body[name][member]["value"] == number_value
