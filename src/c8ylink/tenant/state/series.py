"""Measurement series (``/measurement/measurements/series``) and the series a device has
(``supportedMeasurements``, ``supportedSeries``): pure functions over stored measurements.

Without ``aggregationType`` every measurement time is a key of ``values``; with ``MINUTELY``,
``HOURLY`` or ``DAILY`` the keys are the starts of the buckets. Each key maps to one entry per series
(in ``series`` order): ``{"min", "max"}`` or ``null`` when the series has no value there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from c8ylink.tenant.state.errors import validation_error

AGGREGATIONS = {"MINUTELY": 16, "HOURLY": 13, "DAILY": 10}  # length of the time-string prefix kept
_SUFFIX = {"MINUTELY": ":00.000Z", "HOURLY": ":00:00.000Z", "DAILY": "T00:00:00.000Z"}
_STANDARD = frozenset({"id", "self", "source", "type", "time", "creationTime", "lastUpdated", "owner"})
MAX_VALUES = 5000


def readings(document: Mapping[str, Any]) -> Iterable[tuple[str, str, Any, str | None]]:
    """``(fragment, series, value, unit)`` for every numeric reading of a measurement."""
    for fragment, series in document.items():
        if fragment in _STANDARD or not isinstance(series, dict):
            continue
        for name, reading in series.items():
            if isinstance(reading, dict) and isinstance(reading.get("value"), int | float):
                unit = reading.get("unit")
                yield fragment, name, reading["value"], unit if isinstance(unit, str) else None


def supported_measurements(documents: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({fragment for doc in documents for fragment, _, _, _ in readings(doc)})


def supported_series(documents: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({f"{fragment}.{name}" for doc in documents for fragment, name, _, _ in readings(doc)})


def measurement_series(
    documents: Sequence[Mapping[str, Any]], wanted: Sequence[str], aggregation: str | None
) -> dict[str, Any]:
    """The ``MeasurementSeries`` document of ``documents`` (sorted by time) for the ``wanted``
    ``fragment.series`` names (all series found when empty)."""
    if aggregation is not None and aggregation not in AGGREGATIONS:
        raise validation_error(
            f"aggregationType must be one of {', '.join(AGGREGATIONS)}, not '{aggregation}'"
        )
    names = list(wanted) or supported_series(documents)
    index = {name: position for position, name in enumerate(names)}
    units: dict[str, str | None] = dict.fromkeys(names)
    buckets: dict[str, list[dict[str, Any] | None]] = {}
    for doc in documents:
        key = _bucket(doc["time"], aggregation)
        for fragment, name, value, unit in readings(doc):
            position = index.get(f"{fragment}.{name}")
            if position is None:
                continue
            if units[names[position]] is None:
                units[names[position]] = unit
            row = buckets.setdefault(key, [None] * len(names))
            entry = row[position]
            if entry is None:
                row[position] = {"min": value, "max": value}
            else:
                entry["min"], entry["max"] = min(entry["min"], value), max(entry["max"], value)
    keys = list(buckets)
    truncated = len(keys) > MAX_VALUES
    series = []
    for name in names:
        fragment, _, series_name = name.partition(".")
        series.append({"unit": units[name] or "", "name": series_name, "type": fragment})
    return {
        "values": {key: buckets[key] for key in keys[:MAX_VALUES]},
        "series": series,
        "truncated": truncated,
    }


def _bucket(time: str, aggregation: str | None) -> str:
    if aggregation is None:
        return time
    return time[: AGGREGATIONS[aggregation]] + _SUFFIX[aggregation]
