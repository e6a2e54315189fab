"""The Notifications 2.0 frame format shared by the tenant and ``c8y``: built and parsed back, go-c8y's
own sample, extra header lines, and frames that are no notification."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c8ylink.core.notification2 import (
    MessageFormatError,
    Notification,
    build_source,
    encode_message,
    parse_message,
    subscription_of_topic,
)

LINE = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), min_size=1).filter(
    lambda text: text.strip() == text
)


def test_a_frame_round_trips() -> None:
    text = encode_message("0001", build_source("t1", "measurements", "12"), "CREATE", '{"id":"7"}')
    assert text == '0001\n/t1/measurements/12\nCREATE\n\n{"id":"7"}'
    assert parse_message(text) == Notification("0001", "/t1/measurements/12", "CREATE", '{"id":"7"}')
    assert parse_message(text).api == "measurements"


def test_go_c8y_sample_parses() -> None:
    raw = (
        "CLJuEJgjIAAwAQ==\n/t123456/measurements/12345\nCREATE\n\n"
        '{"id":"12345","source":{"id":"11111"},"type":"temperature"}'
    )
    message = parse_message(raw)
    assert (message.ack_id, message.source, message.action) == (
        "CLJuEJgjIAAwAQ==",
        "/t123456/measurements/12345",
        "CREATE",
    )
    assert message.body.startswith('{"id":"12345"')


def test_extra_header_lines_and_crlf_are_kept_apart() -> None:
    message = parse_message("a\r\n/t1/alarms/3\r\nUPDATE\r\nx-extra\n\n{}")
    assert (message.ack_id, message.action, message.headers, message.body) == (
        "a",
        "UPDATE",
        ("x-extra",),
        "{}",
    )


@pytest.mark.parametrize(
    "text",
    ["", "just text", "a\n/t/b\n\n{}", "a\n/t/b\nCREATE\n{}", "\n/t/b\nCREATE\n\n{}"],
    ids=["empty", "one-line", "two-headers", "no-blank-line", "empty-ack-id"],
)
def test_frames_that_are_no_notification_are_refused(text: str) -> None:
    with pytest.raises(MessageFormatError):
        parse_message(text)


def test_header_values_must_be_one_line() -> None:
    with pytest.raises(MessageFormatError, match="ack id"):
        encode_message("a\nb", "/t/x/1", "CREATE", "{}")
    with pytest.raises(MessageFormatError, match="action"):
        encode_message("a", "/t/x/1", "", "{}")


@given(LINE, LINE, st.sampled_from(["CREATE", "UPDATE", "DELETE"]), st.text())
def test_what_is_encoded_parses_back(ack_id: str, source: str, action: str, body: str) -> None:
    parsed = parse_message(encode_message(ack_id, source, action, body))
    assert (parsed.ack_id, parsed.source, parsed.action, parsed.body) == (ack_id, source, action, body)


def test_the_subscription_of_a_token_topic() -> None:
    assert subscription_of_topic("t100/relnotif/mine") == "mine"
    assert subscription_of_topic("t100/other/mine") == ""
    assert subscription_of_topic("mine") == ""
