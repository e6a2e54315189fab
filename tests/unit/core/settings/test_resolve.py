"""Layered resolution: defaults < file < environment, profiles, derived values and their errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from c8ylink.core.errors import ConfigError, ConfigNotSetError
from c8ylink.core.settings.errors import DerivedValueMissingError, ProfileError
from c8ylink.core.settings.resolve import Settings
from c8ylink.core.settings.schema import Schema

SettingsFactory = Callable[..., Settings]


def test_defaults_when_nothing_is_configured(settings_from: SettingsFactory) -> None:
    settings = settings_from()
    assert settings.value("broker.bind.port") == 1883
    assert settings.value("broker.client.port") == 1883
    assert settings.value("device.cert_path") == "/etc/test/certs/cert.pem"
    assert settings.value("cloud.topics") == ("x", "y")


def test_a_key_without_default_is_not_set(settings_from: SettingsFactory) -> None:
    with pytest.raises(ConfigNotSetError) as info:
        settings_from().value("cloud.url")
    assert info.value.key == "cloud.url"


def test_a_default_from_another_key_names_that_key_when_missing(settings_from: SettingsFactory) -> None:
    with pytest.raises(ConfigNotSetError) as info:
        settings_from().value("cloud.mqtt")
    assert info.value.key == "cloud.url"
    assert str(info.value) == (
        "Required configuration item is not provided 'cloud.url', run 'tedge config set cloud.url <value>' "
        "to add it to config."
    )


def test_file_overrides_defaults_and_feeds_derived_defaults(settings_from: SettingsFactory) -> None:
    settings = settings_from({"cloud": {"url": "t.example.com"}, "broker": {"bind": {"port": 1884}}})
    assert str(settings.value("cloud.mqtt")) == "t.example.com:8883"
    assert settings.value("broker.client.port") == 1884


def test_environment_overrides_the_file(settings_from: SettingsFactory) -> None:
    settings = settings_from({"cloud": {"url": "file.example.com"}}, {"TEST_CLOUD_URL": "env.example.com"})
    assert settings.value("cloud.url") == "env.example.com"


def test_environment_names_are_case_insensitive(settings_from: SettingsFactory) -> None:
    assert settings_from(env={"TEST_cloud_Url": "a.example.com"}).value("cloud.url") == "a.example.com"


def test_empty_environment_value_resets_to_the_default(settings_from: SettingsFactory) -> None:
    settings = settings_from({"broker": {"bind": {"port": 1884}}}, {"TEST_BROKER_BIND_PORT": ""})
    assert settings.value("broker.bind.port") == 1883


@pytest.mark.parametrize(
    ("value", "expected"),
    [('["a", "b"]', ("a", "b")), ("a,b", ("a", "b")), ('"c,d"', ("c", "d")), ("[not toml", ("[not toml",))],
)
def test_environment_values_may_be_toml_literals(
    settings_from: SettingsFactory, value: str, expected: tuple[str, ...]
) -> None:
    assert settings_from(env={"TEST_CLOUD_TOPICS": value}).value("cloud.topics") == expected


def test_unparseable_environment_value_is_an_error_naming_the_variable(
    settings_from: SettingsFactory,
) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from(env={"TEST_BROKER_BIND_PORT": "abc"})
    assert str(info.value) == (
        'Failed to set value for broker.bind.port to "abc" from environment variable TEST_BROKER_BIND_PORT'
    )
    assert str(info.value.__cause__) == "invalid digit found in string"


def test_unknown_environment_key_is_a_warning(settings_from: SettingsFactory) -> None:
    settings = settings_from(env={"TEST_NOPE": "1", "TEST_CONFIG_DIR": "/x", "OTHER": "1"})
    assert settings.warnings == ('Unknown configuration field "nope" from environment variable TEST_NOPE',)


def test_unknown_file_key_is_a_warning(settings_from: SettingsFactory) -> None:
    settings = settings_from({"cloud": {"nope": 1}, "config": {"version": "2"}})
    assert settings.warnings == (
        'Unknown configuration field "cloud.nope" from toml file /etc/test/test.toml',
    )


def test_invalid_file_value_names_the_key_and_file(settings_from: SettingsFactory) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from({"broker": {"bind": {"port": "abc"}}})
    assert str(info.value) == "Invalid value for 'broker.bind.port' in /etc/test/test.toml"
    assert str(info.value.__cause__) == "invalid digit found in string"


def test_old_names_in_the_file_are_read_as_the_new_key(settings_from: SettingsFactory) -> None:
    assert settings_from({"broker": {"port": 1890}}).value("broker.bind.port") == 1890
    assert settings_from({"broker": {"bind_port_v1": 1891}}).value("broker.bind.port") == 1891


def test_old_and_new_name_together_is_an_error(settings_from: SettingsFactory) -> None:
    with pytest.raises(ConfigError, match=r"Cannot migrate 'broker\.port' to 'broker\.bind\.port'"):
        settings_from({"broker": {"port": 1890, "bind": {"port": 1891}}})


def test_profiles_have_their_own_values_and_defaults(settings_from: SettingsFactory, schema: Schema) -> None:
    settings = settings_from(
        {"cloud": {"url": "main.example.com", "profiles": {"Second": {"url": "second.example.com"}}}}
    )
    assert settings.profile_names("cloud") == ("second",)
    assert str(settings.value("cloud.mqtt", "second")) == "second.example.com:8883"
    assert settings.value("cloud.topics", "second") == ("x", "y")
    assert settings.value("cloud.device.cert_path", "second") == "/etc/test/certs/cert.pem"


def test_environment_can_create_and_override_profiles(settings_from: SettingsFactory) -> None:
    settings = settings_from(env={"TEST_CLOUD_PROFILES_NEW_URL": "new.example.com"})
    assert settings.profile_names("cloud") == ("new",)
    assert settings.value("cloud.url", "new") == "new.example.com"


def test_unknown_profile(settings_from: SettingsFactory) -> None:
    with pytest.raises(ProfileError) as info:
        settings_from().value("cloud.url", "nope")
    assert str(info.value) == "Unknown profile `nope` for the multi-profile property cloud"


def test_invalid_profile_name_in_the_file(settings_from: SettingsFactory) -> None:
    with pytest.raises(ConfigError, match="Invalid profile name `a b` for the multi-profile property cloud"):
        settings_from({"cloud": {"profiles": {"a b": {"url": "x.example.com"}}}})


def test_derived_value_wins_over_the_explicit_one(settings_from: SettingsFactory) -> None:
    settings = settings_from(
        {"device": {"id": "explicit"}}, certificates={"/etc/test/certs/cert.pem": "from-cert"}
    )
    assert settings.value("device.id") == "from-cert"


def test_explicit_value_is_used_when_there_is_no_certificate(settings_from: SettingsFactory) -> None:
    assert settings_from({"device": {"id": "explicit"}}).value("device.id") == "explicit"


def test_derived_value_without_source_or_fallback(settings_from: SettingsFactory) -> None:
    with pytest.raises(DerivedValueMissingError) as info:
        settings_from().value("device.id")
    assert info.value.detail == "Create a certificate first."
    assert str(info.value) == "Config value device.id, cannot be read: Create a certificate first."


def test_profiled_derived_value_falls_back_to_the_top_level_one(settings_from: SettingsFactory) -> None:
    settings = settings_from(
        {"device": {"id": "top"}, "cloud": {"profiles": {"p": {"device": {"cert_path": "/p.pem"}}}}},
        certificates={"/p.pem": "profile-cn"},
    )
    assert settings.value("cloud.device.id") == "top"
    assert settings.value("cloud.device.id", "p") == "profile-cn"
