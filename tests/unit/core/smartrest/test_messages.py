"""Builders give the documented lines; every template of the table round-trips build -> text -> parse."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from c8ylink.core.smartrest import messages as m
from c8ylink.core.smartrest.codec import (
    CUMULOCITY_STYLE,
    EscapeStyle,
    SmartRestDecodeError,
    decode_record,
    decode_records,
    encode_record,
    encode_records,
    split_records,
)
from c8ylink.core.smartrest.templates import TEMPLATES, Direction, FieldSpec, TemplateSpec, ValueKind
from c8ylink.core.smartrest.validation import SmartRestValidationError
from c8ylink.core.timestamps import format_timestamp

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

BUILDERS = [
    ("101 child", m.create_child_device("dev:device:child01", "child01", "SmartHomeHub", False),
     "101,dev:device:child01,child01,SmartHomeHub,false"),
    ("101 defaults left to the platform", m.create_child_device("c1"), "101,c1"),
    ("102 service", m.create_service("dev:device:main:service:nodered", "systemd", "Node-Red", "up"),
     "102,dev:device:main:service:nodered,systemd,Node-Red,up"),
    ("104 status", m.set_service_status("down"), "104,down"),
    ("114 operations", m.set_supported_operations(["c8y_Restart", "c8y_SoftwareUpdate"]),
     "114,c8y_Restart,c8y_SoftwareUpdate"),
    ("114 none", m.set_supported_operations([]), "114"),
    ("117 interval", m.set_required_availability(60), "117,60"),
    ("118 logs", m.set_supported_logs(["syslog", "dmesg"]), "118,syslog,dmesg"),
    ("119 configs", m.set_supported_configurations(["tedge.toml"]), "119,tedge.toml"),
    ("200 measurement", m.create_measurement("c8y_Temperature", "T", 25.0, "C", T0),
     "200,c8y_Temperature,T,25,C,2026-01-01T12:00:00.000Z"),
    ("301 critical alarm", m.create_alarm("critical", "temp_high", "Too hot, really", T0),
     '301,temp_high,"Too hot, really",2026-01-01T12:00:00.000Z'),
    ("304 warning alarm keeps time string", m.create_alarm("WARNING", "t", "x", "2023-01-25T18:41:14+02:00"),
     "304,t,x,2023-01-25T18:41:14+02:00"),
    ("306 clear", m.clear_alarm("temp_high"), "306,temp_high"),
    ("400 event", m.create_event("login", 'user "bob" logged in', T0),
     '400,login,"user \\"bob\\" logged in",2026-01-01T12:00:00.000Z'),
    ("500 pending", m.get_pending_operations(), "500"),
    ("501 executing", m.set_executing_fragment("c8y_Restart"), "501,c8y_Restart"),
    ("502 failed", m.set_failed_fragment("c8y_Restart", "no reboot"), "502,c8y_Restart,no reboot"),
    ("503 successful", m.set_successful_fragment("c8y_Command", "ok"), "503,c8y_Command,ok"),
    ("504 executing by id", m.set_executing("123"), "504,123"),
    ("505 failed by id", m.set_failed("123", "disk full"), "505,123,disk full"),
    ("506 successful by id", m.set_successful("123"), "506,123"),
    ("71 token", m.device_token("a.b.c"), "71,a.b.c"),
    ("70 credentials", m.device_credentials("t1", "device_x", "pw"), "70,t1,device_x,pw"),
    ("106 children", m.child_devices(["c1", "c2"]), "106,c1,c2"),
    ("124 id", m.device_id("4711"), "124,4711"),
    ("601 version", m.platform_version("10.18.0"), "601,10.18.0"),
    ("603 templates", m.supported_templates([100, 101]), "603,100,101"),
    ("s/e error", m.error_record(45, "201", "Wrong number of arguments"), "45,201,Wrong number of arguments"),
]  # fmt: skip


@pytest.mark.parametrize(("record", "line"), [c[1:] for c in BUILDERS], ids=[c[0] for c in BUILDERS])
def test_builders_write_the_documented_lines(record: tuple[str, ...], line: str) -> None:
    assert encode_record(record) == line


def test_failure_reasons_are_cut_to_500_bytes_without_breaking_characters() -> None:
    record = m.set_failed("1", "é" * 300)  # 600 bytes
    assert record[2] == "é" * 250
    record = m.set_failed_fragment("c8y_Restart", "x" + "é" * 300)  # 601 bytes: one byte left over
    assert len(record[2].encode("utf-8")) == 499


def test_software_list_is_sent_in_chunks_of_100() -> None:
    modules = [{"name": f"pkg{i}", "version": "1", "softwareType": "apt"} for i in range(250)]
    records = m.advanced_software_list(modules)
    assert [r[0] for r in records] == ["140", "141", "141"]
    assert [len(r) for r in records] == [1 + 4 * 100 - 1, 1 + 4 * 100 - 1, 1 + 4 * 50 - 1]
    assert m.advanced_software_list([]) == [("140",)]


def test_parse_names_fields_and_groups() -> None:
    parsed = m.parse_record(("201", "env", "", "c8y_T", "T", "21.5", "C"), Direction.UPSTREAM)
    assert parsed.spec.id == 201
    assert parsed["type"] == "env"
    assert parsed.values["time"] == ""
    assert parsed.groups == ({"fragment": "c8y_T", "series": "T", "value": "21.5", "unit": "C"},)


def test_build_refuses_unknown_field_names() -> None:
    with pytest.raises(KeyError, match="no field colour"):
        m.build_record("create_device", {"colour": "red"})


# --------------------------------------------------------------------------------------------- round trip


def _value(spec_field: FieldSpec, *, required: bool) -> st.SearchStrategy[str]:
    if spec_field.choices:
        present: st.SearchStrategy[str] = st.sampled_from(spec_field.choices)
    elif spec_field.kind is ValueKind.NUMBER:
        present = st.one_of(
            st.integers(-(10**9), 10**9), st.floats(allow_nan=False, allow_infinity=False)
        ).map(m.format_number)
    elif spec_field.kind is ValueKind.INTEGER:
        low, high = spec_field.bounds or (0, 10**6)  # valid messages stay within a declared range
        present = st.integers(max(low, 0), min(high, 10**6)).map(str)
    elif spec_field.kind is ValueKind.TIME:
        present = st.datetimes(timezones=st.just(UTC)).map(format_timestamp)
    elif spec_field.kind is ValueKind.BOOLEAN:
        present = st.sampled_from(["true", "false"])
    elif spec_field.kind is ValueKind.SEVERITY:
        present = st.sampled_from(["CRITICAL", "MAJOR", "MINOR", "WARNING"])
    else:
        present = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
    return present if required else st.one_of(st.just(""), present)


def _values(fields: tuple[FieldSpec, ...]) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({f.name: _value(f, required=f.required) for f in fields})


def _message(spec: TemplateSpec) -> st.SearchStrategy[tuple[dict[str, str], list[dict[str, str]]]]:
    groups = (
        st.lists(_values(spec.group), min_size=spec.min_groups, max_size=4) if spec.group else st.just([])
    )
    return st.tuples(_values(spec.fields), groups)


def _canonical(
    spec: TemplateSpec, values: Mapping[str, str], groups: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Groups as a parser sees them: trailing empty members are not on the wire."""
    while groups and not any(groups[-1].values()):
        groups = groups[:-1]
    return groups


