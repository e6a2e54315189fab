"""SmartREST 2.0 custom templates, pure: the MQTT definition lines of Cumulocity's documentation, the
stored fragment, requests applied to templates and response lines read out of objects."""

from __future__ import annotations

import pytest

from c8ylink.core.smartrest.codec import decode_record
from c8ylink.core.smartrest.custom import (
    TemplateCollection,
    TemplateDefinitionError,
    TemplateValue,
    ValueType,
    apply_request,
    from_fragment,
    parse_collection,
    response_records,
    to_fragment,
)
from c8ylink.core.smartrest.validation import SmartRestValidationError


def _collection(*lines: str) -> TemplateCollection:
    return parse_collection([(number, decode_record(line)) for number, line in enumerate(lines, 1)])


def test_the_documented_measurement_template_takes_time_and_value() -> None:
    (template,) = _collection(
        "10,999,POST,MEASUREMENT,,c8y_MyMeasurement,,c8y_MyMeasurement.M.value,NUMBER,"
    ).requests
    assert template.values == (
        TemplateValue("type", ValueType.STRING, "c8y_MyMeasurement"),
        TemplateValue("time", ValueType.DATE, ""),
        TemplateValue("c8y_MyMeasurement.M.value", ValueType.NUMBER, ""),
    )
    timed = apply_request(template, ["2016-06-22T17:03:14.000+02:00", "25"])
    assert timed.body == {
        "type": "c8y_MyMeasurement",
        "time": "2016-06-22T17:03:14.000+02:00",
        "c8y_MyMeasurement": {"M": {"value": 25}},
    }
    assert apply_request(template, ["", "25.5"]).body == {
        "type": "c8y_MyMeasurement",
        "c8y_MyMeasurement": {"M": {"value": 25.5}},
    }


@pytest.mark.parametrize(
    ("line", "message", "id_type", "ref"),
    [
        ("10,999,GET,INVENTORY,,true", ["123456"], "", "123456"),
        ("10,999,GET,INVENTORY,,false,c8y_Serial", ["myDeviceImei"], "c8y_Serial", "myDeviceImei"),
        ("10,999,GET,INVENTORY,,false", ["c8y_Serial", "myDeviceImei"], "c8y_Serial", "myDeviceImei"),
    ],
)
def test_inventory_gets_address_by_id_or_external_id(
    line: str, message: list[str], id_type: str, ref: str
) -> None:
    (template,) = _collection(line).requests
    request = apply_request(template, message)
    assert (template.response, request.id_type, request.object_ref) == (True, id_type, ref)


def test_fixed_values_and_flags_need_nothing_from_the_message() -> None:
    (template,) = _collection(
        "10,999,PUT,ALARM,,c8y_MyCustomALarm,status,ALARMSTATUS,CLEARED,c8y_CustomFragment.reason,STRING,"
    ).requests
    assert apply_request(template, ["Device resolved alarm on its own"]).body == {
        "type": "c8y_MyCustomALarm",
        "status": "CLEARED",
        "c8y_CustomFragment": {"reason": "Device resolved alarm on its own"},
    }
    (flagged,) = _collection("10,5,PUT,INVENTORY,,false,c8y_Serial,c8y_IsDevice,FLAG,").requests
    assert apply_request(flagged, ["imei"]).body == {"c8y_IsDevice": {}}


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (["", "1", "2"], "Wrong number of arguments"),
        (["", "warm"], "Value is not a NUMBER: warm"),
        (["soon", "1"], "Value is not a DATE: soon"),
    ],
)
def test_a_message_that_does_not_fit_is_a_45(message: list[str], reason: str) -> None:
    (template,) = _collection("10,7,POST,MEASUREMENT,,c8y_T,,c8y_T.T.value,NUMBER,").requests
    with pytest.raises(SmartRestValidationError) as caught:
        apply_request(template, message)
    assert caught.value.to_record() == ("45", "7", reason)


def test_response_templates_read_objects_as_documented() -> None:
    collection = _collection(
        "11,111,c8y_CustomConfiguration,deviceId,val1,val2,customValues[*]",
        "11,222,,deviceId,c8y_CustomConfiguration.val1,c8y_CustomConfiguration.val2",
        "11,333,,deviceId,val1,val2,customValues[*]",
        "11,444,c8y_CustomConfiguration,c8y_CustomConfiguration.val3,val1,val2,customValues[*]",
    )
    operation = {
        "id": "12345",
        "deviceId": "67890",
        "status": "PENDING",
        "c8y_CustomConfiguration": {"val1": "1", "val2": "2", "customValues": ["a", "b", "c"]},
    }
    assert response_records(collection, operation, target="myMqttTestDevice") == [
        ("111", "myMqttTestDevice", "1", "2", "a", "b", "c"),
        ("222", "myMqttTestDevice", "1", "2"),
        ("333", "myMqttTestDevice", "", "", ""),
    ]
    listed = _collection('11,888,,,"$.myList[*].type"')
    assert response_records(listed, {"myList": [{"type": "test"}, {"type": "test2"}]}) == [
        ("888", "test", "test2")
    ]


def test_the_stored_fragment_reads_back_to_the_same_collection() -> None:
    collection = _collection(
        "10,1,POST,ALARM,,c8y_A,text,ACTIVE,MAJOR,,c8y_A.level,UNSIGNED,",
        "10,2,PUT,INVENTORY,true,false,c8y_Serial,c8y_Firmware.version,STRING,",
        "10,3,PUT,OPERATION,,c8y_Restart,status,OPERATIONSTATUS,SUCCESSFUL",
        "11,4,,c8y_Restart,id,description",
    )
    assert from_fragment(to_fragment(collection)) == collection


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("10,1,DELETE,EVENT,,t,x,", "DELETE EVENT is not supported"),
        ("10,1,POST,EVENT,maybe,t,x,", "response must be true or false"),
        ("10,1,GET,INVENTORY,,yes", "byId must be true or false"),
        ("10,1,POST,EVENT,,t,x,,a..b,STRING,", "Invalid JsonPath: a..b"),
        ("10,1,POST,EVENT,,t,x,,list[*],STRING,", "refer to a list of objects"),
        ("10,1,POST,ALARM,,t,x,ACTIVE,HUGE,", "Bad value type: HUGE is not a SEVERITY"),
        ("12,1,x", "Not a valid message identifier for template creation"),
        ("10,,POST,EVENT", "msgId, method and api are needed"),
    ],
)
def test_a_bad_definition_is_a_41_naming_the_line(line: str, reason: str) -> None:
    with pytest.raises(TemplateDefinitionError) as caught:
        _collection("11,9,,,name", line)
    code, reference, text = caught.value.to_record()
    assert (code, reference) == ("41", "2") and reason in text


@pytest.mark.parametrize(
    "fragment",
    [
        None,
        [],
        {"requestTemplates": {}},
        {"requestTemplates": [5]},
        {"requestTemplates": [{"msgId": "1", "method": "POST", "api": "EVENT", "customValues": "x"}]},
        {"responseTemplates": [{"msgId": "1", "pattern": "name"}]},
    ],
)
def test_a_stored_fragment_of_the_wrong_shape_is_a_41(fragment: object) -> None:
    with pytest.raises(TemplateDefinitionError):
        from_fragment(fragment)
