"""Document edits: set/unset/add/remove on a plain nested dict, migration and the version marker."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

import pytest

from c8ylink.core.errors import ConfigError
from c8ylink.core.settings.edit import DocumentEdit, remove_path, set_path
from c8ylink.core.settings.errors import ValueParseError
from c8ylink.core.settings.resolve import Settings
from c8ylink.core.settings.schema import Schema
from c8ylink.core.settings.types import ParseContext

SettingsFactory = Callable[..., Settings]
MARKER = {"config": {"version": "2"}}


def new_table() -> MutableMapping[str, Any]:
    return {}


def editor(
    schema: Schema,
    settings_from: SettingsFactory,
    doc: dict[str, Any],
    certificates: dict[str, str] | None = None,
) -> DocumentEdit:
    current = settings_from(doc, certificates=certificates)
    return DocumentEdit(schema, lambda: current, ParseContext("/home/user"), new_table)


def ref(schema: Schema, name: str, profile: str | None = None) -> Any:
    parsed = schema.parse_key(name).ref
    return schema.with_profile(parsed, profile) if profile else parsed


def test_set_writes_the_typed_value_and_the_marker(schema: Schema, settings_from: SettingsFactory) -> None:
    doc: dict[str, Any] = {}
    editor(schema, settings_from, doc).set(doc, ref(schema, "broker.bind.port"), "1884")
    assert doc == {**MARKER, "broker": {"bind": {"port": 1884}}}


def test_set_parses_before_writing(schema: Schema, settings_from: SettingsFactory) -> None:
    doc: dict[str, Any] = {"cloud": {"url": "old.example.com"}}
    with pytest.raises(ValueParseError):
        editor(schema, settings_from, doc).set(doc, ref(schema, "cloud.url"), "https://new.example.com")
    assert doc == {"cloud": {"url": "old.example.com"}}


def test_set_for_a_profile(schema: Schema, settings_from: SettingsFactory) -> None:
    doc: dict[str, Any] = {}
    editor(schema, settings_from, doc).set(doc, ref(schema, "cloud.bridge.keepalive", "p"), "30s")
    assert doc["cloud"] == {"profiles": {"p": {"bridge": {"keepalive": "30s"}}}}


def test_unset_removes_the_value_and_empty_tables(schema: Schema, settings_from: SettingsFactory) -> None:
    doc: dict[str, Any] = {
        "cloud": {"url": "a.example.com", "profiles": {"p": {"bridge": {"keepalive": "1s"}}}}
    }
    editor(schema, settings_from, doc).unset(doc, ref(schema, "cloud.bridge.keepalive", "p"))
    assert doc == {"cloud": {"url": "a.example.com"}, **MARKER}


def test_unset_of_a_missing_key_is_silent(schema: Schema, settings_from: SettingsFactory) -> None:
    doc: dict[str, Any] = {}
    editor(schema, settings_from, doc).unset(doc, ref(schema, "cloud.url"))
    assert doc == MARKER


def test_add_to_a_list_starts_from_the_default_and_sorts(
    schema: Schema, settings_from: SettingsFactory
) -> None:
    doc: dict[str, Any] = {}
    editor(schema, settings_from, doc).add(doc, ref(schema, "cloud.topics"), "b,a,x")
    assert doc["cloud"]["topics"] == ["a", "b", "x", "y"]


def test_add_to_a_scalar_is_set(schema: Schema, settings_from: SettingsFactory) -> None:
    doc: dict[str, Any] = {"cloud": {"url": "a.example.com"}}
    editor(schema, settings_from, doc).add(doc, ref(schema, "cloud.url"), "b.example.com")
    assert doc["cloud"]["url"] == "b.example.com"


def test_remove_from_a_list(schema: Schema, settings_from: SettingsFactory) -> None:
    doc: dict[str, Any] = {"cloud": {"topics": ["c", "a", "b", "a"]}}
    editor(schema, settings_from, doc).remove(doc, ref(schema, "cloud.topics"), "b")
    assert doc["cloud"]["topics"] == ["a", "c"]


@pytest.mark.parametrize(("value", "left"), [("a.example.com", None), ("other.example.com", "a.example.com")])
def test_remove_on_a_scalar_unsets_only_an_equal_value(
    schema: Schema, settings_from: SettingsFactory, value: str, left: str | None
) -> None:
    doc: dict[str, Any] = {"cloud": {"url": "a.example.com"}}
    editor(schema, settings_from, doc).remove(doc, ref(schema, "cloud.url"), value)
    assert doc.get("cloud", {}).get("url") == left


def test_writes_migrate_old_names(schema: Schema, settings_from: SettingsFactory) -> None:
    doc: dict[str, Any] = {"broker": {"port": 1890}}
    editor(schema, settings_from, doc).set(doc, ref(schema, "cloud.url"), "a.example.com")
    assert doc["broker"] == {"bind": {"port": 1890}}


def test_writing_a_derived_key_that_would_be_ignored_is_refused(
    schema: Schema, settings_from: SettingsFactory
) -> None:
    doc: dict[str, Any] = {}
    edit = editor(schema, settings_from, doc, certificates={"/etc/test/certs/cert.pem": "cn-1"})
    with pytest.raises(ConfigError) as info:
        edit.set(doc, ref(schema, "device.id"), "other")
    assert str(info.value) == "'device.id' comes from /etc/test/certs/cert.pem ('cn-1')"
    edit.set(doc, ref(schema, "device.id"), "cn-1")
    assert doc["device"] == {"id": "cn-1"}


def test_set_path_refuses_to_replace_a_value_by_a_table() -> None:
    doc: dict[str, Any] = {"cloud": "oops"}
    with pytest.raises(ConfigError, match="'cloud' holds a value, not a table"):
        set_path(doc, ("cloud", "url"), "x", new_table)


def test_remove_path_keeps_tables_with_other_content() -> None:
    doc: dict[str, Any] = {"a": {"b": {"c": 1}, "d": 2}}
    assert remove_path(doc, ("a", "b", "c"))
    assert doc == {"a": {"d": 2}}
    assert not remove_path(doc, ("a", "x", "y"))
