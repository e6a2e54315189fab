"""te/<entity>/twin/<fragment> -> c8y/inventory/managedObjects/update/<xid> (tedge.md §6.6)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Mapper

CASES = [
    ("object", "te/device/main///twin/c8y_Hardware", {"m": "pi"}, "dev1", {"c8y_Hardware": {"m": "pi"}}),
    ("number", "te/device/main///twin/count", 3, "dev1", {"count": 3}),
    ("firmware", "te/device/main///twin/firmware", {"name": "f"}, "dev1", {"c8y_Firmware": {"name": "f"}}),
    ("agent renamed", "te/device/main///twin/agent", {"name": "a"}, "dev1", {"c8y_Agent": {"name": "a"}}),
    ("child", "te/device/child01///twin/x", "v", "dev1:device:child01", {"x": "v"}),
    ("service type", "te/device/main/service/app/twin/type", "systemd", "dev1:device:main:service:app",
     {"serviceType": "systemd"}),
]  # fmt: skip


@pytest.mark.parametrize(("topic", "value", "xid", "body"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_twin_values_update_the_managed_object(
    mapper: Mapper, topic: str, value: Any, xid: str, body: Any
) -> None:
    out = mapper.send(topic, json.dumps(value), retain=True)
    assert out[-1].topic == f"c8y/inventory/managedObjects/update/{xid}"
    assert json.loads(out[-1].payload) == body


def test_empty_payload_removes_the_fragment(mapper: Mapper) -> None:
    mapper.send("te/device/main///twin/x", "1")
    assert mapper.texts("te/device/main///twin/x", b"") == [
        ("c8y/inventory/managedObjects/update/dev1", '{"x":null}')
    ]


def test_identical_values_are_not_sent_again(mapper: Mapper) -> None:
    assert mapper.send("te/device/main///twin/x", '{"a": 1}')
    assert mapper.send("te/device/main///twin/x", '{ "a" : 1 }') == []
    assert mapper.send("te/device/main///twin/x", '{"a": 2}')


def test_non_json_twin_is_reported(mapper: Mapper) -> None:
    (error,) = mapper.send("te/device/main///twin/x", "not json")
    assert json.loads(error.payload) | {"time": "-"} == {
        "error": "invalid-json",
        "message": "Invalid JSON: Expecting value: line 1 column 1 (char 0)",
        "topic": "te/device/main///twin/x",
        "time": "-",
    }
