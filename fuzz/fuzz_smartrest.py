"""SmartREST codec and static-template validation: any bytes split, decode and validate to records or
``SmartRestError``; a decoded record survives encode -> decode unchanged in both escape styles."""

from __future__ import annotations

import harness

with harness.instrumented():
    from c8ylink.core.errors import SmartRestError
    from c8ylink.core.smartrest.codec import EscapeStyle, decode_record, encode_record, split_records
    from c8ylink.core.smartrest.messages import parse_record
    from c8ylink.core.smartrest.templates import Direction

SEEDS = [
    b"100,dev,c8y_MQTTDevice",
    b"200,c8y_Temp,T,21.5,C,2026-01-01T00:00:00Z\n201,S,,c8y_T,T,1\r\n",
    b'301,c8y_Alarm,"text, with ""quote"" and \\"slash\\""',
    b'116,a,1,,b,2,url\n117,"10"',
    b'528,dev,nginx,1.0,,install\n"unterminated',
    b'500\n501,c8y_Restart\n503,c8y_Command,"out\\\\"',
]


def one_input(data: bytes) -> None:
    style = EscapeStyle.DOUBLING if data[:1] == b"D" else EscapeStyle.BACKSLASH
    with harness.expected(SmartRestError):
        for number, text in split_records(data, style):
            record = decode_record(text, style, line=number)
            again = decode_record(encode_record(record, style), style)
            if again != record:
                raise AssertionError(f"round trip changed {record!r} into {again!r}")
            for direction in Direction:
                with harness.expected(SmartRestError):
                    parse_record(record, direction)


if __name__ == "__main__":
    harness.main(one_input, SEEDS)
