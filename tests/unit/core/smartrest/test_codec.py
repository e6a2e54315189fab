"""SmartREST CSV rules (cumulocity-api.md §2.1): what devices send, what the platform sends, broken input."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from c8ylink.core.errors import SmartRestError
from c8ylink.core.smartrest.codec import (
    CUMULOCITY_STYLE,
    SMARTREST_MAX_BYTES,
    THIN_EDGE_STYLE,
    EscapeStyle,
    SmartRestDecodeError,
    decode_record,
    decode_records,
    encode_field,
    encode_record,
    encode_records,
    split_records,
)

ENCODE_CASES = [
    ("plain", "abc", "abc", "abc"),
    ("empty", "", "", ""),
    ("comma", "a,b", '"a,b"', '"a,b"'),
    ("quote", 'say "hi"', '"say \\"hi\\""', '"say ""hi"""'),
    ("newline", "a\nb", '"a\nb"', '"a\nb"'),
    ("carriage return", "a\rb", '"a\rb"', '"a\rb"'),
    ("tab", "a\tb", '"a\tb"', '"a\tb"'),
    ("leading space", " a", '" a"', '" a"'),
    ("trailing space", "a ", '"a "', '"a "'),
    ("inner space only", "a b", "a b", "a b"),
    ("backslash unquoted", "C:\\dir", "C:\\dir", "C:\\dir"),
    ("backslash at end of quoted", "a,\\", '"a,\\\\"', '"a,\\"'),
    ("literal backslash-n stays", "x,\\n", '"x,\\n"', '"x,\\n"'),
    ("unicode", "°C, 温度", '"°C, 温度"', '"°C, 温度"'),
]


@pytest.mark.parametrize(
    ("value", "backslash", "doubling"), [c[1:] for c in ENCODE_CASES], ids=[c[0] for c in ENCODE_CASES]
)
def test_fields_are_quoted_only_when_needed(value: str, backslash: str, doubling: str) -> None:
    assert encode_field(value, EscapeStyle.BACKSLASH) == backslash
    assert encode_field(value, EscapeStyle.DOUBLING) == doubling


