"""Durations: bare seconds or humantime, with humantime's error texts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.settings.durations import GO_DURATION, DurationType, parse_duration
from c8ylink.core.settings.errors import ValueParseError
from c8ylink.core.settings.types import ParseContext

CTX = ParseContext()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("60", 60),
        ("0", 0),
        ("60s", 60),
        ("1h", 3600),
        ("60m", 3600),
        ("30d", 30 * 86400),
        ("365d", 365 * 86400),
        ("1h30m", 5400),
        ("1h 30m", 5400),
        ("2 min", 120),
        ("1w", 7 * 86400),
        ("500ms", 0.5),
    ],
)
def test_valid_durations(text: str, seconds: float) -> None:
    duration = parse_duration(text)
    assert duration.seconds == seconds
    assert duration.text == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "value was empty"),
        ("   ", "value was empty"),
        ("m", "expected number at 0"),
        ("10", None),
        ("10x", 'unknown time unit "x", supported units: ns, us, ms, sec, min, hours, days, weeks, months, '
                "years (and few variations)"),
        ("1h 30", "time unit needed, for example 30sec or 30ms"),
        ("-5s", "expected number at 0"),
        ("5s!", "invalid character at 2"),
        ("99999999999999999999999s", "number is too large"),
    ],
)  # fmt: skip
def test_duration_errors(text: str, message: str | None) -> None:
    if message is None:
        parse_duration(text)
        return
    with pytest.raises(ValueParseError) as info:
        parse_duration(text)
    assert info.value.reason == message


def test_duration_keeps_the_text_it_was_given() -> None:
    kind = DurationType()
    value = kind.parse("60m", CTX)
    assert kind.display(value) == "60m"
    assert kind.to_toml(value) == "60m"
    assert kind.from_toml(3600, CTX).seconds == 3600


UNITS = ["ns", "us", "ms", "s", "sec", "m", "min", "h", "hours", "d", "days", "w", "weeks"]


@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(UNITS)), min_size=1, max_size=4))
def test_human_time_round_trips(parts: list[tuple[int, str]]) -> None:
    kind = DurationType()
    text = " ".join(f"{number}{unit}" for number, unit in parts)
    value = kind.parse(text, CTX)
    again = kind.parse(kind.to_text(value), CTX)
    assert again == value
    assert kind.from_toml(kind.to_toml(value), CTX) == value


@given(st.integers(0, 2**40))
def test_seconds_round_trip(seconds: int) -> None:
    assert parse_duration(str(seconds)).seconds == seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("8h", 8 * 3600),
        ("8H", 8 * 3600),
        ("5M", 300),  # go-c8y-cli reads units in any case: M is minutes there, months in humantime
        ("1h30m", 5400),
        ("1.5h", 5400),
        ("1.5s", 1.5),
        ("500ms", 0.5),
        ("2d", 2 * 86400),
        ("3600", 3600),
        ("0.5", 0.5),
        (" 2h ", 7200),
    ],
)
def test_go_durations(text: str, seconds: float) -> None:
    assert parse_duration(text, GO_DURATION).seconds == seconds


@pytest.mark.parametrize("text", ["1.5s", "0.5", "8H"])
def test_tedge_durations_stay_humantime(text: str) -> None:
    with pytest.raises(ValueParseError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1h30", "time unit needed, for example 30sec or 30ms"),
        ("-5s", "expected number at 0"),
        ("1..5s", "invalid character at 2"),
        ("soon", "expected number at 0"),
    ],
)
def test_go_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueParseError) as info:
        parse_duration(text, GO_DURATION)
    assert info.value.reason == message


def test_bare_numbers_count_in_the_grammars_unit() -> None:
    milliseconds = GO_DURATION._replace(bare_unit="ms")
    assert parse_duration("250", milliseconds).seconds == 0.25
    assert parse_duration("1.5s", milliseconds).seconds == 1.5


def test_go_duration_type_reads_json_numbers_as_seconds() -> None:
    kind = DurationType(GO_DURATION)
    assert kind.from_toml(90, CTX).seconds == 90
    assert kind.from_toml(1.5, CTX).seconds == 1.5
    assert kind.to_text(kind.parse("1.5h", CTX)) == "1.5h"


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 999), st.sampled_from(UNITS)), min_size=1,
                max_size=4))  # fmt: skip
def test_go_fractions_add_up(parts: list[tuple[int, int, str]]) -> None:
    text = "".join(f"{whole}.{fraction:03d}{unit}" for whole, fraction, unit in parts)
    whole_text = "".join(f"{whole}{unit}" for whole, _, unit in parts)
    assert parse_duration(text, GO_DURATION).nanos >= parse_duration(whole_text).nanos
