"""Identity, measurements, events, alarms and operations over HTTPS (§3.3-3.7, §4.2)."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from .conftest import unique

pytestmark = pytest.mark.integration
T0 = "2026-01-01T00:00:00.000Z"


def _time(minute: int) -> str:
    return f"2026-01-01T00:{minute:02d}:00.000Z"


def test_external_ids_are_unique(api: httpx2.Client, device_id: str) -> None:
    serial = unique("serial")
    created = api.post(
        f"/identity/globalIds/{device_id}/externalIds", json={"externalId": serial, "type": "c8y_Serial"}
    )
    assert created.status_code == 201
    assert created.json()["managedObject"]["id"] == device_id
    found = api.get(f"/identity/externalIds/c8y_Serial/{serial}").json()
    assert found["externalId"] == serial and found["managedObject"]["id"] == device_id
    listed = api.get(f"/identity/globalIds/{device_id}/externalIds").json()["externalIds"]
    assert [entry["externalId"] for entry in listed] == [serial]
    other = api.post("/inventory/managedObjects", json={"name": "other"}).json()["id"]
    duplicate = api.post(
        f"/identity/globalIds/{other}/externalIds", json={"externalId": serial, "type": "c8y_Serial"}
    )
    assert duplicate.status_code == 409
    assert api.delete(f"/identity/externalIds/c8y_Serial/{serial}").status_code == 204
    missing = api.get(f"/identity/externalIds/c8y_Serial/{serial}")
    assert missing.status_code == 404
    assert (
        missing.json()["message"]
        == f"External id not found; external id = ID [type=c8y_Serial, value={serial}]"
    )


@pytest.mark.parametrize(
    ("body", "missing"),
    [({"type": "c8y_Serial"}, "externalId"), ({}, "externalId,type")],
    ids=["no-external-id", "nothing"],
)
def test_external_ids_need_both_fields(
    api: httpx2.Client, device_id: str, body: dict[str, str], missing: str
) -> None:
    answer = api.post(f"/identity/globalIds/{device_id}/externalIds", json=body)
    assert answer.status_code == 422
    assert answer.json()["message"] == f"Following mandatory fields should be included: {missing}"


def test_external_ids_of_unknown_objects_are_404(api: httpx2.Client) -> None:
    answer = api.post("/identity/globalIds/999999999/externalIds", json={"externalId": "x", "type": "t"})
    assert answer.status_code == 404


def _measurement(source: str, minute: int, value: float = 1.0) -> dict[str, Any]:
    return {
        "source": {"id": source},
        "type": "c8y_Temperature",
        "time": _time(minute),
        "c8y_Temperature": {"T": {"value": value, "unit": "C"}},
    }


def test_measurements_single_and_collection(api: httpx2.Client, device_id: str) -> None:
    single = api.post("/measurement/measurements", json=_measurement(device_id, 5))
    assert single.status_code == 201 and single.json()["source"]["id"] == device_id
    many = api.post(
        "/measurement/measurements",
        json={"measurements": [_measurement(device_id, 1), _measurement(device_id, 9)]},
        headers={"Content-Type": "application/vnd.com.nsn.cumulocity.measurementcollection+json"},
    )
    assert many.status_code == 201
    assert many.headers["Content-Type"].startswith(
        "application/vnd.com.nsn.cumulocity.measurementcollection+json"
    )
    assert len(many.json()["measurements"]) == 2
    listed = api.get(
        "/measurement/measurements", params={"source": device_id, "dateFrom": _time(0), "dateTo": _time(9)}
    ).json()
    assert [m["time"] for m in listed["measurements"]] == [_time(1), _time(5), _time(9)]  # oldest first
    reverted = api.get("/measurement/measurements", params={"source": device_id, "revert": "true"}).json()
    assert reverted["measurements"][0]["time"] == _time(9)
    series = api.get(
        "/measurement/measurements", params={"source": device_id, "valueFragmentType": "c8y_Other"}
    )
    assert series.json()["measurements"] == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: m.pop("time"), "Following mandatory fields should be included: time"),
        (lambda m: m.pop("source"), "Following mandatory fields should be included: source"),
        (lambda m: m.update(time="2026-01-01T00:00:00"), "is not a valid date-time"),
        (lambda m: m.update(c8y_Temperature={"T": {"value": "hot"}}), "must be a number"),
    ],
    ids=["no-time", "no-source", "time-without-timezone", "non-numeric-value"],
)
def test_invalid_measurements_are_422(api: httpx2.Client, device_id: str, mutate: Any, message: str) -> None:
    body = _measurement(device_id, 1)
    mutate(body)
    answer = api.post("/measurement/measurements", json=body)
    assert answer.status_code == 422
    assert message in answer.json()["message"]


@pytest.mark.parametrize(
    "date_from",
    ["2026-01-01T00:00:00 01:00", "not-a-date", "2026-13-01"],
    ids=["raw-plus-decoded-as-space", "garbage", "no-such-month"],
)
def test_malformed_query_times_are_422(api: httpx2.Client, date_from: str) -> None:
    answer = api.get("/measurement/measurements", params={"dateFrom": date_from})
    assert answer.status_code == 422
    assert "dateFrom" in answer.json()["message"]


def test_a_raw_plus_in_a_query_string_is_refused_but_percent_encoded_works(api: httpx2.Client) -> None:
    raw = api.get("/event/events?dateFrom=2026-01-01T00:00:00+01:00")
    assert raw.status_code == 422
    encoded = api.get("/event/events?dateFrom=2026-01-01T00:00:00%2B01:00")
    assert encoded.status_code == 200


def test_events_newest_first_and_updates(api: httpx2.Client, device_id: str) -> None:
    ids = []
    for minute in (1, 3, 2):
        body = {
            "source": {"id": device_id},
            "type": "c8y_Door",
            "text": f"opened {minute}",
            "time": _time(minute),
        }
        created = api.post("/event/events", json=body)
        assert created.status_code == 201
        ids.append(created.json()["id"])
    listed = api.get("/event/events", params={"source": device_id, "type": "c8y_Door"}).json()["events"]
    assert [e["time"] for e in listed] == [_time(3), _time(2), _time(1)]
    updated = api.put(
        f"/event/events/{ids[0]}", json={"text": "changed", "c8y_Extra": {"a": 1}, "type": "other"}
    ).json()
    assert updated["text"] == "changed" and updated["type"] == "c8y_Door" and updated["c8y_Extra"] == {"a": 1}
    assert api.delete(f"/event/events/{ids[0]}").status_code == 204
    missing = api.post("/event/events", json={"source": {"id": device_id}, "type": "t", "time": T0})
    assert missing.status_code == 422
    assert missing.json()["message"] == "Following mandatory fields should be included: text"


def test_alarms_are_deduplicated(api: httpx2.Client, device_id: str) -> None:
    body = {
        "source": {"id": device_id},
        "type": "c8y_Overheat",
        "text": "hot",
        "severity": "MAJOR",
        "time": _time(1),
    }
    first = api.post("/alarm/alarms", json=body).json()
    second = api.post("/alarm/alarms", json={**body, "time": _time(2)}).json()
    assert second["id"] == first["id"] and second["count"] == 2
    assert second["firstOccurrenceTime"] == _time(1) and second["time"] == _time(2)
    assert second["source"]["name"]  # the alarm names its source
    count = api.get("/alarm/alarms/count", params={"source": device_id, "status": "ACTIVE"})
    assert count.text == "1"
    cleared = api.put(f"/alarm/alarms/{first['id']}", json={"status": "CLEARED"}).json()
    assert cleared["status"] == "CLEARED"
    third = api.post("/alarm/alarms", json=body).json()
    assert third["id"] != first["id"]
    assert (
        api.get("/alarm/alarms", params={"source": device_id, "resolved": "true"}).json()["alarms"][0]["id"]
        == first["id"]
    )
    bulk = api.put(
        "/alarm/alarms", params={"source": device_id, "status": "ACTIVE"}, json={"status": "ACKNOWLEDGED"}
    )
    assert bulk.status_code == 200
    assert api.get(f"/alarm/alarms/{third['id']}").json()["status"] == "ACKNOWLEDGED"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"type": "t", "text": "x", "severity": "MAJOR", "time": T0},
            "Following mandatory fields should be included: source",
        ),
        ({"type": "t", "text": "x", "time": T0}, "Following mandatory fields should be included: severity"),
        ({"type": "t", "text": "x", "severity": "BAD", "time": T0}, "severity must be one of"),
    ],
    ids=["no-source", "no-severity", "bad-severity"],
)
def test_invalid_alarms_are_422(
    api: httpx2.Client, device_id: str, body: dict[str, Any], message: str
) -> None:
    if "source" not in message:
        body = {**body, "source": {"id": device_id}}
    answer = api.post("/alarm/alarms", json=body)
    assert answer.status_code == 422
    assert message in answer.json()["message"]


def test_operations_lifecycle(api: httpx2.Client) -> None:
    agent = api.post(
        "/inventory/managedObjects",
        json={"name": unique("agent"), "com_cumulocity_model_Agent": {}, "c8y_IsDevice": {}},
    ).json()["id"]
    serial = unique("agent-serial")
    api.post(f"/identity/globalIds/{agent}/externalIds", json={"externalId": serial, "type": "c8y_Serial"})
    created = api.post(
        "/devicecontrol/operations",
        json={"deviceId": agent, "description": "Restart", "c8y_Restart": {}, "status": "SUCCESSFUL"},
    )
    assert created.status_code == 201
    operation = created.json()
    assert operation["status"] == "PENDING" and operation["agentId"] == agent
    listed = api.get("/devicecontrol/operations", params={"agentId": agent, "status": "PENDING"}).json()[
        "operations"
    ]
    assert [op["id"] for op in listed] == [operation["id"]]
    assert listed[0]["deviceExternalIDs"]["externalIds"][0]["externalId"] == serial
    executing = api.put(f"/devicecontrol/operations/{operation['id']}", json={"status": "EXECUTING"})
    assert executing.json()["status"] == "EXECUTING"
    failed = api.put(
        f"/devicecontrol/operations/{operation['id']}", json={"status": "FAILED", "failureReason": "no"}
    )
    assert failed.json()["failureReason"] == "no"
    back = api.put(f"/devicecontrol/operations/{operation['id']}", json={"status": "PENDING"})
    assert back.status_code == 422
    bad_status = api.get("/devicecontrol/operations", params={"status": "DONE"})
    assert bad_status.status_code == 422
    no_device = api.post("/devicecontrol/operations", json={"c8y_Restart": {}})
    assert no_device.json()["message"] == "Following mandatory fields should be included: deviceId"
    unknown = api.post("/devicecontrol/operations", json={"deviceId": "999999999", "c8y_Restart": {}})
    assert unknown.status_code == 404
