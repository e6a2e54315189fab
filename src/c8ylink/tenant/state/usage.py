"""Usage statistics (``/tenant/statistics``, ``/summary``, device statistics), counted from what the
tenant stores: PURE functions of documents and their ``creationTime``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

COUNTED = ("inventoriesCreatedCount", "measurementsCreatedCount", "eventsCreatedCount", "alarmsCreatedCount")


def _day(document: Mapping[str, Any]) -> str | None:
    stamp = document.get("creationTime")
    return stamp[:10] if isinstance(stamp, str) else None


def daily_usage(
    kinds: Mapping[str, Iterable[Mapping[str, Any]]],
    *,
    first: str,
    last: str,
    devices: int,
    with_children: int,
) -> list[dict[str, Any]]:
    """One entry per day from ``first`` to ``last`` (``YYYY-MM-DD``, inclusive) that saw data,
    newest first. ``kinds``: counter name (``measurementsCreatedCount``...) -> documents."""
    per_day: dict[str, Counter[str]] = {}
    for counter, documents in kinds.items():
        for document in documents:
            day = _day(document)
            if day is not None and first <= day <= last:
                per_day.setdefault(day, Counter())[counter] += 1
    entries = []
    for day in sorted(per_day, reverse=True):
        counts = per_day[day]
        entry: dict[str, Any] = {
            "day": f"{day}T00:00:00.000Z",
            "deviceCount": devices,
            "deviceWithChildrenCount": with_children,
        }
        entry.update({name: counts.get(name, 0) for name in COUNTED})
        entry.update(
            {
                "alarmsUpdatedCount": 0,
                "eventsUpdatedCount": 0,
                "inventoriesUpdatedCount": 0,
                "requestCount": 0,
                "deviceRequestCount": 0,
                "deviceEndpointCount": 0,
                "storageSize": 0,
            }
        )
        entry["totalResourceCreateAndUpdateCount"] = sum(counts.values())
        entries.append(entry)
    return entries


def summary(
    entries: list[dict[str, Any]], *, day: str, devices: int, with_children: int, applications: list[str]
) -> dict[str, Any]:
    totals = {name: sum(entry[name] for entry in entries) for name in COUNTED}
    return {
        "day": f"{day}T00:00:00.000Z",
        "deviceCount": devices,
        "deviceWithChildrenCount": with_children,
        "deviceEndpointCount": devices,
        "requestCount": 0,
        "deviceRequestCount": 0,
        "storageSize": 0,
        "alarmsUpdatedCount": 0,
        "eventsUpdatedCount": 0,
        "inventoriesUpdatedCount": 0,
        "totalResourceCreateAndUpdateCount": sum(totals.values()),
        "subscribedApplications": applications,
        **totals,
    }


def device_statistics(
    documents: Iterable[Mapping[str, Any]], *, prefix: str, device_types: Mapping[str, str | None]
) -> list[dict[str, Any]]:
    """Measurements, events and alarms created per device on the day or in the month ``prefix``."""
    counts: Counter[str] = Counter()
    for document in documents:
        stamp = document.get("creationTime")
        source = document.get("source", {}).get("id")
        if isinstance(stamp, str) and stamp.startswith(prefix) and isinstance(source, str):
            counts[source] += 1
    result = []
    for device_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        entry: dict[str, Any] = {"deviceId": device_id, "count": count}
        if device_types.get(device_id):
            entry["deviceType"] = device_types[device_id]
        result.append(entry)
    return result
