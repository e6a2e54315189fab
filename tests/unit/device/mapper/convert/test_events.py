"""te/<entity>/e/<type> -> SmartREST 400 or c8y/event/events/create (tedge.md §6.4)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Mapper

NOW_TEXT = "2026-01-01T12:00:00.000Z"

SMARTREST = [
    ("text and time", {"text": "User logged in", "time": "2021-10-23T19:03:26+0100"},
     "400,login,User logged in,2021-10-23T19:03:26+0100"),
    ("defaults: text is the type, time is now", {}, f"400,login,login,{NOW_TEXT}"),
    ("text needing quotes", {"text": 'said "hi", left'}, f'400,login,"said ""hi"", left",{NOW_TEXT}'),
    ("type in payload wins", {"type": "logout"}, f"400,logout,logout,{NOW_TEXT}"),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "line"), [c[1:] for c in SMARTREST], ids=[c[0] for c in SMARTREST])
def test_plain_events_of_the_main_device_go_as_smartrest(
    mapper: Mapper, payload: dict[str, Any], line: str
) -> None:
    assert mapper.texts("te/device/main///e/login", payload) == [("c8y/s/us", line)]


def test_empty_payload_and_empty_type_use_the_defaults(mapper: Mapper) -> None:
    assert mapper.texts("te/device/main///e/", b"") == [
        ("c8y/s/us", f"400,ThinEdgeEvent,ThinEdgeEvent,{NOW_TEXT}")
    ]


def test_custom_fragments_go_as_json(mapper: Mapper) -> None:
    (out,) = mapper.send("te/device/main///e/door", {"text": "opened", "c8y_Position": {"lat": 1}})
    assert out.topic == "c8y/event/events/create"
    assert json.loads(out.payload) == {
        "type": "door",
        "text": "opened",
        "time": NOW_TEXT,
        "c8y_Position": {"lat": 1},
    }


def test_child_events_go_as_json_with_external_source(mapper: Mapper) -> None:
    out = mapper.send("te/device/child01///e/door", {"text": "opened"})
    assert json.loads(out[-1].payload) == {
        "type": "door",
        "text": "opened",
        "time": NOW_TEXT,
        "externalSource": {"externalId": "dev1:device:child01", "type": "c8y_Serial"},
    }


@pytest.mark.parametrize(
    ("payload", "kind"),
    [("not json", "invalid-json"), ("[]", "invalid-payload"), ('{"text": 5}', "invalid-payload"),
     ('{"time": "2021-13-01T00:00:00Z"}', "invalid-timestamp")],
    ids=["non-JSON", "array", "text not a string", "invalid timestamp"],
)  # fmt: skip
def test_bad_events_are_reported(mapper: Mapper, payload: str, kind: str) -> None:
    (error,) = mapper.send("te/device/main///e/login", payload)
    assert error.topic == "te/errors"
    assert json.loads(error.payload)["error"] == kind
