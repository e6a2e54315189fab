"""The ``api/`` folder of an extension (go-c8y-cli's spec format) as processes against the local tenant:
an extension repository (``git init`` in a temp folder) installed with ``c8y extensions install``, its
commands run as ``c8y <extension> <group> <command>`` through the REST pipeline (``--dry``, name
lookups, piped ids, paging, output), and the mistakes: a malformed spec refused at install with nothing
kept, one broken after install named in one line while the other commands keep working."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Run, git, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]
THINGS = """\
# yaml-language-server: $schema=https://raw.githubusercontent.com/reubenmiller/go-c8y-cli/v2/tools/schema/extensionCommands.json
---
group:
  name: things
  description: Things of the fleet
commands:
  - name: list
    description: List things
    method: GET
    path: inventory/managedObjects?type=fleet_Thing
    accept: application/vnd.com.nsn.cumulocity.managedobjectcollection+json
    collectionProperty: managedObjects
    queryParameters:
      - name: owner
        type: string
        description: Owner of the things
  - name: search
    description: Managed objects by type (no collectionProperty; the items are found in the answer)
    method: GET
    path: inventory/managedObjects
    queryParameters:
      - {name: type, type: string, description: The type}
  - name: get
    description: Get a device
    method: GET
    path: inventory/managedObjects/{id}
    pathParameters:
      - name: device
        property: id
        type: device[]
        pipeline: true
        required: true
        description: The device (id or name)
  - name: create
    description: Create a thing
    method: POST
    path: inventory/managedObjects
    body:
      - name: name
        type: string
        description: Name
      - name: size
        type: integer
        property: fleet_Thing.size
        description: Size
      - name: notes
        type: fileContentsAsString
        property: fleet_Thing.notes
        description: A text file with notes
    bodyTemplates:
      - type: jsonnet
        template: "{type: 'fleet_Thing'}"
    bodyRequiredKeys: [name]
"""
BROKEN = """\
group: {name: broken}
commands:
  - name: list
    method: GET
    path: inventory/managedObjects
    queryParameters:
      - name: color
        type: rainbow
