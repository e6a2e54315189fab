"""Measurements, events, alarms (de-dup) and operations (routing, transitions, signals)."""

from __future__ import annotations

from typing import Any

import pytest

from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.devicecontrol import create_operation, update_operation
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.filters import Criteria, TimeWindow
from c8ylink.tenant.state.signals import OperationCreated, OperationUpdated
from c8ylink.tenant.state.telemetry import create_event, create_measurements, raise_alarm
from c8ylink.tenant.state.tenant import TenantState

from .conftest import device_principal


def _device(state: TenantState, owner: str = "device_d1", **fragments: Any) -> str:
    return str(state.inventory.create({"name": "dev", **fragments}, owner=owner, now=state.now())["id"])


def _alarm(source: str, **extra: Any) -> dict[str, Any]:
    return {
        "source": {"id": source},
        "type": "t",
        "text": "x",
        "severity": "MAJOR",
        "time": "2026-01-01T00:00:00Z",
        **extra,
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Following mandatory fields should be included: source,type,time"),
        ({"source": {"id": "1"}, "type": "t"}, "Following mandatory fields should be included: time"),
        ({"source": {"id": "1"}, "type": "t", "time": "2026-01-01T00:00:00"}, "not a valid date-time"),
        (
            {
                "source": {"id": "1"},
                "type": "t",
                "time": "2026-01-01T00:00:00Z",
                "c8y T": {"s": {"value": 1}},
            },
            "Invalid fragment or series name",
        ),
        (
            {"source": {"id": "1"}, "type": "t", "time": "2026-01-01T00:00:00Z", "f": {"s": {"value": "1"}}},
            "f.s.value must be a number",
        ),
    ],
    ids=["nothing", "no-time", "time-without-zone", "bad-fragment-name", "string-value"],
)
def test_invalid_measurements_are_422(
    state: TenantState, admin: Principal, body: dict[str, Any], message: str
) -> None:
    _device(state)
    with pytest.raises(TenantApiError) as caught:
        create_measurements(state, admin, [body])
    assert caught.value.status == 422
    assert message in caught.value.message


def test_measurements_need_an_existing_source_and_are_all_or_nothing(
    state: TenantState, admin: Principal
) -> None:
    source = _device(state)
    good = {"source": {"id": source}, "type": "t", "time": "2026-01-01T00:00:00Z", "f": {"s": {"value": 1}}}
    with pytest.raises(TenantApiError) as caught:
        create_measurements(state, admin, [good, {**good, "source": {"id": "404"}}])
    assert caught.value.status == 422
    assert state.measurements.select(Criteria()) == []


def test_measurements_are_oldest_first_unless_reverted(state: TenantState, admin: Principal) -> None:
    source = _device(state)
    for minute in (3, 1, 2):
        create_measurements(
            state,
            admin,
            [{"source": {"id": source}, "type": "t", "time": f"2026-01-01T00:0{minute}:00+00:00"}],
        )
    times = [m["time"][14:16] for m in state.measurements.select(Criteria())]
    assert times == ["01", "02", "03"]
    window = Criteria(windows=(TimeWindow("time", "2026-01-01T00:02:00.000Z", "2026-01-01T00:03:00.000Z"),))
    assert [m["time"][14:16] for m in state.measurements.select(window, revert=True)] == ["03", "02"]


def test_measurements_by_source_keep_answer_order_through_deletes_and_restore(
    state: TenantState, admin: Principal
) -> None:
    first, second = _device(state), _device(state)
    for source, minute in ((first, 5), (second, 4), (first, 1), (first, 5), (first, 3), (second, 2)):
        body = {
            "source": {"id": source},
            "type": f"t{minute % 2}",
            "time": f"2026-01-01T00:0{minute}:00+00:00",
        }
        create_measurements(state, admin, [body])

    def listed(criteria: Criteria, revert: bool = False) -> list[tuple[str, str]]:
        return [(m["time"][14:16], m["id"]) for m in state.measurements.select(criteria, revert=revert)]

    by_first = Criteria(equals=(("source.id", frozenset({first})),))
    everything = listed(Criteria())
    assert [time for time, _ in listed(by_first)] == ["01", "03", "05", "05"]
    assert listed(by_first) == [entry for entry in everything if entry in listed(by_first)]
    assert listed(by_first, revert=True) == listed(by_first)[::-1]
    odd = Criteria(equals=(("source.id", frozenset({first})), ("type", frozenset({"t1"}))))
    assert [time for time, _ in listed(odd)] == ["01", "03", "05", "05"]
    both = Criteria(equals=(("source.id", frozenset({first, second})),))
    assert listed(both) == everything
    state.measurements.delete(listed(by_first)[1][1])
    assert [time for time, _ in listed(by_first)] == ["01", "05", "05"]
    state.measurements.restore([])  # what a restart does: the order comes back from the table
    assert [time for time, _ in listed(by_first)] == ["01", "05", "05"]
    state.measurements.forget_sources({first})
    assert listed(by_first) == [] and [time for time, _ in listed(Criteria())] == ["02", "04"]


