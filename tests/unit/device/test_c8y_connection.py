"""What `tedge connect c8y` checks before connecting: missing values and colliding profiles."""

from __future__ import annotations

from typing import Any

import pytest

from c8ylink.core.errors import ConfigError, ConfigNotSetError
from c8ylink.core.settings.errors import DerivedValueMissingError
from c8ylink.core.settings.resolve import Settings, build_settings
from c8ylink.device.c8y.connection import build_c8y_connection
from c8ylink.device.config.settings import TEDGE


def settings(data: dict[str, Any] | None) -> Settings:
    return build_settings(TEDGE, file_data=data, file_name="tedge.toml", env={}, config_dir="/etc/tedge")


def never(_: str) -> bool:
    return False


def test_missing_url_gives_the_documented_message() -> None:
    with pytest.raises(ConfigNotSetError) as info:
        build_c8y_connection(settings(None), None, path_exists=never)
    assert str(info.value) == (
        "Required configuration item is not provided 'c8y.url', run 'tedge config set c8y.url <value>' "
        "to add it to config."
    )


def test_missing_device_id() -> None:
    with pytest.raises(DerivedValueMissingError, match="The device id is read from the device certificate"):
        build_c8y_connection(settings({"c8y": {"url": "t.example.com"}}), None, path_exists=never)


def test_complete_configuration() -> None:
    data = {"c8y": {"url": "t.example.com", "auth_method": "auto"}, "device": {"id": "dev-1"}}
    connection = build_c8y_connection(settings(data), None, path_exists=never)
    assert (connection.device_id, str(connection.mqtt), connection.auth) == (
        "dev-1",
        "t.example.com:8883",
        "certificate",
    )
    assert connection.profile_label == "<none>"


def test_auto_auth_is_basic_when_the_credentials_file_exists() -> None:
    data = {"c8y": {"url": "t.example.com", "auth_method": "auto"}, "device": {"id": "dev-1"}}
    connection = build_c8y_connection(settings(data), None, path_exists=lambda path: True)
    assert connection.auth == "basic"


def test_profile_of_its_own() -> None:
    data = {
        "device": {"id": "dev-1"},
        "c8y": {"url": "a.example.com",
                "profiles": {"second": {"url": "b.example.com", "bridge": {"topic_prefix": "c8y-2"},
                                                                "proxy": {"bind": {"port": 8002}}}}},
    }  # fmt: skip
    connection = build_c8y_connection(settings(data), "second", path_exists=never)
    assert (connection.url, connection.topic_prefix, connection.profile_label) == (
        "b.example.com",
        "c8y-2",
        "second",
    )


def test_profiles_sharing_the_topic_prefix_are_refused() -> None:
    data = {
        "device": {"id": "dev-1"},
        "c8y": {"url": "a.example.com", "profiles": {"second": {"url": "b.example.com"}}},
    }
    with pytest.raises(ConfigError) as info:
        build_c8y_connection(settings(data), "second", path_exists=never)
    assert str(info.value) == (
        "The configurations: c8y.profiles.second.bridge.topic_prefix, c8y.bridge.topic_prefix "
        "should be set to "
        "different values before connecting, but are currently set to the same value"
    )
