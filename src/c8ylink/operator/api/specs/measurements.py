"""``c8y measurements`` (cumulocity-api.md §3.4)."""

from __future__ import annotations

from c8ylink.operator.api.common_specs import assert_count
from c8ylink.operator.api.spec import BODY, CONTEXT, QUERY, CommandSpec, ExampleSpec, GroupSpec, ParamSpec

BASE = "/measurement/measurements"
_SOURCE_ALIASES = ("deviceId", "source.id", "managedObject.id", "id")

LIST = CommandSpec(
    "list",
    "Get measurement collection",
    "GET",
    BASE,
    accept="application/vnd.com.nsn.cumulocity.measurementcollection+json",
    collection="measurements",
    params=(
        ParamSpec("device", "device[]", QUERY, "Device id or name", property="source", pipeline=True,
                  pipeline_aliases=_SOURCE_ALIASES),
        ParamSpec("type", "string", QUERY, "Measurement type"),
        ParamSpec("valueFragmentType", "string", QUERY, "Value fragment, e.g. c8y_Temperature"),
        ParamSpec("valueFragmentSeries", "string", QUERY, "Value series, e.g. T"),
        ParamSpec("dateFrom", "datetime", QUERY, "From (e.g. -1d)"),
        ParamSpec("dateTo", "datetime", QUERY, "To (e.g. 0s)"),
        ParamSpec("revert", "boolean", QUERY, "Newest first"),
    ),
    examples=(
        ExampleSpec("c8y measurements list --device 12345 --type c8y_Temperature --pageSize 20",
                    "A device's temperatures", "GET", BASE,
                    query={"source": "12345", "type": "c8y_Temperature", "pageSize": "20"}),
        ExampleSpec("c8y measurements list --dateFrom -10m --revert", "The last 10 minutes, newest first",
                    "GET", BASE, query={"revert": "true"}, query_contains={"dateFrom": "T"}),
        ExampleSpec("c8y measurements list --dateFrom 2024-01-01T00:00:00+01:00", "A fixed start (the + is"
                    " encoded)", "GET", BASE, query={"dateFrom": "2024-01-01T00:00:00+01:00"}),
    ),
)  # fmt: skip

CREATE = CommandSpec(
    "create",
    "Create measurement",
    "POST",
    BASE,
    accept="application/vnd.com.nsn.cumulocity.measurement+json",
    params=(
        ParamSpec("device", "device[]", BODY, "Device id or name", property="source.id", required=True,
                  pipeline=True, pipeline_aliases=_SOURCE_ALIASES),
        ParamSpec("time", "datetime", BODY, "Time of the measurement", default="0s"),
        ParamSpec("type", "string", BODY, "Measurement type", required=True),
        ParamSpec("data", "json", BODY, "The values, e.g. c8y_Temperature.T.value=21.5"),
    ),
    examples=(
        ExampleSpec("c8y measurements create --device 12345 --time 2024-01-01T00:00:00Z --type "
                    "c8y_TemperatureMeasurement "
                    "--data 'c8y_Temperature.T.value=21.5,c8y_Temperature.T.unit=C'",
                    "A temperature", "POST", BASE,
                    body={"source": {"id": "12345"}, "time": "2024-01-01T00:00:00Z",
                          "type": "c8y_TemperatureMeasurement",
                          "c8y_Temperature": {"T": {"value": 21.5, "unit": "C"}}}),
    ),
)  # fmt: skip

ASSERT_COUNT = assert_count(
    "measurements",
    "/measurement/measurements",
    (ParamSpec("type", "string", CONTEXT, "Measurement type"),
     ParamSpec("valueFragmentType", "string", CONTEXT, "Value fragment type"),
     ParamSpec("valueFragmentSeries", "string", CONTEXT, "Value fragment series")),
)  # fmt: skip

GROUP = GroupSpec(
    "measurements",
    "Cumulocity measurements",
    (LIST, CREATE, ASSERT_COUNT),
)
