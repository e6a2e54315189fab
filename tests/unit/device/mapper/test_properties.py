"""Property-based tests of the converters not covered elsewhere: twin values, registrations, operation
ids and status, software update requests and software lists survive the translation unchanged."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from c8ylink.core.mqtt.topic import topic_level_problem
from c8ylink.core.smartrest.codec import THIN_EDGE_STYLE, decode_records
from c8ylink.device.mapper.config import SoftwareManagementApi

if TYPE_CHECKING:
    from conftest import MapperFactory

FIXTURE_OK = settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
NOTIFICATIONS = "c8y/devicecontrol/notifications"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=10)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
segment = st.text(st.characters(codec="utf-8", exclude_characters="/+#\0"), min_size=1, max_size=10).filter(
    lambda text: topic_level_problem(text) is None  # what mosquitto accepts in a topic level
)
plain_text = st.text(st.characters(codec="utf-8", exclude_characters="\0"), min_size=1, max_size=20)
operation_ids = st.integers(1, 10**12).map(str)


@FIXTURE_OK
@given(fragment=segment.filter(lambda f: f not in ("firmware", "agent")), value=json_values)
def test_any_twin_value_reaches_the_inventory_unchanged(
    make_mapper: MapperFactory, fragment: str, value: Any
) -> None:
    mapper = make_mapper()
    (update,) = mapper.send(f"te/device/main///twin/{fragment}", json.dumps(value))
    assert update.topic == "c8y/inventory/managedObjects/update/dev1"
    assert json.loads(update.payload) == {fragment: value}
    assert mapper.send(f"te/device/main///twin/{fragment}", json.dumps(value)) == []  # not sent twice


@FIXTURE_OK
@given(name=segment.filter(lambda n: n != "main"), display=plain_text, kind=plain_text)
def test_child_registration_creates_the_child_with_its_derived_id(
    make_mapper: MapperFactory, name: str, display: str, kind: str
) -> None:
    mapper = make_mapper()
    out = mapper.send(f"te/device/{name}//", {"@type": "child-device", "name": display, "type": kind})
    records = [list(record) for record in decode_records(out[0].payload, THIN_EDGE_STYLE)]
    assert out[0].topic == "c8y/s/us"
    assert records == [["101", f"dev1:device:{name}", display, kind, "false"]]


@FIXTURE_OK
@given(operation_id=operation_ids, reason=plain_text, use_ids=st.booleans())
def test_operation_status_goes_back_for_the_same_operation(
    make_mapper: MapperFactory, operation_id: str, reason: str, use_ids: bool
) -> None:
    mapper = make_mapper(use_operation_id=use_ids)
    (command,) = mapper.send(NOTIFICATIONS, {"id": operation_id, "status": "PENDING", "c8y_Restart": {}})
    assert command.topic == f"te/device/main///cmd/restart/c8y-mapper-{operation_id}"
    (executing,) = mapper.send(command.topic, {"status": "executing"})
    assert [list(r) for r in decode_records(executing.payload, THIN_EDGE_STYLE)] == [
        ["504", operation_id] if use_ids else ["501", "c8y_Restart"]
    ]
    failed, cleared = mapper.send(command.topic, {"status": "failed", "reason": reason})
    expected_reason = reason.encode()[:500].decode(errors="ignore")
    [record] = decode_records(failed.payload, THIN_EDGE_STYLE)
    assert list(record) == (
        ["505", operation_id, expected_reason] if use_ids else ["502", "c8y_Restart", expected_reason]
    )
    assert (cleared.topic, cleared.payload, cleared.retain) == (command.topic, b"", True)


modules = st.lists(
    st.fixed_dictionaries(
        {"name": segment,
         "version": st.text(st.characters(codec="ascii", exclude_characters=":"), max_size=6),
         "softwareType": st.sampled_from(["apt", "docker", ""]),
         "action": st.sampled_from(["install", "delete"])}
    ),
    min_size=1, max_size=8,
)  # fmt: skip


@FIXTURE_OK
@given(items=modules)
def test_software_update_request_keeps_every_module_grouped_by_type(
    make_mapper: MapperFactory, items: list[dict[str, str]]
) -> None:
    mapper = make_mapper()
    (command,) = mapper.send(NOTIFICATIONS, {"id": "7", "c8y_SoftwareUpdate": items})
    body = json.loads(command.payload)
    seen = [
        (group["type"], module["name"], module.get("version", ""), module["action"])
        for group in body["updateList"]
        for module in group["modules"]
    ]
    expected = [
        (item["softwareType"] or "default", item["name"], item["version"],
         "remove" if item["action"] == "delete" else "install")
        for item in items
    ]  # fmt: skip
    assert sorted(seen) == sorted(expected)
    assert len({group["type"] for group in body["updateList"]}) == len(body["updateList"])


installed = st.lists(
    st.fixed_dictionaries({"type": st.sampled_from(["apt", "docker"]),
                           "modules": st.lists(st.fixed_dictionaries({"name": segment, "version": segment}),
                                               max_size=120)}),
    max_size=3,
)  # fmt: skip


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups=installed, advanced=st.booleans())
def test_the_software_list_reaches_the_cloud_complete(
    make_mapper: MapperFactory, groups: list[dict[str, Any]], advanced: bool
) -> None:
    api = SoftwareManagementApi.ADVANCED if advanced else SoftwareManagementApi.LEGACY
    mapper = make_mapper(software_management_api=api, max_payload_size=10_000_000)
    topic = "te/device/main///cmd/software_list/c8y-mapper-1"
    out = mapper.send(topic, {"status": "successful", "currentSoftwareList": groups})
    expected = [(m["name"], m["version"], g["type"]) for g in groups for m in g["modules"]]
    if advanced:
        records = [
            record for message in out[:-1] for record in decode_records(message.payload, THIN_EDGE_STYLE)
        ]
        assert [record[0] for record in records] == ["140"] + ["141"] * (len(records) - 1)
        fields = [value for record in records for value in record[1:]]
        sent = [tuple(fields[i : i + 3]) for i in range(0, len(fields), 4)]
    else:
        sent = [
            (m["name"], m["version"], m["softwareType"])
            for m in json.loads(out[0].payload)["c8y_SoftwareList"]
        ]
    assert sent == expected
    assert (out[-1].topic, out[-1].payload) == (topic, b"")
