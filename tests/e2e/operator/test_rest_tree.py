"""go-c8y-cli's command tree against the local tenant, as a user meets it: the declared groups and
sub-groups work end to end where the tenant serves their endpoints (device groups and their children,
agents, smart groups, software), names are looked up per type, and the bad inputs fail as upstream
fails: a name that matches nothing, a name that matches several (acts on the first only; a delete never
fans out over a wildcard), a missing required flag or body property, a value outside its choices."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Run, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def lines(run: Run) -> list[dict[str, Any]]:
    assert run.code == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def one(run: Run) -> dict[str, Any]:
    [item] = lines(run)
    return item


def test_device_groups_and_their_children(rest: C8y) -> None:
    name = unique("group-")
    group = one(rest("devicegroups", "create", "--name", name, "--force"))
    assert group["type"] == "c8y_DeviceGroup" and "c8y_IsDeviceGroup" in group
    device = one(rest("devices", "create", "--name", unique("member-"), "--force"))
    assigned = rest("devicegroups", "children", "assign", "--id", name, "--childType", "asset",
                    "--child", device["id"], "--force")  # fmt: skip
    assert assigned.code == 0, assigned.stderr
    children = lines(rest("devicegroups", "children", "list", "--id", name, "--childType", "asset"))
    assert [child["id"] for child in children] == [device["id"]]  # the objects of the references
    assert one(rest("devicegroups", "get", "--id", name, "--select", "id"))["id"] == group["id"]
    listed = lines(rest("devicegroups", "list", "--name", name, "--select", "id"))
    assert listed == [{"id": group["id"]}]
    piped = rest("devicegroups", "children", "list", "--childType", "asset", "--select", "id",
                 stdin=json.dumps(group) + "\n")  # fmt: skip
    assert lines(piped) == [{"id": device["id"]}]
    deleted = rest("devicegroups", "delete", "--id", name, "--force")
    assert deleted.code == 0 and f"✓ Deleted /inventory/managedObjects/{group['id']}" in deleted.stderr


def test_agents_and_software_are_managed_objects_of_their_kind(rest: C8y) -> None:
    agent = one(rest("agents", "create", "--name", unique("agent-"), "--force"))
    assert "com_cumulocity_model_Agent" in agent and "c8y_IsDevice" in agent
    assert one(rest("agents", "get", "--id", agent["name"], "--select", "id"))["id"] == agent["id"]
    software = one(rest("software", "create", "--name", unique("pkg-"), "--force"))
    assert software["type"] == "c8y_Software"
    assert one(rest("software", "get", "--id", software["name"], "--select", "id"))["id"] == software["id"]
    # a device is not an agent: the agent lookup does not find it
    device = one(rest("devices", "create", "--name", unique("plain-"), "--force"))
    missing = rest("agents", "get", "--id", device["name"])
    assert missing.code == 4 and f"no agent is named '{device['name']}'" in missing.stderr


def test_a_name_that_matches_nothing(rest: C8y) -> None:
    run = rest("devicegroups", "get", "--id", "no-such-group-name")
    assert run.code == 4 and run.stdout == ""
    assert run.stderr == (
        "commandError: no device group is named 'no-such-group-name' (the value of --id; "
        "give an id or an existing name)\n"
    )
    software = rest("software", "delete", "--id", "no-such-software", "--force")
    assert software.code == 4 and "no software is named 'no-such-software'" in software.stderr


def test_a_name_that_matches_several_acts_on_the_first_only(rest: C8y) -> None:
    prefix = unique("wild-")
    first = one(rest("devicegroups", "create", "--name", prefix + "-a", "--force"))
    second = one(rest("devicegroups", "create", "--name", prefix + "-b", "--force"))
    got = lines(rest("devicegroups", "get", "--id", prefix + "-*", "--select", "id,name"))
    assert got == [{"id": first["id"], "name": prefix + "-a"}]  # ordered by name: the first match
    deleted = rest("devicegroups", "delete", "--id", prefix + "-*", "--force")
    assert deleted.code == 0 and deleted.stderr.count("✓ Deleted") == 1  # never a fan-out
    left = lines(rest("devicegroups", "list", "--name", prefix + "-*", "--select", "id"))
    assert left == [{"id": second["id"]}]


def test_missing_required_values(rest: C8y) -> None:
    run = rest("devicegroups", "get")
    assert run.code == 101 and run.stdout == ""
    assert "missing --id (id or name): give it or pipe it" in run.stderr
    child = rest("devices", "children", "assign", "--id", "1", "--childType", "device", "--force")
    assert child.code == 101 and "missing --child (child): give it or pipe it" in child.stderr
    body = rest("agents", "create", "--force")
    assert body.code == 101 and "missing name in the body: give --name or --data name=..." in body.stderr
    option = rest("tenantoptions", "create", "--category", "c8y_cli", "--force")
    assert option.code == 101 and "missing key in the body: give --key or --data key=..." in option.stderr


def test_values_outside_their_declaration(rest: C8y) -> None:
    choice = rest("devices", "children", "list", "--id", "1", "--childType", "nephew")
    assert choice.code == 101
    assert "invalid --childType 'nephew': use one of addition, asset, device" in choice.stderr
    upload = rest("binaries", "create", "--file", "some.bin", "--force")
    assert upload.code == 101 and "--file some.bin: no such file" in upload.stderr  # checked before sending
    unknown = rest("users", "lst")
    assert unknown.code == 2 and "No such command 'lst'. Did you mean 'list'?" in unknown.stderr


def test_services_of_a_device_by_name(rest: C8y) -> None:
    device = one(rest("devices", "create", "--name", unique("svc-host-"), "--force"))
    other = one(rest("devices", "create", "--name", unique("svc-other-"), "--force"))
    for target in (other, device):  # a service of the same name on another device comes first
        created = rest("devices", "services", "create", "--device", target["id"], "--name", "ntp",
                       "--status", "up", "--serviceType", "systemd", "--force")  # fmt: skip
        assert created.code == 0, created.stderr
    service = one(rest("devices", "services", "get", "--device", device["name"], "--id", "ntp"))
    assert (service["name"], service["type"], service["status"]) == ("ntp", "c8y_Service", "up")
    assert service["id"] not in {device["id"], other["id"]}
    children = lines(rest("devices", "children", "list", "--id", device["id"], "--childType", "addition"))
    assert [child["id"] for child in children] == [service["id"]]  # the one of this device
    updated = one(rest("devices", "services", "update", "--device", device["id"], "--id", "ntp",
                       "--status", "down", "--force"))  # fmt: skip
    assert (updated["id"], updated["status"]) == (service["id"], "down")


def test_a_pipeline_between_groups(rest: C8y) -> None:
    agent = one(rest("agents", "create", "--name", unique("piped-agent-"), "--force"))
    listed = rest("agents", "list", "--name", agent["name"])
    assert listed.code == 0 and json.loads(listed.stdout)["id"] == agent["id"]
    created = rest("operations", "create", "--data", "c8y_Restart={}", "--force", stdin=listed.stdout)
    operation = one(created)
    assert operation["deviceId"] == agent["id"] and "c8y_Restart" in operation
    found = lines(rest("operations", "list", "--device", agent["name"], "--select", "id"))
    assert found == [{"id": operation["id"]}]
