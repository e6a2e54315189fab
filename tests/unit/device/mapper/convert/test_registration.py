"""Entity registration -> 101/102 on the parent's topic, nested children, auto-registration (§6.2)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Mapper, MapperFactory


def test_child_device(mapper: Mapper) -> None:
    out = mapper.send(
        "te/device/child01//", {"@type": "child-device", "name": "child01", "type": "SmartHomeHub"}
    )
    assert [(m.topic, m.text, m.retain) for m in out] == [
        ("c8y/s/us", "101,dev1:device:child01,child01,SmartHomeHub,false", False),
        ("c8y/s/us/dev1:device:child01", "117,60", False),
        ("te/device/child01//",
         '{"@type":"child-device","@id":"dev1:device:child01","name":"child01","type":"SmartHomeHub"}', True),
    ]  # fmt: skip


def test_child_device_with_id_is_not_republished(mapper: Mapper) -> None:
    out = mapper.texts("te/device/child01//", {"@type": "child-device", "@id": "child01", "name": "child01",
                                                "type": "SmartHomeHub"})  # fmt: skip
    assert out == [("c8y/s/us", "101,child01,child01,SmartHomeHub,false"), ("c8y/s/us/child01", "117,60")]


def test_republished_registration_changes_nothing(mapper: Mapper) -> None:
    out = mapper.send("te/device/child01//", {"@type": "child-device"})
    republished = out[-1]
    assert mapper.send(republished.topic, republished.payload, retain=True) == []


def test_nested_child_registers_on_its_parent_topic(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(availability_enabled=False, create_with_device_marker=True)
    mapper.send("te/device/child01//", {"@type": "child-device"})
    out = mapper.texts("te/device/nested//", {"@type": "child-device", "@parent": "device/child01//"})
    assert out[0] == (
        "c8y/s/us/dev1:device:child01",
        "101,dev1:device:nested,dev1:device:nested,thin-edge.io-child,true",
    )


def test_nested_child_before_its_parent_waits(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(availability_enabled=False)
    assert mapper.send("te/device/nested//", {"@type": "child-device", "@parent": "device/child01//"}) == []
    out = [
        (m.topic, m.text)
        for m in mapper.send("te/device/child01//", {"@type": "child-device"})
        if not m.retain
    ]
    assert out == [
        ("c8y/s/us", "101,dev1:device:child01,dev1:device:child01,thin-edge.io-child,false"),
        (
            "c8y/s/us/dev1:device:child01",
            "101,dev1:device:nested,dev1:device:nested,thin-edge.io-child,false",
        ),
    ]


def test_service_of_main_and_of_child(mapper: Mapper) -> None:
    main = mapper.texts(
        "te/device/main/service/nodered", {"@type": "service", "name": "Node-Red", "type": "systemd"}
    )
    assert main[0] == ("c8y/s/us", "102,dev1:device:main:service:nodered,systemd,Node-Red,up")
    mapper.send("te/device/child01//", {"@type": "child-device"})
    child = mapper.texts("te/device/child01/service/nodered", {"@type": "service"})
    assert child[0] == (
        "c8y/s/us/dev1:device:child01",
        "102,dev1:device:child01:service:nodered,service,nodered,up",
    )


def test_extra_keys_become_twin_fragments(mapper: Mapper) -> None:
    out = mapper.send("te/device/child01//", {"@type": "child-device", "c8y_Hardware": {"model": "pi"}})
    update = [m for m in out if m.topic == "c8y/inventory/managedObjects/update/dev1:device:child01"]
    assert [json.loads(m.payload) for m in update] == [{"c8y_Hardware": {"model": "pi"}}]


def test_main_device_registration_updates_name_and_type(mapper: Mapper) -> None:
    out = mapper.texts("te/device/main//", {"@type": "device", "name": "gateway", "type": "edge"})
    assert out == [("c8y/inventory/managedObjects/update/dev1", '{"name":"gateway","type":"edge"}')]


def test_data_of_an_unknown_default_scheme_entity_registers_it_first(mapper: Mapper) -> None:
    out = mapper.send("te/device/child01/service/app/e/started", {"text": "hi"})
    assert [(m.topic, m.text) for m in out if m.topic.startswith("c8y/s/us")] == [
        ("c8y/s/us", "101,dev1:device:child01,child01,thin-edge.io-child,false"),
        ("c8y/s/us/dev1:device:child01", "117,60"),
        ("c8y/s/us/dev1:device:child01", "102,dev1:device:child01:service:app,service,app,up"),
    ]
    assert out[-1].topic == "c8y/event/events/create"


def test_without_auto_registration_data_waits_for_registration(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(auto_register=False, availability_enabled=False)
    assert mapper.send("te/device/child01///m/env", {"t": 1}) == []
    out = mapper.send("te/device/child01//", {"@type": "child-device", "@id": "c1"})
    assert [m.topic for m in out] == ["c8y/s/us", "c8y/measurement/measurements/create"]


def test_custom_scheme_data_is_buffered_until_registration(mapper: Mapper) -> None:
    assert mapper.send("te/factory/line1/press//m/env", {"t": 1}) == []
    out = mapper.send("te/factory/line1/press/", {"@type": "child-device", "name": "Press"})
    assert out[0].text == "101,dev1:factory:line1:press,Press,thin-edge.io-child,false"
    assert out[-1].topic == "c8y/measurement/measurements/create"


def test_buffered_data_keeps_the_time_it_arrived(mapper: Mapper) -> None:
    assert mapper.send("te/factory/line1/press//m/env", {"t": 1}) == []
    arrived = mapper.now
    mapper.now = arrived + timedelta(minutes=5)
    out = mapper.send("te/factory/line1/press/", {"@type": "child-device"})
    (measurement,) = [m for m in out if m.topic == "c8y/measurement/measurements/create"]
    assert json.loads(measurement.payload)["time"] == "2026-01-01T12:00:00.000Z"  # not 12:05


def test_buffer_overflow_is_reported(make_mapper: MapperFactory) -> None:
    mapper = make_mapper(early_message_buffer=1)
    assert mapper.send("te/custom////m/a", {"t": 1}) == []
    (error,) = mapper.send("te/custom////m/b", {"t": 2})
    body = json.loads(error.payload)
    assert (body["error"], body["topic"]) == ("message-dropped", "te/custom////m/a")


def test_deregistration_forgets_the_entity(mapper: Mapper) -> None:
    mapper.send("te/factory/press//", {"@type": "child-device"})
    assert mapper.send("te/factory/press//", b"", retain=True) == []
    assert mapper.state.entities.by_external_id("dev1:factory:press") is None
    assert mapper.send("te/factory/press///m/env", {"t": 1}) == []  # unknown again: buffered


def test_invalid_registration_is_reported(mapper: Mapper) -> None:
    (error,) = mapper.send("te/device/child01//", {"@type": "robot"})
    body = json.loads(error.payload)
    assert (body["error"], body["topic"]) == ("invalid-registration", "te/device/child01//")
