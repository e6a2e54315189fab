"""Value types: the upstream parse rules and error texts, and format/parse round-trips."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.settings.errors import ValueParseError
from c8ylink.core.settings.types import (
    BoolType,
    EnumType,
    IntType,
    IpAddrType,
    ParseContext,
    PathType,
    StrListType,
    TopicIdType,
    TopicPrefixType,
    merge_items,
    remove_items,
    rust_debug_str,
)

CTX = ParseContext(cwd="/home/user")
PORT = IntType(minimum=0, maximum=65535)
NONZERO = IntType(minimum=1, maximum=65535)


def reason(parse: object, text: str) -> str:
    with pytest.raises(ValueParseError) as info:
        parse(text, CTX)  # type: ignore[operator]
    return info.value.reason


@pytest.mark.parametrize(("text", "value"), [("true", True), ("false", False)])
def test_bool_accepts_only_true_and_false(text: str, value: bool) -> None:
    assert BoolType().parse(text, CTX) is value


@pytest.mark.parametrize("text", ["yes", "True", "1", "", " true"])
def test_bool_rejects_anything_else(text: str) -> None:
    assert reason(BoolType().parse, text) == "provided string was not `true` or `false`"


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (PORT, "abc", "invalid digit found in string"),
        (PORT, "-1", "invalid digit found in string"),
        (PORT, "", "cannot parse integer from empty string"),
        (PORT, "65536", "number too large to fit in target type"),
        (NONZERO, "0", "number would be zero for non-zero type"),
    ],
    ids=["letters", "negative", "empty", "too-large", "zero-for-nonzero"],
)
def test_integer_errors_are_rusts(kind: IntType, text: str, message: str) -> None:
    assert reason(kind.parse, text) == message


def test_integer_custom_error_names_the_value() -> None:
    size = IntType(minimum=1, maximum=10, error="Invalid size: {value}")
    assert reason(size.parse, "11") == "Invalid size: 11"
    assert reason(size.parse, "0") == "Invalid size: 0"


def test_integer_from_toml_takes_numbers_and_rejects_other_types() -> None:
    assert PORT.from_toml(1883, CTX) == 1883
    assert PORT.to_toml(1883) == 1883
    with pytest.raises(ValueParseError, match="invalid type: boolean `true`, expected"):
        PORT.from_toml(True, CTX)


def test_enum_uses_the_upstream_message_and_aliases() -> None:
    auth = EnumType(
        ("certificate", "basic", "auto"),
        "Failed to parse flag: {value}. Supported values are: 'certificate', 'basic' or 'auto'",
        aliases=(("password", "basic"),),
    )
    assert auth.parse("auto", CTX) == "auto"
    assert auth.parse("password", CTX) == "basic"
    assert reason(auth.parse, "token") == (
        "Failed to parse flag: token. Supported values are: 'certificate', 'basic' or 'auto'"
    )


def test_ip_address() -> None:
    assert IpAddrType().parse("::1", CTX) == ipaddress.ip_address("::1")
    assert reason(IpAddrType().parse, "localhost") == "invalid IP address syntax"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/etc/tedge/x.pem", "/etc/tedge/x.pem"),
        ("certs/x.pem", "/home/user/certs/x.pem"),
        ("/a/../b/./c", "/b/c"),
    ],
)
def test_absolute_paths_are_resolved_against_the_working_directory(text: str, expected: str) -> None:
    assert PathType().parse(text, CTX) == expected


def test_relative_path_type_keeps_the_text() -> None:
    assert PathType(absolute=False).parse("run/x.sock", CTX) == "run/x.sock"


def test_list_is_comma_separated_trimmed_without_empty_items() -> None:
    assert StrListType().parse(" a, b ,,c ,", CTX) == ("a", "b", "c")
    assert StrListType().parse("", CTX) == ()


def test_list_from_toml_accepts_arrays_and_comma_strings() -> None:
    assert StrListType().from_toml(["x", "y"], CTX) == ("x", "y")
    assert StrListType().from_toml("x,y", CTX) == ("x", "y")
    with pytest.raises(ValueParseError):
        StrListType().from_toml([1, 2], CTX)


def test_list_prints_rust_debug_style() -> None:
    assert StrListType().display(("a", "b")) == '["a", "b"]'
    assert StrListType().display(()) == "[]"
    assert StrListType().display(('say "hi"', "back\\slash")) == '["say \\"hi\\"", "back\\\\slash"]'


def test_rust_debug_escapes_control_characters() -> None:
    assert rust_debug_str("a\nb\t\x01") == '"a\\nb\\t\\u{1}"'


def test_add_and_remove_are_set_operations() -> None:
    assert merge_items(("b", "a"), ("c", "a")) == ("a", "b", "c")
    assert remove_items(("b", "a", "c", "b"), ("c",)) == ("a", "b")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Topic prefix must not be empty"),
        ("c8y/#", "Topic prefix cannot contain '#'"),
        ("c8y+", "Topic prefix cannot contain '+'"),
        ("c8y-internal", "Topic prefix cannot be c8y-internal"),
    ],
)
def test_topic_prefix_rules(text: str, message: str) -> None:
    assert reason(TopicPrefixType().parse, text) == message


def test_topic_id_has_four_segments() -> None:
    assert TopicIdType().parse("device/child_001//", CTX) == "device/child_001//"
    assert "exactly 4 segments" in reason(TopicIdType().parse, "device/main")


ITEM = st.text(st.characters(blacklist_characters=",", blacklist_categories=("Cs",)), min_size=1).map(
    str.strip
)


@given(st.lists(ITEM.filter(bool)))
def test_list_text_round_trips(items: list[str]) -> None:
    kind = StrListType()
    value = tuple(items)
    assert kind.parse(kind.to_text(value), CTX) == value
    assert kind.from_toml(kind.to_toml(value), CTX) == value


@given(st.integers(min_value=0, max_value=65535))
def test_port_round_trips(port: int) -> None:
    assert PORT.parse(PORT.to_text(port), CTX) == port
    assert PORT.from_toml(PORT.to_toml(port), CTX) == port


@given(st.booleans())
def test_bool_round_trips(value: bool) -> None:
    assert BoolType().parse(BoolType().to_text(value), CTX) is value
