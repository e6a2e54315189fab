"""The pure parts of the extension manager: ``extension.yaml`` as go-c8y-cli reads it, the names an
extension goes by, its sources, and its view definition files becoming ``<ext>::`` views."""

from __future__ import annotations

from typing import Any

import pytest

from c8ylink.operator.api.views import parse_view_definitions, view_columns
from c8ylink.operator.extensions.manifest import (
    ExtensionAlias,
    ExtensionError,
    Manifest,
    install_name,
    normalize_selector,
    parse_manifest,
    source_url,
)
from c8ylink.operator.extensions.scaffold import scaffold_files


def test_a_manifest_with_aliases() -> None:
    document = {
        "version": "v1",
        "aliases": [
            {"name": "mo", "description": "d", "command": 'inventory get --id "$1"\n', "shell": False},
            {"name": "sh", "command": "c8y devices list | wc -l", "shell": True},
        ],
    }
    manifest = parse_manifest(document, "x/extension.yaml")
    assert manifest == Manifest(
        "v1",
        (
            ExtensionAlias("mo", 'inventory get --id "$1"\n', "d", False),
            ExtensionAlias("sh", "c8y devices list | wc -l", "", True),
        ),
    )
    assert [alias.expansion for alias in manifest.aliases] == [
        'inventory get --id "$1"',
        "!c8y devices list | wc -l",
    ]
    assert parse_manifest(None, "empty.yaml") == Manifest()


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (["a"], "expected a mapping at the top level"),
        ({"aliases": {"a": 1}}, "aliases must be a list"),
        ({"aliases": ["mo"]}, "alias 1 is not a mapping"),
        ({"aliases": [{"name": "mo"}]}, "alias 1 needs a name and a command"),
        ({"aliases": [{"name": "mo", "command": "x", "shell": "yes"}]}, "shell must be true or false"),
    ],
    ids=["not-a-mapping", "aliases-not-a-list", "alias-not-a-mapping", "no-command", "shell-not-bool"],
)
def test_a_malformed_manifest_names_its_file(document: Any, reason: str) -> None:
    with pytest.raises(ExtensionError, match=reason) as caught:
        parse_manifest(document, "/ext/c8y-x/extension.yaml")
    assert "/ext/c8y-x/extension.yaml" in str(caught.value)


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("reubenmiller/c8y-defaults", "https://github.com/reubenmiller/c8y-defaults.git"),
        ("git.example.com/team/c8y-x", "https://git.example.com/team/c8y-x.git"),
        ("file:///tmp/c8y-x", "file:///tmp/c8y-x"),
        ("git@github.com:o/c8y-x.git", "git@github.com:o/c8y-x.git"),
    ],
)
def test_sources(source: str, url: str) -> None:
    assert source_url(source) == url


def test_names() -> None:
    assert install_name("https://github.com/o/c8y-tools.git", "") == "c8y-tools"
    assert install_name("file:///tmp/anything", "tools") == "c8y-tools"
    with pytest.raises(ExtensionError, match="must start with `c8y-`"):
        install_name("file:///tmp/tools", "")
    with pytest.raises(ExtensionError, match="not an extension source"):
        source_url("just-a-word")
    assert [normalize_selector(text) for text in ("o/c8y-x", "c8y-x", "x ")] == ["x", "x", "x"]


def test_extension_views_come_first_by_priority_and_by_name() -> None:
    low = {"name": "low", "priority": 1, "fragments": ["c8y_IsDevice"], "columns": ["id"]}
    high = {"name": "high", "priority": 400, "fragments": ["c8y_IsDevice"], "type": "c8y_*",
            "columns": ["id", "name"]}  # fmt: skip
    views = parse_view_definitions({"definitions": [low, high, {"name": "no-columns"}]}, "ext")
    assert [view.name for view in views] == ["ext::low", "ext::high"]
    device = {"id": "1", "name": "d", "type": "c8y_Linux", "c8y_IsDevice": {}}
    assert view_columns(device, "auto", views) == ("id", "name")
    assert view_columns({**device, "type": "other"}, "auto", views) == ("id",)
    assert view_columns(device, "ext::low", views) == ("id",)
    assert view_columns(device, "auto") == ("id", "name", "type", "owner", "lastUpdated",
                                            "c8y_Availability.status")  # fmt: skip


def test_the_scaffold_has_each_part_and_executable_scripts() -> None:
    files = scaffold_files("c8y-demo")
    assert {path for path, (_, mode) in files.items() if mode & 0o100} == {
        "commands/list",
        "commands/services/list",
    }
    assert {
        "extension.yaml",
        "README.md",
        "templates/customCommand.jsonnet",
        "views/exampleDevice.json",
        "api/devices.yaml",
    } <= set(files)
    assert "name: demo-hello" in files["extension.yaml"][0]
