"""SmartREST codec, static-template validation and custom template collections: any bytes split,
decode and validate to records or ``SmartRestError``; a decoded record survives encode -> decode
unchanged in both escape styles; the records read as a collection (``s/ut``) or a ``SmartRestError``,
and a collection's stored fragment reads back to the same collection."""

from __future__ import annotations

import harness

with harness.instrumented():
    from c8ylink.core.errors import SmartRestError
    from c8ylink.core.smartrest.codec import EscapeStyle, decode_record, encode_record, split_records
    from c8ylink.core.smartrest.custom import apply_request, from_fragment, parse_collection, to_fragment
    from c8ylink.core.smartrest.messages import parse_record
    from c8ylink.core.smartrest.templates import Direction

SEEDS = [
    b"100,dev,c8y_MQTTDevice",
    b"200,c8y_Temp,T,21.5,C,2026-01-01T00:00:00Z\n201,S,,c8y_T,T,1\r\n",
    b'301,c8y_Alarm,"text, with ""quote"" and \\"slash\\""',
    b'116,a,1,,b,2,url\n117,"10"',
    b'528,dev,nginx,1.0,,install\n"unterminated',
    b'500\n501,c8y_Restart\n503,c8y_Command,"out\\\\"',
    b"10,999,POST,MEASUREMENT,,c8y_M,,c8y_M.M.value,NUMBER,\n10,1,GET,INVENTORY,,false\n11,2,,c8y_IsDevice,name",
    b"10,5,PUT,ALARM,,c8y_A,status,ALARMSTATUS,CLEARED,c8y_F.reason,STRING,\n11,6,c8y_R,id,a[*].b,c",
    b"10,7,PUT,INVENTORY,true,false,c8y_Serial,c8y_IsDevice,FLAG,,x.y,UNSIGNED,\n10,8,POST,INVENTORY,,c8y_Serial",
]


def one_input(data: bytes) -> None:
    style = EscapeStyle.DOUBLING if data[:1] == b"D" else EscapeStyle.BACKSLASH
    records = []
    with harness.expected(SmartRestError):
        for number, text in split_records(data, style):
            record = decode_record(text, style, line=number)
            again = decode_record(encode_record(record, style), style)
            if again != record:
                raise AssertionError(f"round trip changed {record!r} into {again!r}")
            for direction in Direction:
                with harness.expected(SmartRestError):
                    parse_record(record, direction)
            records.append((number, record))
    with harness.expected(SmartRestError):
        collection = parse_collection(records)
        if from_fragment(to_fragment(collection)) != collection:
            raise AssertionError(f"the stored fragment changed {collection!r}")
        for template, (_, record) in zip(collection.requests, records, strict=False):
            with harness.expected(SmartRestError):
                apply_request(template, record[2:])


if __name__ == "__main__":
    harness.main(one_input, SEEDS)
