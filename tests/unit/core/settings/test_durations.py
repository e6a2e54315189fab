"""Durations: bare seconds or humantime, with humantime's error texts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.settings.durations import DurationType, parse_duration
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
