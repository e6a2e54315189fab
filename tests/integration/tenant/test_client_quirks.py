"""What Cumulocity's own clients send and Cumulocity accepts (issue 21's findings, one test each)."""

from __future__ import annotations

import httpx2
import pytest

from .conftest import unique

pytestmark = pytest.mark.integration


def _measure(api: httpx2.Client, device_id: str, time: str, value: float) -> None:
    body = {
        "source": {"id": device_id},
        "type": "t",
        "time": time,
        "c8y_T": {"T": {"value": value, "unit": "C"}},
    }
    assert api.post("/measurement/measurements", json=body).status_code == 201


@pytest.mark.parametrize("path", ["/measurement/measurements", "/event/events", "/devicecontrol/operations"])
@pytest.mark.parametrize("date_from", ["1970-01-01", "1970-01-01T00:00:00", "1970-01-01T00:00"])
def test_date_only_and_zone_less_query_times_are_utc(api: httpx2.Client, path: str, date_from: str) -> None:
    answer = api.get(path, params={"dateFrom": date_from, "dateTo": "2100-01-01", "pageSize": "1"})
    assert answer.status_code == 200, answer.text


def test_a_date_only_bound_is_midnight_utc(api: httpx2.Client, device_id: str) -> None:
    _measure(api, device_id, "2026-02-01T23:59:59.000Z", 1)
    _measure(api, device_id, "2026-02-02T00:00:00.000Z", 2)
    found = api.get("/measurement/measurements", params={"source": device_id, "dateFrom": "2026-02-02"})
    assert [m["c8y_T"]["T"]["value"] for m in found.json()["measurements"]] == [2]


def test_empty_path_segments_are_tolerated(api: httpx2.Client, device_id: str) -> None:
    alarm = api.post(
        "/alarm/alarms",
        json={
            "source": {"id": device_id},
            "type": unique("a"),
            "text": "x",
            "severity": "MINOR",
            "time": "2026-01-01T00:00:00Z",
        },
    ).json()
    answer = api.get(f"/alarm/alarms//{alarm['id']}")
    assert answer.status_code == 200 and answer.json()["id"] == alarm["id"]
    updated = api.put(f"/alarm/alarms//{alarm['id']}", json={"status": "ACKNOWLEDGED"})
    assert updated.status_code == 200 and updated.json()["status"] == "ACKNOWLEDGED"
    listed = api.get("/alarm//alarms", params={"source": device_id})
    assert listed.status_code == 200 and listed.json()["alarms"]
    missing = api.get("/alarm//nothing")
    assert missing.status_code == 404 and missing.json()["error"] == "general/notFound"


@pytest.mark.parametrize("kind", ["childDevices", "childAssets", "childAdditions"])
def test_bulk_unassign_with_a_references_body(api: httpx2.Client, kind: str) -> None:
    parent = api.post("/inventory/managedObjects", json={"name": unique("parent")}).json()["id"]
    children = [
        api.post("/inventory/managedObjects", json={"name": unique("c")}).json()["id"] for _ in range(3)
    ]
    references = {"references": [{"managedObject": {"id": child}} for child in children]}
    assert api.post(f"/inventory/managedObjects/{parent}/{kind}", json=references).status_code == 201
    gone = {"references": [{"managedObject": {"id": child}} for child in children[:2]]}
    answer = api.request("DELETE", f"/inventory/managedObjects/{parent}/{kind}", json=gone)
    assert answer.status_code == 204
    left = api.get(f"/inventory/managedObjects/{parent}/{kind}").json()["references"]
    assert [ref["managedObject"]["id"] for ref in left] == children[2:]
    unknown = {"references": [{"managedObject": {"id": children[0]}}, {"managedObject": {"id": children[2]}}]}
    refused = api.request("DELETE", f"/inventory/managedObjects/{parent}/{kind}", json=unknown)
    assert refused.status_code == 404  # children[0] is no longer there: nothing is removed
    assert len(api.get(f"/inventory/managedObjects/{parent}/{kind}").json()["references"]) == 1


def test_literal_sub_paths_do_not_fall_into_id_routes(api: httpx2.Client, device_id: str) -> None:
    _measure(api, device_id, "2026-03-01T10:00:00.000Z", 3)
    _measure(api, device_id, "2026-03-01T10:30:00.000Z", 5)
    _measure(api, device_id, "2026-03-01T11:10:00.000Z", 7)
    params = {"source": device_id, "dateFrom": "2026-03-01", "dateTo": "2026-03-02"}
    series = api.get("/measurement/measurements/series", params=params)
    assert series.status_code == 200
    assert series.json()["series"] == [{"unit": "C", "name": "T", "type": "c8y_T"}]
    assert len(series.json()["values"]) == 3
    hourly = api.get(
        "/measurement/measurements/series",
        params={**params, "aggregationType": "HOURLY", "series": "c8y_T.T"},
    )
    assert hourly.json()["values"] == {
        "2026-03-01T10:00:00.000Z": [{"min": 3, "max": 5}],
        "2026-03-01T11:00:00.000Z": [{"min": 7, "max": 7}],
    }
    assert api.get("/measurement/measurements/series", params={"source": device_id}).status_code == 422

    name = unique("counted")
    for _ in range(2):
        api.post("/inventory/managedObjects", json={"name": name, "type": name})
    count = api.get("/inventory/managedObjects/count", params={"type": name})
    assert count.status_code == 200 and count.json() == 2

    limit = api.get("/devicecontrol/newDeviceRequests/limit")
    assert limit.status_code == 200 and isinstance(limit.json()["limit"], int)


def test_alarm_count_answers_json_when_json_is_asked_for(api: httpx2.Client, device_id: str) -> None:
    api.post(
        "/alarm/alarms",
        json={
            "source": {"id": device_id},
            "type": "c",
            "text": "x",
            "severity": "MAJOR",
            "time": "2026-01-01T00:00:00Z",
        },
    )
    as_json = api.get(
        "/alarm/alarms/count", params={"source": device_id}, headers={"Accept": "application/json"}
    )
    assert as_json.headers["Content-Type"].startswith("application/json") and as_json.json() == 1
    as_text = api.get("/alarm/alarms/count", params={"source": device_id}, headers={"Accept": "text/plain"})
    assert as_text.headers["Content-Type"].startswith("text/plain") and as_text.text == "1"


def test_supported_series_and_availability(api: httpx2.Client, device_id: str) -> None:
    _measure(api, device_id, "2026-04-01T00:00:00.000Z", 1)
    assert api.get(f"/inventory/managedObjects/{device_id}/supportedMeasurements").json() == {
        "c8y_SupportedMeasurements": ["c8y_T"]
    }
    assert api.get(f"/inventory/managedObjects/{device_id}/supportedSeries").json() == {
        "c8y_SupportedSeries": ["c8y_T.T"]
    }
    availability = api.get(f"/inventory/managedObjects/{device_id}/availability").json()
    assert availability["deviceId"] == device_id and availability["dataStatus"] in (
        "AVAILABLE",
        "UNAVAILABLE",
    )
