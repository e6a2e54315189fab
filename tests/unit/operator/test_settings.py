"""go-c8y-cli settings on the core.settings engine: one env-variable naming rule, one duration grammar."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import ConfigError
from c8ylink.core.settings.durations import DurationType
from c8ylink.operator.flags import parse_duration_ms
from c8ylink.operator.modes import is_ci, resolve_mode
from c8ylink.operator.settings import ENV_ALIASES, KEYS, SCHEMA, SettingsLayers, default_value, env_name


@pytest.mark.parametrize(
    ("key", "variable"),
    [
        ("session.tokenValidFor", "C8Y_SETTINGS_SESSION_TOKENVALIDFOR"),
        ("defaults.pageSize", "C8Y_SETTINGS_DEFAULTS_PAGESIZE"),
        ("encryption.enabled", "C8Y_SETTINGS_ENCRYPTION_ENABLED"),
        ("login.type", "C8Y_SETTINGS_LOGIN_TYPE"),
        ("defaults.session", "C8Y_SETTINGS_DEFAULTS_SESSION"),
        ("ci", "C8Y_SETTINGS_CI"),
    ],
)
def test_one_rule_names_every_variable(key: str, variable: str) -> None:
    assert env_name(key) == variable
    assert SCHEMA.parse_env_name(variable) is not None
    assert SCHEMA.parse_env_name(variable.lower()) is not None


def test_every_key_has_a_default_that_its_type_accepts() -> None:
    for key in KEYS:
        default_value(key.name)


def test_variables_are_matched_case_insensitively_and_outrank_the_files() -> None:
    layers = SettingsLayers(
        env={"c8y_settings_defaults_pagesize": "20"},
        session={"defaults": {"pageSize": 10}},
        global_file={"defaults.pagesize": 7},
    )
    assert layers.integer("defaults.pageSize") == 20
    assert layers._replace(env={}).integer("defaults.pageSize") == 10
    assert layers._replace(env={}, session={}).integer("defaults.pageSize") == 7
    assert layers._replace(env={}, session={}, global_file={}).integer("defaults.pageSize") == 5


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("8h", 28800), ("1h30m", 5400), ("1.5h", 5400), ("500ms", 0.5), ("3600", 3600), (3600, 3600),
     ("8H", 28800), ("2d", 172800), ("", 0)],
)  # fmt: skip
def test_setting_durations_use_go_durations(text: object, seconds: float) -> None:
    layers = SettingsLayers(env={}, session={"session": {"tokenValidFor": text}})
    assert layers.seconds("session.tokenValidFor") == seconds


def test_duration_keys_are_declared_with_the_go_grammar() -> None:
    kinds = {key.name: key.type for key in KEYS}
    assert isinstance(kinds["session.tokenValidFor"], DurationType)
    assert kinds["session.tokenValidFor"].grammar.fractions  # type: ignore[attr-defined]


@pytest.mark.parametrize(("key", "value"), [("session.tokenValidFor", "soon"), ("defaults.pageSize", "many")])
def test_a_bad_value_is_an_error_naming_the_key(key: str, value: str) -> None:
    layers = SettingsLayers(env={env_name(key): value})
    with pytest.raises(ConfigError, match=f"invalid setting {key}="):
        layers.typed(key)


def test_a_switch_that_is_no_boolean_counts_as_its_default() -> None:
    assert SettingsLayers(env={"C8Y_SETTINGS_ENCRYPTION_ENABLED": "maybe"}).flag("encryption.enabled")
    assert not SettingsLayers(env={"C8Y_SETTINGS_ENCRYPTION_ENABLED": "off"}).flag("encryption.enabled")


def test_flag_durations_share_the_grammar_with_milliseconds_when_bare() -> None:
    assert parse_duration_ms("200") == 0.2
    assert parse_duration_ms("1m30s") == 90
    assert parse_duration_ms("1.5s") == 1.5
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration_ms("-1s")


def test_aliases_are_declared_once() -> None:
    assert ENV_ALIASES["session.mode"] == ("C8Y_MODE",)
    assert is_ci({"BUILD_ID": "7"})
    assert not is_ci({"CI": "false"})
    assert is_ci({env_name("ci"): "true"})
    session_mode = {env_name("session.mode"): "qual"}
    assert resolve_mode(flag=None, env=session_mode, session_settings={}) == "qual"
    assert resolve_mode(flag=None, env={**session_mode, "C8Y_MODE": "dev"}, session_settings={}) == "dev"