DECODE_CASES = [
    ("documented platform line", '511,mySerial,"execute this\\nand \\"this\\""',
     [("511", "mySerial", 'execute this\\nand "this"')]),
    ("rfc4180 doubling accepted", '400,t,"He said ""hi"""', [("400", "t", 'He said "hi"')]),
    ("empty optional", "100,,myType", [("100", "", "myType")]),
    ("trailing commas kept as empty fields", "100,,", [("100", "", "")]),
    ("quoted empty field", '100,"",x', [("100", "", "x")]),
    ("several lines", "200,a,b,1\n200,a,b,2", [("200", "a", "b", "1"), ("200", "a", "b", "2")]),
    ("crlf line ends", "500\r\n501,c8y_Restart\r\n", [("500",), ("501", "c8y_Restart")]),
    ("newline inside quotes is not a record break", '113,"a=1\nb=2"\n500', [("113", "a=1\nb=2"), ("500",)]),
    ("comma inside quotes", '302,t,"a, b"', [("302", "t", "a, b")]),
    ("blank lines skipped", "500\n\n   \n501,x\n", [("500",), ("501", "x")]),
    ("whitespace kept in unquoted field", "400, t ,x", [("400", " t ", "x")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "records"), [c[1:] for c in DECODE_CASES], ids=[c[0] for c in DECODE_CASES]
)
def test_decode_reads_every_record(payload: str, records: list[tuple[str, ...]]) -> None:
    assert decode_records(payload) == records
    assert decode_records(payload.encode("utf-8")) == records


def test_doubling_style_reads_backslashes_literally() -> None:
    assert decode_records('400,t,"a,\\"', THIN_EDGE_STYLE) == [("400", "t", "a,\\")]
    assert decode_records('400,t,"C:\\dir, x"', THIN_EDGE_STYLE) == [("400", "t", "C:\\dir, x")]
    with pytest.raises(SmartRestDecodeError):
        decode_records('400,t,"a,\\"', CUMULOCITY_STYLE)


BROKEN_CASES = [
    ("unterminated quote", '400,t,"abc', 1, 7, "unterminated quoted field"),
    ("text after closing quote", '400,t,"abc"x,1', 1, 12, "unexpected 'x' after a closing quote"),
    ("quote inside unquoted field", '400,t,ab"c', 1, 9, "quote inside an unquoted field"),
    ("space before opening quote", '400,t, "abc"', 1, 8, "quote inside an unquoted field"),
    ("broken second line", '500\n400,t,"abc', 2, 7, "unterminated quoted field"),
]


@pytest.mark.parametrize(
    ("payload", "line", "column", "reason"), [c[1:] for c in BROKEN_CASES], ids=[c[0] for c in BROKEN_CASES]
)
def test_broken_quoting_names_line_and_column(payload: str, line: int, column: int, reason: str) -> None:
    with pytest.raises(SmartRestDecodeError) as caught:
        decode_records(payload)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.reason.startswith(reason)
    assert caught.value.code == 42
    assert caught.value.to_record() == ("42", str(line), f"{caught.value.reason} (column {column})")
    assert isinstance(caught.value, SmartRestError)


def test_non_utf8_bytes_name_the_line() -> None:
    with pytest.raises(SmartRestDecodeError) as caught:
        decode_records(b"500\n400,t,\xff\xfe")
    assert caught.value.line == 2
    assert caught.value.column == 7
    assert "invalid UTF-8 byte 0xff" in str(caught.value)


def test_empty_lines_can_be_refused() -> None:
    with pytest.raises(SmartRestDecodeError) as caught:
        decode_records("500\n\n501,x", allow_empty_lines=False)
    assert (caught.value.line, caught.value.reason) == (2, "empty line")
    # a final line break is not an empty line
    assert decode_records("500\n", allow_empty_lines=False) == [("500",)]


def test_split_lets_a_server_carry_on_after_a_broken_line() -> None:
    lines = split_records('400,t,"a"b\n500\n501,x')
    results = []
    for number, text in lines:
        try:
            results.append(decode_record(text, line=number))
        except SmartRestDecodeError as exc:
            results.append(("error", str(exc.line)))
    assert results == [("error", "1"), ("500",), ("501", "x")]


def test_payload_limit_is_enforced() -> None:
    record = ("400", "t", "x" * SMARTREST_MAX_BYTES)
    with pytest.raises(SmartRestError, match="exceeds the limit of 16000 bytes"):
        encode_records([record], max_bytes=SMARTREST_MAX_BYTES)
    assert encode_records([("500",), ("501", "a")], max_bytes=10) == "500\n501,a"


# tricky characters often, any other character sometimes
field_text = st.one_of(
    st.text(alphabet='a ,"\\\n\r\t', max_size=12),
    st.text(st.characters(codec="utf-8"), max_size=30),
)
records = st.lists(st.lists(field_text, min_size=1, max_size=6).map(tuple), min_size=1, max_size=5)


def _meaningful(batch: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Records that are not a single blank field (those read as blank lines)."""
    return [record for record in batch if not (len(record) == 1 and not record[0].strip())]


@pytest.mark.parametrize("style", list(EscapeStyle), ids=lambda s: s.value)
@given(batch=records)
def test_encode_then_decode_gives_the_records_back(style: EscapeStyle, batch: list[tuple[str, ...]]) -> None:
    batch = _meaningful(batch)
    assert decode_records(encode_records(batch, style), style) == batch


@given(record=st.lists(field_text, min_size=2, max_size=6).map(tuple))
def test_the_tenant_reads_what_thin_edge_writes_unless_a_backslash_precedes_a_quote(
    record: tuple[str, ...],
) -> None:
    text = encode_record(record, THIN_EDGE_STYLE)
    assume('\\"' not in text and "\\\\" not in text)  # the platform reads \" as an escaped quote
    assert decode_records(text, CUMULOCITY_STYLE) == [record]
