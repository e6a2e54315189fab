"""Topic names and filters (MQTT 3.1.1 §4.7): what is valid, and which names a filter matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.mqtt.topic import (
    MAX_TOPIC_BYTES,
    Topic,
    TopicError,
    TopicFilter,
    topic_filter_problem,
    topic_level_problem,
    topic_name_problem,
)

# -- validity ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["c8y/s/us", "a", "/", "a//b", "$SYS/x", "tëst/ünïcode", " "])
def test_valid_names(name: str) -> None:
    assert Topic(name).name == name
    assert topic_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [("", "it is empty"), ("a/#", "wildcard"), ("a/+/b", "wildcard"), ("a+", "wildcard"),
     ("x\0y", "NUL"), ("\ud800", "not valid UTF-8"), ("é" * 32768, "longer than 65535 bytes")],
)  # fmt: skip
def test_invalid_names(name: str, problem: str) -> None:
    with pytest.raises(TopicError, match=f"is not a topic name: .*{re.escape(problem)}"):
        Topic(name)


# what mosquitto 2.0 refuses as a malformed PUBLISH (checked against a real broker): MQTT 3.1.1 §1.5.3's
# "should not" code points; a no-break space, a zero-width space and a space it accepts
REFUSED = [
    ("a\nb", "a control character (U+000A)"), ("a\x01b", "a control character (U+0001)"),
    ("\x1f", "U+001F"), ("a\x7fb", "a control character (U+007F)"),
    ("a\x9eo", "a control character (U+009E)"),
    ("\x80", "U+0080"), ("a\ufdd0", "a Unicode non-character (U+FDD0)"), ("\ufffe", "U+FFFE"),
    ("\uffff", "U+FFFF"), ("x\U0001fffe", "U+1FFFE"), ("x\U0010ffff", "U+10FFFF"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "problem"), REFUSED, ids=[ascii(case[0]) for case in REFUSED])
def test_control_characters_and_non_characters_are_refused(name: str, problem: str) -> None:
    with pytest.raises(TopicError, match=re.escape(problem)):
        Topic(name)
    assert topic_filter_problem(name) is not None
    assert topic_level_problem(name) is not None


@pytest.mark.parametrize("name", ["a\u00a0b", "a\u200bb", "a b", "\u00a1", "\ufdcf\ufdf0", "\U0001f600"])
def test_other_code_points_are_accepted(name: str) -> None:
    assert topic_name_problem(name) is None
    assert topic_level_problem(name) is None


@pytest.mark.parametrize(
    ("level", "problem"),
    [("", "empty"), ("a/b", "'/'"), ("+", "wildcard"), ("a#", "wildcard"), ("\0", "NUL"), ("a\rb", "U+000D")],
)
def test_a_topic_level_is_a_name_without_slash(level: str, problem: str) -> None:
    assert problem in (topic_level_problem(level) or "")


@given(st.text(max_size=20))
def test_a_level_is_refused_exactly_when_its_topic_would_be(level: str) -> None:
    refused = topic_level_problem(level) is not None
    assert refused == (not level or "/" in level or topic_name_problem(f"c8y/s/us/{level}") is not None)


def test_the_length_limit_counts_utf8_bytes() -> None:
    assert topic_name_problem("a" * MAX_TOPIC_BYTES) is None
    assert topic_name_problem("a" * (MAX_TOPIC_BYTES + 1)) is not None
    assert topic_name_problem("é" * (MAX_TOPIC_BYTES // 2)) is None  # two bytes each
    assert topic_name_problem("é" * (MAX_TOPIC_BYTES // 2 + 1)) is not None


@pytest.mark.parametrize("pattern", ["te/+/+/+/+/m/+", "#", "te/#", "+", "a//b", "/", "+/+", "/#"])
def test_valid_filters(pattern: str) -> None:
    assert TopicFilter(pattern).pattern == pattern


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [("", "it is empty"), ("te/#/m", "'#' must be a whole level, the last one"), ("te/a#", "'#' must"),
     ("te/+x", "'+' must be a whole level"), ("a+/b", "'+' must"), ("x\0y", "it contains NUL"),
     ("##", "'#' must")],
)  # fmt: skip
def test_invalid_filters(pattern: str, problem: str) -> None:
    with pytest.raises(TopicError, match=f"'.*' is not a topic filter: {re.escape(problem)}"):
        TopicFilter(pattern)
    assert topic_filter_problem(pattern) is not None


# -- matching ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("sport/tennis/player1/#", "sport/tennis/player1", True),  # the spec's examples
        ("sport/tennis/player1/#", "sport/tennis/player1/ranking", True),
        ("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", True),
        ("sport/#", "sport", True),
        ("sport/tennis/+", "sport/tennis/player1", True),
        ("sport/tennis/+", "sport/tennis/player1/ranking", False),
        ("sport/+", "sport", False),
        ("sport/+", "sport/", True),
        ("+/+", "/finance", True),
        ("/+", "/finance", True),
        ("+", "/finance", False),
        ("#", "$SYS/uptime", False),
        ("+/monitor/Clients", "$SYS/monitor/Clients", False),
        ("$SYS/#", "$SYS/uptime", True),
        ("$SYS/monitor/+", "$SYS/monitor/Clients", True),
        ("c8y/s/dc/#", "c8y/s/dc/mytemplate", True),
        ("c8y/s/ds", "c8y/s/ds", True),
        ("c8y/s/ds", "c8y/s/dsx", False),
        ("a/b", "a/b/c", False),
        ("a/+/c", "a//c", True),
    ],
)
def test_matches(pattern: str, name: str, expected: bool) -> None:
    assert TopicFilter(pattern).matches(name) is expected
    assert TopicFilter(pattern).matches(Topic(name)) is expected


# valid levels: no separators, wildcards, NUL, surrogates or control characters (nor non-characters)
LEVEL = st.text(st.characters(blacklist_characters="/+#\0", blacklist_categories=("Cs", "Cc")), max_size=4)
NAMES = st.lists(LEVEL, min_size=1, max_size=6).map("/".join).filter(lambda n: topic_name_problem(n) is None)


def reference_match(pattern: str, name: str) -> bool:
    """The same rule written another way: the filter as a regular expression."""
    if name.startswith("$") and pattern[:1] in ("+", "#"):
        return False
    parts = []
    for level in pattern.split("/"):
        parts.append("[^/]*" if level == "+" else ".*" if level == "#" else re.escape(level))
    regex = "/".join(parts)
    if regex.endswith("/.*"):
        regex = regex[:-3] + "(/.*)?"
    return re.fullmatch(regex, name, flags=re.S) is not None


@st.composite
def filters_from(draw: st.DrawFn, name: str) -> str:
    """A filter made from ``name`` by replacing some levels with ``+`` and maybe a tail with ``#``."""
    levels = name.split("/")
    wild = [draw(st.booleans()) for _ in levels]
    made = ["+" if replace else level for level, replace in zip(levels, wild, strict=True)]
    cut = draw(st.integers(0, len(made)))
    return "/".join([*made[:cut], "#"]) if draw(st.booleans()) else "/".join(made)


@given(NAMES)
def test_a_name_is_a_filter_that_matches_only_itself(name: str) -> None:
    assert TopicFilter(name).matches(name)
    assert not TopicFilter(name).matches(name + "/x")


@given(NAMES, st.data())
def test_a_filter_made_from_a_name_matches_it(name: str, data: st.DataObject) -> None:
    pattern = data.draw(filters_from(name))
    expected = not (name.startswith("$") and pattern[0] in "+#")
    assert TopicFilter(pattern).matches(name) is expected


@given(NAMES, st.data())
def test_matching_agrees_with_a_regular_expression(name: str, data: st.DataObject) -> None:
    other = data.draw(NAMES)
    pattern = data.draw(st.one_of(filters_from(name), filters_from(other)))
    assert TopicFilter(pattern).matches(name) is reference_match(pattern, name)


@given(NAMES)
def test_valid_names_are_valid_filters_without_wildcards(name: str) -> None:
    assert not TopicFilter(name).has_wildcards
    assert Topic(name).levels == tuple(name.split("/"))
