"""``c8y util repeat | repeatfile | repeatcsv``: upstream's examples, as pure functions."""

from __future__ import annotations

import pytest

from c8ylink.operator.repeat import RepeatOptions, csv_rows, go_format, repeat_files, repeat_lines


@pytest.mark.parametrize(
    ("pattern", "values", "expected"),
    [
        ("%s", ["a"], "a"),
        ("%s %05s", ["device", "101"], "device 00101"),
        ("%s_%s", ["device", "1"], "device_1"),
        ("%-4s|", ["ab"], "ab  |"),
        ("%4s|", ["ab"], "  ab|"),
        ("100%% %s", ["x"], "100% x"),
        ("%s %s", ["x"], "x %!s(MISSING)"),
    ],
)
def test_go_format(pattern: str, values: list[str], expected: str) -> None:
    assert go_format(pattern, values) == expected


def test_repeat_as_upstream_examples() -> None:
    assert list(repeat_lines(["my name"], RepeatOptions(times=5))) == ["my name"] * 5
    assert (
        list(repeat_lines(["my name"], RepeatOptions(times=2, format="my prefix - %s")))
        == ["my prefix - my name"] * 2
    )
    assert list(repeat_lines(["device"], RepeatOptions(times=2, offset=100, format="%s %05s"))) == [
        "device 00101",
        "device 00102",
    ]
    twice = list(repeat_lines(["device"], RepeatOptions(times=2)))
    assert list(repeat_lines(twice, RepeatOptions(times=3, format="%s_%s"))) == [
        "device_1", "device_2", "device_3", "device_1", "device_2", "device_3",
    ]  # fmt: skip
    assert list(repeat_lines(["prefix "], RepeatOptions(format="id-"))) == ["id-prefix "]  # no %: appended


def test_repeat_skip_first_line_count_and_random_skip() -> None:
    lines = ["a", "b", "c", "d"]
    assert list(repeat_lines(lines, RepeatOptions(skip=1, first=2))) == ["b", "c"]
    counted = RepeatOptions(times=2, format="%s%s", use_line_count=True)
    assert list(repeat_lines(["a", "b"], counted)) == ["a1", "a2", "b3", "b4"]
    draws = iter([0.1, 0.9, 0.2, 0.8])
    assert list(repeat_lines(lines, RepeatOptions(random_skip=0.5), lambda: next(draws))) == ["b", "d"]
    forever = repeat_lines(["x"], RepeatOptions(infinite=True))
    assert [next(forever) for _ in range(100)] == ["x"] * 100
    assert list(repeat_lines(["x"], RepeatOptions(times=0))) == []


def test_repeatfile_loops_over_every_file() -> None:
    files = ["a\nb\n", "c\n"]
    assert list(repeat_files(files, RepeatOptions(times=2))) == ["a", "b", "c", "a", "b", "c"]
    assert list(repeat_files(files, RepeatOptions(times=2, first=4))) == ["a", "b", "c", "a"]
    assert list(repeat_files(files, RepeatOptions(format="%s-%s"))) == ["a-1", "b-2", "c-3"]


def test_csv_rows() -> None:
    assert csv_rows("name,type\nd1,t1\n\nd2,t2\n") == [
        {"name": "d1", "type": "t1"},
        {"name": "d2", "type": "t2"},
    ]
    assert csv_rows("name;type\nd1;t1\n") == [{"name": "d1", "type": "t1"}]  # delimiter detected
    assert csv_rows("d1\tt1\n", header=False, columns=["a", "b"]) == [{"a": "d1", "b": "t1"}]
    assert csv_rows("d1,t1\n", header=False) == [{"column1": "d1", "column2": "t1"}]
    assert csv_rows('\ufeffname,text\nd1,"a, b"\n') == [{"name": "d1", "text": "a, b"}]
    assert csv_rows("") == []
