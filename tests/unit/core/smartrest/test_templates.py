"""The template table covers the documented ids, and validation derived from it behaves per §2.2."""

from __future__ import annotations

import pytest

from c8ylink.core.smartrest.codec import decode_record
from c8ylink.core.smartrest.templates import (
    TEMPLATES,
    Direction,
    find_template,
    template_named,
    templates_of,
)
from c8ylink.core.smartrest.validation import SmartRestValidationError, validate_line

UPSTREAM_IDS = {
    *range(100, 103), 104, 105, 107, *range(110, 124), 125, 140, 141, 142, 143, 150,
    200, 201, 210, 211, 212, *range(301, 308), 400, 401, 402, 407, 408, *range(500, 508), 600, 602,
}  # fmt: skip
DOWNSTREAM_IDS = {106, 124, 510, 511, 513, *range(515, 531), 601, 603, 70, 71}
ERROR_IDS = {40, 41, 42, 43, 45, 50}


def test_the_table_holds_every_documented_template() -> None:
    assert {t.id for t in templates_of(Direction.UPSTREAM)} == UPSTREAM_IDS
    assert {t.id for t in templates_of(Direction.DOWNSTREAM)} == DOWNSTREAM_IDS
    assert {t.id for t in templates_of(Direction.ERROR)} == ERROR_IDS


def test_ids_are_unique_per_direction_and_names_unique() -> None:
    keys = [(t.direction, t.id) for t in TEMPLATES]
    assert len(keys) == len(set(keys))
    assert len({t.name for t in TEMPLATES}) == len(TEMPLATES)


def test_operation_templates_name_their_target_and_fragment() -> None:
    for spec in templates_of(Direction.DOWNSTREAM):
        if 510 <= spec.id <= 530:
            assert spec.fields[0].name == "target", spec.id
            assert spec.fragment and spec.fragment.startswith("c8y_"), spec.id
        else:
            assert spec.fragment is None, spec.id


def test_requests_name_their_reply() -> None:
    for request, reply in [(105, 106), (123, 124), (600, 601), (602, 603)]:
        spec = find_template(request, Direction.UPSTREAM)
        assert spec is not None and spec.reply == reply
        assert find_template(reply, Direction.DOWNSTREAM) is not None


def test_topics_follow_the_direction() -> None:
    assert template_named("create_device").topic == "s/us"
    assert template_named("restart").topic == "s/ds"
    assert template_named("invalid_arguments").topic == "s/e"


VALID = [
    ("100 without fields", "100"),
    ("100 trailing commas", "100,,"),
    ("100 type only", "100,,myType"),
    ("101 child with marker", "101,child,Child,type,false"),
    ("105 alone", "105"),
    ("114 empty list", "114"),
    ("114 list", "114,c8y_Restart,c8y_SoftwareUpdate"),
    ("116 missing url and version", "116,software1,version1,url1,software2,,url2,software3,version3"),
    ("117 minutes", "117,60"),
    ("140 group cut short by optional members", "140,nginx,1.2"),
    ("140 module without a version", "140,a,,debian,,b,2"),
    ("200 documented", "200,c8y_Temperature,T,25"),
    ("200 exponent and time", "200,f,s,-1.5e3,C,2016-06-22T17:03:14.000+02:00"),
    ("201 two series", "201,type,,c8y_T,T,1,C,c8y_H,H,2"),
    ("210 ber only", "210,,23"),
    ("211 offset without colon", "211,25,2021-10-23T19:03:26+0100"),
    ("301 default text", "301,c8y_TemperatureAlarm"),
    ("304 empty text with time", "304,c8y_TemperatureAlarm,,2013-06-22T17:03:14.000+02:00"),
    ("305 lower case severity", "305,c8y_TemperatureAlarm,critical"),
    ("400 documented", '400,c8y_MyEvent,"Something was triggered"'),
    ("407 without fragments", "407,c8y_MyEvent"),
    ("503 with result", "503,c8y_Command,done"),
    ("507 all", "507"),
]


