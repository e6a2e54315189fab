"""`tedge mqtt` and the connect checks, the parts that need no broker: topics, payloads, JWT issuers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.jwt import encode_jwt
from c8ylink.core.settings.resolve import Settings
from c8ylink.device.connect.c8y_checks import _issuer, random_suffix
from c8ylink.device.connect.config import ConnectConfig
from c8ylink.device.connect.connector import tenant_mismatch
from c8ylink.device.mqtt.pub_sub import (
    PublishRequest,
    check_publish_topic,
    check_topic_filter,
    format_message,
)
from c8ylink.infra.net.mqtt_options import MqttMessage

SettingsOf = Callable[..., Settings]
ConfigOf = Callable[..., ConnectConfig]


@pytest.mark.parametrize("topic", ["c8y/s/us", "te/device/main///m/", "a"])
def test_topics_to_publish_to(topic: str) -> None:
    assert check_publish_topic(topic) == topic


@pytest.mark.parametrize("topic", ["", "c8y/#", "te/+/x", "a\0b"])
def test_no_wildcards_when_publishing(topic: str) -> None:
    with pytest.raises(C8yLinkError, match="Invalid topic name"):
        check_publish_topic(topic)


@pytest.mark.parametrize("topic", ["#", "c8y/#", "te/+/+/+/+/m/+", "+", "a/b"])
def test_topic_filters(topic: str) -> None:
    assert check_topic_filter(topic) == topic


@pytest.mark.parametrize("topic", ["", "c8y/#/x", "c8y/a#", "te/x+", "a\0"])
def test_bad_topic_filters(topic: str) -> None:
    with pytest.raises(C8yLinkError, match="Invalid topic filter"):
        check_topic_filter(topic)


def test_received_messages_are_printed_with_their_topic() -> None:
    message = MqttMessage("c8y/s/ds", b"124,42\0")
    assert format_message(message, hide_topic=False, as_base64=False) == "[c8y/s/ds] 124,42"
    assert format_message(message, hide_topic=True, as_base64=False) == "124,42"
    assert format_message(MqttMessage("t", b"\xff\x00x"), hide_topic=True, as_base64=True) == "/wB4"
    assert format_message(MqttMessage("t", b"\xffok"), hide_topic=True, as_base64=False) == "\ufffdok"


def test_base64_messages_are_decoded_before_publishing() -> None:
    assert PublishRequest("t", "aGVsbG8=", base64=True).payload() == b"hello"
    assert PublishRequest("t", "héllo").payload() == "héllo".encode()
    with pytest.raises(C8yLinkError, match="not valid base64"):
        PublishRequest("t", "not base64!", base64=True).payload()


def test_the_tenant_of_a_token_is_its_issuer() -> None:
    assert _issuer(encode_jwt({"iss": "t100.example.com"}, b"k")) == "t100.example.com"
    assert _issuer(encode_jwt({"iss": "https://t100.example.com/"}, b"k")) == "t100.example.com"
    with pytest.raises(C8yLinkError) as caught:
        _issuer("not-a-token")
    assert str(caught.value).startswith(
        "The JWT token received from Cumulocity is invalid.\nToken: not-a-token\n"
    )
    with pytest.raises(C8yLinkError, match="Reason: no iss claim"):
        _issuer(encode_jwt({"sub": "x"}, b"k"))


def test_client_id_suffixes_are_ten_lowercase_letters() -> None:
    suffix = random_suffix()
    assert len(suffix) == 10 and suffix.isalpha() and suffix.islower()


def test_a_token_from_another_tenant_is_a_warning(settings_of: SettingsOf, connect_config: ConfigOf) -> None:
    config = connect_config(settings_of('[device]\nid = "d"\n[c8y]\nurl = "mine.example.com"\n'))
    assert tenant_mismatch("mine.example.com", config) is None
    assert tenant_mismatch("other.example.com", config) == (
        "The device is connected to other.example.com, but the configured URL is "
        "(mqtt=mine.example.com, http=mine.example.com).\n"
        "    To connect the device to the intended tenant, remove the device certificate from "
        "other.example.com, and then run tedge reconnect c8y"
    )