SAMPLE_VALUES = {
    ValueKind.STRING: 'a "b", c',
    ValueKind.NUMBER: "-1.5e3",
    ValueKind.INTEGER: "42",
    ValueKind.TIME: "2021-10-23T19:03:26+0100",
    ValueKind.BOOLEAN: "false",
    ValueKind.SEVERITY: "MAJOR",
}


def _sample(spec_field: FieldSpec) -> str:
    return spec_field.choices[-1] if spec_field.choices else SAMPLE_VALUES[spec_field.kind]


def _round_trip(
    spec: TemplateSpec, values: dict[str, str], groups: list[dict[str, str]], style: EscapeStyle
) -> None:
    record = m.build_record(spec, values, groups)
    (decoded,) = decode_records(encode_record(record, style) + "\n", style)
    parsed = m.parse_record(decoded, spec.direction)
    assert parsed.spec is spec
    assert dict(parsed.values) == values
    assert [dict(g) for g in parsed.groups] == _canonical(spec, values, groups)


@pytest.mark.parametrize("spec", TEMPLATES, ids=[f"{t.id}-{t.name}" for t in TEMPLATES])
def test_every_template_round_trips_through_builder_codec_and_parser(spec: TemplateSpec) -> None:
    full = {f.name: _sample(f) for f in spec.fields}
    # every optional value left out (but one of a "one of" set)
    sparse = {f.name: _sample(f) if f.required or f.name in spec.one_of[:1] else "" for f in spec.fields}
    groups = [{f.name: _sample(f) for f in spec.group} for _ in range(2)] if spec.group else []
    for style in EscapeStyle:
        _round_trip(spec, full, groups, style)
        _round_trip(spec, sparse, groups[: spec.min_groups], style)


@settings(max_examples=300)
@given(data=st.data())
def test_any_valid_message_of_any_template_round_trips(data: st.DataObject) -> None:
    spec = data.draw(st.sampled_from(TEMPLATES))
    style = data.draw(st.sampled_from(list(EscapeStyle)))
    values, groups = data.draw(_message(spec))
    if spec.one_of:
        assume(any(values[name] for name in spec.one_of))
    _round_trip(spec, values, groups, style)


def test_a_server_handles_good_lines_and_answers_bad_ones_on_s_e() -> None:
    """The tenant's loop: split, decode, parse; every failure becomes an s/e line in upstream form."""
    payload = b'100,dev,type\n201,env\n400,t,"unterminated\n'
    handled, errors = [], []
    for line, text in split_records(payload):
        try:
            handled.append(m.parse_record(decode_record(text, line=line), Direction.UPSTREAM).spec.id)
        except (SmartRestDecodeError, SmartRestValidationError) as exc:
            errors.append(exc.to_record())
    assert handled == [100]
    assert encode_records(errors, CUMULOCITY_STYLE) == (
        "45,201,Wrong number of arguments\n42,3,unterminated quoted field (column 7)"
    )