@pytest.mark.parametrize("line", [c[1] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_upstream_lines_pass(line: str) -> None:
    validate_line(decode_record(line), Direction.UPSTREAM)


INVALID = [
    ("unknown id", "999,x", 43, "No static template for message id 999"),
    ("non-numeric id", "abc,x", 43, "Invalid message identifier: 'abc'"),
    ("empty id", ",x", 43, "Invalid message identifier: ''"),
    ("non-ASCII digits", "١٠٠", 43, "Invalid message identifier: '١٠٠'"),
    ("non-ASCII digits in a number", "200,f,s,١", 45, "Value is not a NUMBER: ١"),
    ("downstream id sent upstream", "510,dev", 43, "No static template for message id 510"),
    ("100 too many", "100,a,b,c", 45, "Wrong number of arguments"),
    ("105 with argument", "105,x", 45, "No arguments supported"),
    ("101 without child id", "101", 45, "Wrong number of arguments"),
    ("102 empty status", "102,svc,systemd,name,", 45, "Wrong number of arguments"),
    ("102 empty name", "102,svc,systemd,,up", 45, "Missing mandatory argument 'name'"),
    ("107 without fragments", "107", 45, "Wrong number of arguments"),
    ("117 not an integer", "117,1.5", 45, "Value is not a INTEGER: 1.5"),
    ("142 group cut short", "142,nginx", 45, "Wrong number of arguments"),
    (
        "150 unknown protocol",
        "150,SSH,FTP",
        45,
        "Value of 'protocol' must be one of SSH|TELNET|VNC|PASSTHROUGH: FTP",
    ),
    ("200 bad number", "200,f,s,abc", 45, "Value is not a NUMBER: abc"),
    ("200 infinite number", "200,f,s,1e999", 45, "Value is not a NUMBER: 1e999"),
    ("200 bad time", "200,f,s,1,,yesterday", 45, "Value is not a TIME: yesterday"),
    ("201 without series", "201,type", 45, "Wrong number of arguments"),
    ("201 incomplete series", "201,type,,c8y_T,T", 45, "Wrong number of arguments"),
    ("210 neither rssi nor ber", "210,,,2016-06-22T17:03:14.000+02:00", 45, "One of rssi, ber is required"),
    ("305 bad severity", "305,t,URGENT", 45, "Value is not a SEVERITY: URGENT"),
    ("400 without text", "400,c8y_MyEvent", 45, "Wrong number of arguments"),
    ("504 too many", "504,1,2", 45, "Wrong number of arguments"),
]


@pytest.mark.parametrize(("line", "code", "reason"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_upstream_lines_are_refused_with_an_s_e_record(line: str, code: int, reason: str) -> None:
    record = decode_record(line)
    with pytest.raises(SmartRestValidationError) as caught:
        validate_line(record, Direction.UPSTREAM)
    assert caught.value.to_record() == (str(code), record[0], reason)


INVALID_DOWNSTREAM = [
    (
        "528 bad action",
        "528,dev,nginx,1.2,,upgrade",
        "Value of 'action' must be one of install|delete: upgrade",
    ),
    ("528 without modules", "528,dev", "Wrong number of arguments"),
    ("510 without target", "510", "Wrong number of arguments"),
    ("522 bad maximum lines", "522,dev,syslog,,,,many", "Value is not a INTEGER: many"),
]


@pytest.mark.parametrize(
    ("line", "reason"), [c[1:] for c in INVALID_DOWNSTREAM], ids=[c[0] for c in INVALID_DOWNSTREAM]
)
def test_invalid_downstream_lines_are_refused(line: str, reason: str) -> None:
    with pytest.raises(SmartRestValidationError) as caught:
        validate_line(decode_record(line), Direction.DOWNSTREAM)
    assert caught.value.reason == reason