def test_data_counts_as_a_heartbeat(state: TenantState, admin: Principal) -> None:
    source = _device(state, c8y_RequiredAvailability={"responseInterval": 10})
    create_event(
        state, admin, {"source": {"id": source}, "type": "t", "text": "x", "time": "2026-01-01T00:00:00Z"}
    )
    assert state.inventory.get(source)["c8y_Availability"] == {
        "lastMessage": "2026-01-01T00:00:00.000Z",
        "status": "AVAILABLE",
    }


def test_events_are_newest_first(state: TenantState, admin: Principal) -> None:
    source = _device(state)
    for minute in (1, 3, 2):
        create_event(
            state,
            admin,
            {"source": {"id": source}, "type": "t", "text": "x", "time": f"2026-01-01T00:0{minute}:00Z"},
        )
    assert [e["time"][14:16] for e in state.events.select(Criteria())] == ["03", "02", "01"]


def test_alarms_deduplicate_by_source_and_type(state: TenantState, admin: Principal) -> None:
    source = _device(state)
    first = raise_alarm(state, admin, _alarm(source, count=50, firstOccurrenceTime="1999-01-01T00:00:00Z"))
    second = raise_alarm(state, admin, _alarm(source, time="2026-01-01T00:05:00Z", text="changed"))
    assert second["id"] == first["id"]
    assert second["count"] == 2
    assert second["time"] == "2026-01-01T00:05:00.000Z"
    assert second["firstOccurrenceTime"] == "2026-01-01T00:00:00.000Z"
    assert second["text"] == "x"
    state.alarms.update(first["id"], {"status": "CLEARED"}, now=state.now())
    third = raise_alarm(state, admin, _alarm(source))
    assert third["id"] != first["id"] and third["count"] == 1


def test_alarm_updates_reject_read_only_fields(state: TenantState, admin: Principal) -> None:
    alarm = raise_alarm(state, admin, _alarm(_device(state)))
    with pytest.raises(TenantApiError) as caught:
        state.alarms.update(alarm["id"], {"type": "other"}, now=state.now())
    assert caught.value.status == 422
    with pytest.raises(TenantApiError):
        state.alarms.update(alarm["id"], {"severity": "HUGE"}, now=state.now())


def test_devices_cannot_write_data_for_foreign_sources(state: TenantState) -> None:
    foreign = _device(state, owner="device_other")
    with pytest.raises(TenantApiError) as caught:
        raise_alarm(state, device_principal("d1"), _alarm(foreign))
    assert caught.value.status == 403


def test_operations_go_to_the_nearest_agent_and_signal(state: TenantState, admin: Principal) -> None:
    agent = _device(state, com_cumulocity_model_Agent={})
    child = _device(state, owner="device_d1")
    state.add_child_reference(agent, "childDevices", child)
    operation = create_operation(state, admin, {"deviceId": child, "status": "SUCCESSFUL", "c8y_Restart": {}})
    assert operation["status"] == "PENDING"
    assert operation["agentId"] == agent
    assert operation["delivery"]["status"] == "PENDING"
    assert state.take_signals() == [OperationCreated(operation)]


def test_operation_status_moves_forward_only(state: TenantState, admin: Principal) -> None:
    device = _device(state, com_cumulocity_model_Agent={})
    operation = create_operation(state, admin, {"deviceId": device, "c8y_Restart": {}})
    updated = update_operation(state, device_principal("d1"), operation["id"], {"status": "EXECUTING"})
    assert updated["status"] == "EXECUTING"
    failed = update_operation(state, admin, operation["id"], {"status": "FAILED", "failureReason": "boom"})
    assert failed["failureReason"] == "boom"
    assert isinstance(state.take_signals()[-1], OperationUpdated)
    with pytest.raises(TenantApiError) as caught:
        update_operation(state, admin, operation["id"], {"status": "EXECUTING"})
    assert caught.value.status == 422


def test_devices_cannot_create_operations_and_operations_need_a_device(
    state: TenantState, admin: Principal
) -> None:
    with pytest.raises(TenantApiError) as caught:
        create_operation(state, device_principal("d1"), {"deviceId": "1"})
    assert caught.value.status == 403
    with pytest.raises(TenantApiError) as caught:
        create_operation(state, admin, {"description": "x"})
    assert caught.value.message == "Following mandatory fields should be included: deviceId"
