"""Session documents both ways (go-c8y-cli.md §1.2) and the host rule."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import SessionError
from c8ylink.operator.sessions.model import (
    SCHEMA_URL,
    Session,
    default_session_name,
    format_session_document,
    get_setting,
    normalize_host,
    parse_session_document,
    with_setting,
)

DOCS_EXAMPLE = {
    "$schema": SCHEMA_URL,
    "host": "https://example.cumulocity.com",
    "tenant": "t12345",
    "username": "myuser@iot-user.com",
    "password": "{encrypted}65cd99f96f9fe681be286d6e573061053afac353faeb5b1220352ab57456f3ee",
    "description": "",
    "settings": {"session.mode": "prod"},
}


def test_the_user_docs_example_reads_with_its_dotted_setting() -> None:
    session = parse_session_document(DOCS_EXAMPLE)
    assert (session.host, session.tenant, session.username) == (
        "https://example.cumulocity.com",
        "t12345",
        "myuser@iot-user.com",
    )
    assert session.password.startswith("{encrypted}")
    assert session.setting("session.mode") == "prod"
    assert session.use_tenant_prefix is True


def test_keys_are_read_case_insensitively_as_viper_rewrites_them() -> None:
    session = parse_session_document(
        {"HOST": "h", "UserName": "u", "usetenantprefix": False, "certificatekey": "k.pem", "TOKEN": "t"}
    )
    assert (session.host, session.username, session.use_tenant_prefix) == ("h", "u", False)
    assert (session.certificate_key, session.token) == ("k.pem", "t")


def test_tenant_null_and_empty_mean_unset() -> None:
    assert parse_session_document({"tenant": "null"}).tenant == ""
    assert parse_session_document({"tenant": None}).tenant == ""


def test_round_trip_keeps_unknown_keys_and_stamps_the_schema() -> None:
    original = {
        "host": "https://h",
        "username": "alice",
        "microserviceAliases": {"a": "b"},
        "credential": {"totp": {"secret": "JBSWY3DP"}},
        "settings": {"activityLog": {"enabled": True}, "session": {"mode": "qual"}},
    }
    session = parse_session_document(original)
    assert session.totp_secret == "JBSWY3DP"
    document = format_session_document(session)
    assert next(iter(document)) == "$schema" and document["$schema"] == SCHEMA_URL
    assert document["microserviceAliases"] == {"a": "b"}
    assert document["credential"] == {"totp": {"secret": "JBSWY3DP"}}
    assert document["useTenantPrefix"] is True
    assert parse_session_document(document) == session


def test_secrets_are_not_in_repr() -> None:
    text = repr(Session(host="h", password="s3cret", token="tok"))
    assert "s3cret" not in text and "tok'" not in text


def test_settings_nested_and_dotted_lookup_and_write() -> None:
    settings = {"Session": {"Mode": "dev"}, "encryption.enabled": "false"}
    assert get_setting(settings, "session.mode") == "dev"
    assert get_setting(settings, "encryption.enabled") == "false"
    assert get_setting(settings, "missing.key", 5) == 5
    updated = with_setting(settings, "session.mode", "prod")
    assert updated["Session"] == {"Mode": "prod"}
    assert with_setting({"a": {"b": 1}}, "a.b", None) == {}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("example.cumulocity.com", "https://example.cumulocity.com"),
        ("https://example.cumulocity.com/", "https://example.cumulocity.com"),
        ("http://localhost:8001/c8y", "http://localhost:8001/c8y"),
        ("HTTPS://t1.example.com:8443", "https://t1.example.com:8443"),
        ("127.0.0.1:8443/prefix/", "https://127.0.0.1:8443/prefix"),
    ],
    ids=["no-scheme", "trailing-slash", "http-with-path", "upper-scheme", "ip-port-path"],
)
def test_host_scheme_is_optional_and_a_path_is_a_prefix(given: str, expected: str) -> None:
    assert normalize_host(given) == expected


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        ("", "host is empty"),
        ("ftp://example.com", "scheme must be https:// or http://"),
        ("https://example.com/?x=1", "query"),
        ("https://example.com/#frag", "query/fragment"),
        ("https://user:pw@example.com", "credentials"),
        ("https://example.com:99999", "port"),
        ("https://:8443", "no host name"),
    ],
    ids=["empty", "ftp", "query", "fragment", "userinfo", "bad-port", "no-hostname"],
)
def test_bad_hosts_are_refused_with_what_to_do(given: str, fragment: str) -> None:
    with pytest.raises(SessionError, match=fragment):
        normalize_host(given)


def test_default_session_name_drops_the_port_and_unsafe_characters() -> None:
    assert default_session_name("https://t1.example.com:8443", "alice") == "t1.example.com-alice.json"
    assert default_session_name("t1.example.com", "") == "t1.example.com.json"
    assert default_session_name("https://h", "a/b*c") == "h-abc.json"