"""


def make_extension(parent: Path, name: str, specs: dict[str, str]) -> Path:
    repo = parent / name
    (repo / "api").mkdir(parents=True)
    (repo / "extension.yaml").write_text('version: "v1"\n')
    for file_name, text in specs.items():
        (repo / "api" / file_name).write_text(text)
    git(repo, "init", "--quiet")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "first")
    return repo


def lines(run: Run) -> list[dict[str, Any]]:
    assert run.code == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def installed(home: Path) -> list[str]:
    folder = home / ".cumulocity" / "extensions"
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_api_commands_run_through_the_rest_pipeline(
    rest: C8y, tmp_path: Path, rest_user: tuple[str, str]
) -> None:
    repo = make_extension(tmp_path, "c8y-fleet", {"things.yaml": THINGS})
    done = rest("extensions", "install", str(repo))
    assert done.code == 0, done.stderr
    page = rest("fleet", "things", "--help")
    assert page.code == 0 and "create" in page.stdout and "List things" in page.stdout
    notes = tmp_path / "notes.txt"
    notes.write_text("line 1\nline 2\n")
    dry = rest(
        "fleet", "things", "create", "--name", "t1", "--size", "3", "--notes", str(notes),
        "--dry", "--dryFormat", "json",
    )  # fmt: skip
    assert dry.code == 0, dry.stderr
    request = json.loads(dry.stdout)
    assert (request["method"], request["path"]) == ("POST", "/inventory/managedObjects")
    assert request["body"] == {
        "name": "t1", "fleet_Thing": {"size": 3, "notes": "line 1\nline 2\n"}, "type": "fleet_Thing",
    }  # fmt: skip
    unreadable = rest("fleet", "things", "create", "--name", "t1", "--notes", str(tmp_path / "nope"), "--dry")
    assert unreadable.code == 101 and "cannot read --notes" in unreadable.stderr
    listing = json.loads(
        rest("fleet", "things", "list", "--owner", "me", "--dry", "--dryFormat", "json").stdout
    )
    assert sorted(listing["query"].split("&")) == ["owner=me", "type=fleet_Thing"]
    # a real round trip: create, list by the fixed type and a query flag, get by name lookup and by pipe
    name = unique("thing-")
    created = lines(rest("fleet", "things", "create", "--name", name, "--size", "7", "--force"))[0]
    assert created["type"] == "fleet_Thing" and created["fleet_Thing"] == {"size": 7}
    listed = lines(rest("fleet", "things", "list", "--owner", rest_user[0], "--pageSize", "100"))
    assert created["id"] in [item["id"] for item in listed]
    assert all(item["type"] == "fleet_Thing" for item in listed)
    searched = lines(rest("fleet", "things", "search", "--type", "fleet_Thing", "--pageSize", "100"))
    assert [item["id"] for item in searched] == [item["id"] for item in listed]
    device = lines(rest("devices", "create", "--name", unique("fleetdev-"), "--force"))[0]
    by_name = lines(rest("fleet", "things", "get", "--device", device["name"]))
    assert [item["id"] for item in by_name] == [device["id"]]
    piped = lines(rest("fleet", "things", "get", stdin=f"{created['id']}\n{device['id']}\n"))
    assert [item["id"] for item in piped] == [created["id"], device["id"]]
    missing = rest("fleet", "things", "create", "--size", "1", "--force")
    assert missing.code != 0 and "missing name in the body" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_an_unknown_parameter_type_is_refused_at_install_and_nothing_is_kept(
    rest: C8y, tmp_path: Path, home: Path
) -> None:
    repo = make_extension(tmp_path, "c8y-wrong", {"broken.yaml": BROKEN})
    for source in (f"file://{repo}", str(repo)):
        done = rest("extensions", "install", source)
        assert done.code == 101, done.stderr
        lines_out = done.stderr.strip().splitlines()
        assert len(lines_out) == 1 and "Traceback" not in done.stderr
        assert "broken.yaml" in lines_out[0] and "command 'list'" in lines_out[0]
        assert "unknown parameter type 'rainbow'" in lines_out[0]
        assert installed(home) == []


def test_a_spec_that_is_not_yaml_or_not_a_mapping_is_refused(rest: C8y, tmp_path: Path, home: Path) -> None:
    cases = {"c8y-notyaml": "group: [unclosed\n", "c8y-notmap": "- just\n- a list\n"}
    for name, text in cases.items():
        done = rest("extensions", "install", str(make_extension(tmp_path, name, {"spec.yaml": text})))
        assert done.code == 101 and "invalid api spec" in done.stderr and "spec.yaml" in done.stderr
        assert done.stderr.count("\n") == 1
    no_path = "group: {name: g}\ncommands: [{name: x, method: GET}]\n"
    done = rest("extensions", "install", str(make_extension(tmp_path, "c8y-nopath", {"g.yaml": no_path})))
    assert done.code == 101 and "command 'x': path is missing" in done.stderr
    assert installed(home) == []


def test_names_that_collide_are_refused(rest: C8y, tmp_path: Path, home: Path) -> None:
    # the extension's name is a built-in group
    builtin = rest("extensions", "install", str(make_extension(tmp_path, "c8y-devices", {"t.yaml": THINGS})))
    assert builtin.code == 101 and "'devices' matches the name of a built-in command" in builtin.stderr
    # an api group named like one of the extension's own script commands
    repo = make_extension(tmp_path, "c8y-clash", {"things.yaml": THINGS})
    script = repo / "commands" / "things"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    clash = rest("extensions", "install", str(repo))
    assert clash.code == 101 and "group 'things' collides with another command" in clash.stderr
    assert installed(home) == []


def test_a_spec_broken_after_install_is_named_and_the_rest_keeps_working(rest: C8y, tmp_path: Path) -> None:
    repo = make_extension(tmp_path, "c8y-later", {"things.yaml": THINGS})
    assert rest("extensions", "install", str(repo)).code == 0
    (repo / "api" / "broken.yaml").write_text(BROKEN)  # a local install is a link: the edit is live
    dry = rest("later", "things", "list", "--dry", "--dryFormat", "json")
    assert dry.code == 0 and dry.stderr == ""
    assert json.loads(dry.stdout)["path"] == "/inventory/managedObjects"
    listed = rest("later", "--help")
    assert listed.code == 0 and "broken" in listed.stdout and "malformed api spec" in listed.stdout
    for args in (("later", "broken", "list"), ("later", "broken", "--help")):
        gone = rest(*args)
        assert gone.code == 101 and gone.stdout == ""
        message = gone.stderr.strip().splitlines()
        assert len(message) == 1 and "Traceback" not in gone.stderr
        assert "broken.yaml" in message[0] and "unknown parameter type 'rainbow'" in message[0]


def test_an_update_that_brings_a_malformed_spec_says_so(rest: C8y, tmp_path: Path) -> None:
    repo = make_extension(tmp_path, "c8y-upd", {"things.yaml": THINGS})
    assert rest("extensions", "install", f"file://{repo}").code == 0
    (repo / "api" / "broken.yaml").write_text(BROKEN)
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "broken")
    updated = rest("extensions", "update", "upd")
    assert updated.code == 101 and "Traceback" not in updated.stderr
    assert "broken.yaml" in updated.stderr and "unknown parameter type 'rainbow'" in updated.stderr
    still = rest("upd", "things", "get", "--device", "1", "--dry", "--dryFormat", "json")
    assert still.code == 0 and json.loads(still.stdout)["path"] == "/inventory/managedObjects/1"
