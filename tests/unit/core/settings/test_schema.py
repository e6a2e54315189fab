"""Key names: exact, underscore and legacy spellings, profiles and their names, listing order."""

from __future__ import annotations

import pytest

from c8ylink.core.settings.errors import KeyParseError, ProfileError
from c8ylink.core.settings.schema import Schema, parse_profile_name


@pytest.mark.parametrize("text", ["cloud.url", "device.id", "broker.bind.port"])
def test_exact_names_parse_without_warning(schema: Schema, text: str) -> None:
    parsed = schema.parse_key(text)
    assert parsed.ref.name == text
    assert parsed.warning is None


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("cloud_url", "cloud.url"), ("broker.bind_port", "broker.bind.port"),
     ("broker_bind_port", "broker.bind.port"),
     ("broker.port", "broker.bind.port"), ("broker.bind_port_v1", "broker.bind.port")],
)  # fmt: skip
def test_other_spellings_resolve_with_a_deprecation_warning(
    schema: Schema, text: str, canonical: str
) -> None:
    parsed = schema.parse_key(text)
    assert parsed.ref.name == canonical
    assert parsed.warning == f"The key '{text}' is deprecated. Use '{canonical}' instead."


def test_unknown_key(schema: Schema) -> None:
    with pytest.raises(KeyParseError) as info:
        schema.parse_key("cloud.nope")
    assert str(info.value) == "Unknown test config key: 'cloud.nope'"
    assert info.value.argument == "cloud.nope"
    assert info.value.exit_code == 2


def test_read_only_key_can_be_read_but_not_written(schema: Schema) -> None:
    assert schema.parse_key("device.serial").ref.name == "device.serial"
    with pytest.raises(KeyParseError, match=r"The serial is burnt in\."):
        schema.parse_key("device.serial", writing=True)


@pytest.mark.parametrize(
    ("text", "name", "profile"),
    [
        ("cloud.profiles.second.url", "cloud.profiles.second.url", "second"),
        ("cloud.profiles.SECOND.url", "cloud.profiles.second.url", "second"),
        ("cloud.profiles.my_prof.bridge.keepalive", "cloud.profiles.my_prof.bridge.keepalive", "my_prof"),
        ("cloud_profiles_second_device_id", "cloud.profiles.second.device.id", "second"),
        ("cloud_profiles_a_b_url", "cloud.profiles.a_b.url", "a_b"),
        ("cloud_profiles_a_nope", "", None),
    ],
)
def test_profiled_keys(schema: Schema, text: str, name: str, profile: str | None) -> None:
    if profile is None:
        with pytest.raises(KeyParseError):
            schema.parse_key(text)
        return
    ref = schema.parse_key(text).ref
    assert (ref.name, ref.profile, ref.group) == (name, profile, "cloud")


@pytest.mark.parametrize(
    ("name", "message"),
    [("bad!", "Profile names can only contain letters, numbers, `-` or `_`"),
     ("-_-", "Profile names must contain at least one letter or number"),
     ("", "Profile names cannot be empty")],
)  # fmt: skip
def test_profile_name_rules(name: str, message: str) -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile_name(name)
    assert str(info.value) == message


def test_profile_names_are_lower_cased() -> None:
    assert parse_profile_name("Second-Site_2") == "second-site_2"


def test_invalid_profile_name_in_a_key_is_a_usage_error(schema: Schema) -> None:
    with pytest.raises(KeyParseError) as info:
        schema.parse_key("cloud.profiles.bad!.url")
    assert str(info.value) == (
        "Invalid profile name `bad!` for the multi-profile property cloud: "
        "Profile names can only contain letters, numbers, `-` or `_`"
    )


def test_with_profile(schema: Schema) -> None:
    ref = schema.parse_key("cloud.url").ref
    assert schema.with_profile(ref, "second").name == "cloud.profiles.second.url"


def test_profile_on_a_key_without_profiles_is_an_error(schema: Schema) -> None:
    with pytest.raises(ProfileError) as info:
        schema.with_profile(schema.parse_key("device.id").ref, "second")
    assert str(info.value) == "You've supplied a profile, but device.id is not a profiled configuration"


def test_profiled_key_together_with_another_profile_is_an_error(schema: Schema) -> None:
    ref = schema.parse_key("cloud.profiles.first.url").ref
    with pytest.raises(ProfileError, match="Multiple profiles selected"):
        schema.with_profile(ref, "second")
    assert schema.with_profile(ref, "first") == ref


def test_env_names_are_case_insensitive(schema: Schema) -> None:
    for variable in ("TEST_CLOUD_URL", "TEST_cloud_url", "TEST_Cloud_Url"):
        ref = schema.parse_env_name(variable)
        assert ref is not None and ref.name == "cloud.url"
    ref = schema.parse_env_name("TEST_CLOUD_PROFILES_SECOND_URL")
    assert ref is not None and ref.name == "cloud.profiles.second.url"
    assert schema.parse_env_name("TEST_NOPE") is None


def test_toml_path_of_profiled_key(schema: Schema) -> None:
    ref = schema.with_profile(schema.parse_key("cloud.bridge.keepalive").ref, "p")
    assert schema.toml_path(ref) == ("cloud", "profiles", "p", "bridge", "keepalive")


def test_listing_puts_profiles_after_the_group(schema: Schema) -> None:
    names = [ref.name for ref in schema.listing({"cloud": ("a",)})]
    cloud = [key.name for key in schema.keys if key.name.startswith("cloud.")]
    start = names.index("cloud.url")
    assert names[start : start + len(cloud)] == cloud
    assert names[start + len(cloud)] == "cloud.profiles.a.url"
    assert names[-1] == "broker.enabled"
