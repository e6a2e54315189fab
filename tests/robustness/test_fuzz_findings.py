"""Inputs that the fuzzers of issue 16 found crashing pure code: each is now a clean, typed error
(or a round trip that holds)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from c8ylink.core.jwt import JwtError, decode_jwt_claims, verify_jwt
from c8ylink.core.smartrest.codec import EscapeStyle, decode_records, encode_records
from c8ylink.core.topics import EntityTopicId
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.device.mapper.converter import convert
from c8ylink.device.mapper.entities import parse_registration
from c8ylink.device.mapper.errors import ConversionError
from c8ylink.device.mapper.message import Message
from c8ylink.device.mapper.state import MapperState


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_TOKENS = {
    "lone surrogate": "eyJhbGciOiJIUzI1NiJ9.e30\ud800.sig",
    "non-ASCII segment": "eyJhbGciOiJIUzI1NiJ9.e30é.sig",
    "deeply nested header": f"{_segment(b'[' * 100_000)}.{_segment(b'{}')}.sig",
    "deeply nested payload": _segment(b"{}") + "." + _segment(b'{"a":' * 50_000) + ".sig",
    "header is a list": f"{_segment(b'[]')}.{_segment(b'{}')}.sig",
    "two segments": "a.b",
    "empty": "",
}


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_malformed_token_is_a_jwt_error(token: str) -> None:
    with pytest.raises(JwtError):
        verify_jwt(token, b"key", now=0)
    if "header" not in token_name(token):  # reading claims (unverified) does not look at the header
        with pytest.raises(JwtError):
            decode_jwt_claims(token)


def token_name(token: str) -> str:
    return next(name for name, value in BAD_TOKENS.items() if value == token)


@pytest.mark.parametrize("style", list(EscapeStyle))
@pytest.mark.parametrize(
    "records", [[[""]], [[""], ["a", ""]], [["", ""]], [[" "]], [["x"], [""], ["y"]]], ids=repr
)
def test_records_with_empty_fields_survive_a_round_trip(records: list[list[str]], style: EscapeStyle) -> None:
    decoded = decode_records(encode_records(records, style), style)
    assert [list(record) for record in decoded] == records


@pytest.mark.parametrize("kind", [["child-device"], {"a": 1}, 5, None, True, "nonsense"], ids=repr)
def test_a_registration_with_a_bad_type_is_an_invalid_registration(kind: Any) -> None:
    with pytest.raises(ConversionError, match="Invalid registration"):
        parse_registration(EntityTopicId("device/child1//"), {"@type": kind})


# make fuzz (fuzz/fuzz_mapper.py): a type with a control character travelled on into the topic of the
# alarm's retained copy (c8y-internal/alarms/<topic>), which mosquitto refuses as malformed
BAD_CHANNEL_TOPICS = {
    "alarm type with U+0003": "te/device/main///a/high\x03x",
    "measurement type with U+001F": "te/device/main///m/env\x1f",
    "event type with DEL": "te/device/main///e/login\x7f",
    "twin fragment with a C1 control": "te/device/main///twin/x\x85",
}


@pytest.mark.parametrize("topic", BAD_CHANNEL_TOPICS.values(), ids=BAD_CHANNEL_TOPICS.keys())
def test_a_channel_type_a_broker_refuses_is_one_error_and_nothing_else(topic: str) -> None:
    config = MapperConfig(device_id="dev1")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    message = Message.of(topic, b'{"severity": "major", "text": "x", "t": 1}')
    out = convert(message, MapperState.create(config), now, config)
    assert [message.topic for message in out] == ["te/errors"]
    assert json.loads(out[0].payload)["topic"] == topic


# make fuzz (fuzz/fuzz_mapper.py): an operation id from the cloud became the last level of the command's
# topic (te/device/main///cmd/restart/c8y-mapper-#2); publishing to a topic with a wildcard is a
# protocol violation for which the broker drops the mapper's connection
BAD_OPERATION_IDS = ["#2", "1+1", "a/b", "x\x00y", "x\ny", "\x85"]


@pytest.mark.parametrize("operation_id", BAD_OPERATION_IDS, ids=ascii)
def test_an_operation_id_that_cannot_be_a_topic_level_is_one_error(operation_id: str) -> None:
    config = MapperConfig(device_id="dev1")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    operation = json.dumps({"id": operation_id, "c8y_Restart": {}, "externalSource": {"externalId": "dev1"}})
    out = convert(
        Message.of("c8y/devicecontrol/notifications", operation), MapperState.create(config), now, config
    )
    assert [message.topic for message in out] == ["te/errors"]
    assert "Invalid operation id" in json.loads(out[0].payload)["message"]
