"""go-c8y-cli's command tree is all there: every declared command under its upstream group, sub-group
and name, with upstream's flags, method, path and headers; the package data is what
``scripts/gen_specs.py`` writes from the facts; names resolve with the lookup of their type and act on
their first match only."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from c8ylink.core.errors import C8yLinkError
from c8ylink.operator.api.index import GROUPS, HAND_WRITTEN, load_group
from c8ylink.operator.api.lookup import LOOKUPS, collection_items, lookup_plan, resolve
from c8ylink.operator.api.plan import RequestPlan
from c8ylink.operator.api.spec import REFERENCE_TYPES, TYPES
from c8ylink.operator.api.upstream import DATA_DIR, load_upstream

ROOT = Path(__file__).resolve().parents[4]
FACTS = ROOT.parent / "shared" / "reference" / "go-c8y-cli-commands.json"
DECLARED = [(name, command) for name in sorted(GROUPS) for command in load_upstream(name)]


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_specs", ROOT / "scripts" / "gen_specs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_specs"] = module
    spec.loader.exec_module(module)
    return module


def test_every_upstream_command_exists_with_its_name() -> None:
    assert len(DECLARED) >= 281
    assert len({top for top, _ in DECLARED}) == 38
    paths = {" ".join([top, *command.name.split(" ")[:-1]]) for top, command in DECLARED}
    assert len(paths) >= 59  # upstream's 60 spec files, notification2 has no command of its own
    total = sum(len(load_group(name).commands) for name in GROUPS)
    assert total >= 282  # + deviceregistration register-ca
    for top, declared in DECLARED:
        command = load_group(top).command(declared.name)
        assert command is not None, (top, declared.name)
        assert (command.method, command.path) == (declared.method, declared.path)
        flags = {param.name for param in command.params}
        assert {param.name for param in declared.params} <= flags, (top, declared.name)


def test_hand_written_commands_take_precedence() -> None:
    devices = load_group("devices")
    assert devices.command("list").description == "Get device collection"  # the hand-written help
    assert devices.command("children list") is not None  # completed from the declaration
    assert devices.command("list").upstream_examples  # and upstream's examples run against it too
    assert {"devices", "inventory", "alarms"} <= HAND_WRITTEN


def test_declared_types_are_known() -> None:
    for _, command in DECLARED:
        for param in command.params:
            assert param.type in TYPES, (command.name, param)
    assert set(REFERENCE_TYPES) <= {"reference", *LOOKUPS}


@pytest.mark.skipif(not FACTS.is_file(), reason="the facts live outside the repository")
def test_the_package_data_is_what_the_generator_writes() -> None:
    generator = _generator()
    groups = generator.build_groups(json.loads(FACTS.read_text(encoding="utf-8")))
    assert sorted(groups) == sorted(path.stem for path in Path(DATA_DIR).glob("*.json"))
    for name, group in groups.items():
        assert (Path(DATA_DIR) / f"{name}.json").read_text(encoding="utf-8") == generator.render(group), name


def test_index_lists_every_group_with_data_or_a_module() -> None:
    with_data = {path.stem for path in Path(DATA_DIR).glob("*.json")}
    assert set(GROUPS) == with_data | HAND_WRITTEN


# -- lookups -------------------------------------------------------------------------------------------
def answer_of(items: list[dict[str, Any]], key: str) -> Any:
    def send(plan: RequestPlan) -> Any:
        send.plans.append(plan)  # type: ignore[attr-defined]
        return {key: items}

    send.plans = []  # type: ignore[attr-defined]
    return send


@pytest.mark.parametrize(
    ("kind", "path", "query"),
    [
        ("device[]", "/inventory/managedObjects", ("q", "$filter=(name eq 'a*') $orderby=name")),
        ("software[]", "/inventory/managedObjects",
         ("query", "$filter=(name eq 'a*') and (type eq 'c8y_Software') $orderby=name")),
        ("user[]", "/user/t7/users", ("pageSize", "2000")),
        ("userself[]", "/user/t7/users", ("pageSize", "2000")),
        ("usergroup[]", "/user/t7/groups", ("pageSize", "2000")),
        ("role[]", "/user/roles", ("pageSize", "2000")),
        ("microservice", "/application/applications", ("type", "MICROSERVICE")),
    ],
)  # fmt: skip
def test_lookup_requests(kind: str, path: str, query: tuple[str, str]) -> None:
    plan = lookup_plan(kind, "a*", "t7")
    assert (plan.method, plan.path) == ("GET", path)
    assert query in plan.query


def test_a_name_without_wildcards_is_filtered_on_the_server() -> None:
    assert ("username", "peter") in lookup_plan("userself[]", "peter", "t7").query
    assert ("name", "cockpit") in lookup_plan("application", "cockpit").query


def test_a_name_acts_on_its_first_match_only() -> None:
    send = answer_of([{"id": "7", "name": "sensor-a"}, {"id": "8", "name": "sensor-b"}], "managedObjects")
    assert resolve("device[]", ["sensor*"], send, flag="--id") == ["7"]
    groups = [{"id": "1", "name": "admins"}, {"id": "2", "name": "business"}, {"id": "3", "name": "admin2"}]
    assert resolve("usergroup[]", ["admin*"], answer_of(groups, "groups"), flag="--group", tenant="t") == [
        "1"
    ]
    assert resolve("usergroup[]", ["business"], answer_of(groups, "groups"), flag="--group") == ["2"]


def test_ids_and_links_are_not_looked_up() -> None:
    send = answer_of([], "managedObjects")
    assert resolve("device[]", ["12", "34"], send, flag="--id") == ["12", "34"]
    assert resolve("user[]", ["peter@example.com"], send, flag="--id") == ["peter@example.com"]  # its id
    assert resolve("role[]", ["ROLE_ALARM_READ"], send, flag="--role") == ["ROLE_ALARM_READ"]
    fingerprint = "ab" * 20
    assert resolve("certificate[]", [fingerprint], send, flag="--id") == [fingerprint]
    link = "https://t7.example.com/user/t7/users/peter"
    assert resolve("userself[]", [link], send, flag="--user") == [link]
    assert send.plans == []


def test_user_and_role_references_give_their_self_link() -> None:
    users = [{"id": "peter", "userName": "peter", "self": "https://h/user/t7/users/peter"}]
    assert resolve("userself[]", ["peter"], answer_of(users, "users"), flag="--user", tenant="t7") == [
        "https://h/user/t7/users/peter"
    ]
    roles = [
        {"id": "ROLE_ALARM_READ", "name": "ROLE_ALARM_READ", "self": "https://h/user/roles/ROLE_ALARM_READ"}
    ]
    assert resolve("roleself[]", ["ROLE_ALARM_*"], answer_of(roles, "roles"), flag="--role") == [
        "https://h/user/roles/ROLE_ALARM_READ"
    ]


def test_a_name_that_matches_nothing() -> None:
    with pytest.raises(C8yLinkError) as caught:
        resolve(
            "usergroup[]", ["nobody"], answer_of([{"id": "1", "name": "admins"}], "groups"), flag="--group"
        )
    assert caught.value.exit_code == 4
    assert str(caught.value) == (
        "no user group is named 'nobody' (the value of --group; give an id or an existing name)"
    )


@pytest.mark.parametrize(
    ("path", "document", "expected"),
    [
        ("managedObjects", {"managedObjects": [{"id": "1"}, {"id": "2"}]}, [{"id": "1"}, {"id": "2"}]),
        ("data.users", {"data": {"users": [{"id": "u"}]}}, [{"id": "u"}]),
        ("references.#.managedObject",
         {"references": [{"managedObject": {"id": "7"}, "self": "x"}, {"managedObject": {"id": "8"}}]},
         [{"id": "7"}, {"id": "8"}]),
        ("applications.references.#.application",
         {"applications": {"references": [{"application": {"id": "9"}}]}}, [{"id": "9"}]),
        ("managedObjects", {"statistics": {}}, []),
    ],
)  # fmt: skip
def test_collection_items(path: str, document: Any, expected: list[dict[str, Any]]) -> None:
    assert collection_items(document, path) == expected


def test_a_service_is_looked_up_among_the_services_of_its_device() -> None:
    plan = lookup_plan("deviceservice[]", "ntp", scope="11")
    assert plan.path == "/inventory/managedObjects/11/childAdditions"
    assert ("query", "$filter=(name eq 'ntp') and (type eq 'c8y_Service') $orderby=name") in plan.query
    children = [
        {"managedObject": {"id": "20", "name": "cron"}},
        {"managedObject": {"id": "21", "name": "ntp"}},
    ]
    send = answer_of(children, "references")
    assert resolve("deviceservice[]", ["ntp"], send, flag="--id", scope="11") == ["21"]
    assert lookup_plan("deviceservice[]", "ntp").path == "/inventory/managedObjects"  # no --device: all


def test_a_version_is_looked_up_by_its_version_within_its_firmware() -> None:
    plan = lookup_plan("firmwareversion[]", "1.0.0", scope="11")
    assert (
        "query",
        "$filter=(c8y_Firmware.version eq '1.0.0') and (type eq 'c8y_FirmwareBinary') and "
        "not(has(c8y_Patch)) and bygroupid(11) $orderby=name",
    ) in plan.query
    unscoped = lookup_plan("softwareversion[]", "2.*")
    assert (
        "query",
        "$filter=(c8y_Software.version eq '2.*') and (type eq 'c8y_SoftwareBinary') $orderby=name",
    ) in unscoped.query
    assert "bygroupid" not in str(lookup_plan("device[]", "x", scope="11").query)


# -- requests of declared commands (exact) --------------------------------------------------------------
def dry(*args: str) -> dict[str, Any]:
    from click.testing import CliRunner

    from c8ylink.operator.api.dry import query_pairs
    from c8ylink.operator.cli.root import c8y

    result = CliRunner().invoke(c8y, [*args, "--dry", "--dryFormat", "json"])
    assert result.exit_code == 0, result.output
    [request] = [json.loads(line) for line in result.stdout.splitlines()]
    return {**request, "query": query_pairs(request)}


def test_boolean_flags_with_a_default_can_be_turned_off() -> None:
    assert dry("firmware", "delete", "--id", "12")["query"] == {"forceCascade": "true"}
    assert dry("firmware", "delete", "--id", "12", "--forceCascade=false")["query"] == {
        "forceCascade": "false"
    }
    assert dry("agents", "delete", "--id", "12")["query"] == {}
    assert dry("agents", "delete", "--id", "12", "--cascade")["query"] == {"cascade": "true"}
    assert dry("devices", "user", "update", "--id", "12", "--enabled=false")["body"] == {"enabled": False}


def test_inventory_queries_of_declared_lists() -> None:
    agents = dry("agents", "list", "--name", "sensor*", "--type", "myType")
    assert agents["query"]["q"] == (
        "$filter=has(com_cumulocity_model_Agent) and (name eq 'sensor*') and (type eq 'myType') $orderby=name"
    )
    software = dry("software", "list", "--name", "python3*", "--softwareType", "apt")
    assert software["query"]["query"] == (
        "$filter=(type eq 'c8y_Software') and (name eq 'python3*') and (softwareType eq 'apt') $orderby=name"
    )
    assert "query" not in dry("devices", "children", "list", "--id", "1", "--childType", "device")["query"]


def test_child_types_body_defaults_and_fixed_values() -> None:
    assert dry("inventory", "children", "list", "--id", "1", "--childType", "addition")["path"] == (
        "/inventory/managedObjects/1/childAdditions"
    )
    assert dry("firmware", "create", "--name", "fw", "--data", "type=custom")["body"] == {
        "type": "custom", "c8y_Global": {}, "name": "fw",
    }  # fmt: skip
    assert dry("operations", "cancel", "--id", "5")["body"] == {
        "status": "CANCELLED", "failureReason": "User cancelled operation",
    }  # fmt: skip
    request = dry("userroles", "addRoleToUser", "--user", "peter", "--role", "https://h/user/roles/ROLE_A")
    assert (request["method"], request["path"]) == (
        "POST",
        "/user/%7Btenant%7D/users/peter/roles",
    )  # no session
    assert request["body"] == {"role": {"self": "https://h/user/roles/ROLE_A"}}
    assert request["headers"]["Accept"] == "application/vnd.com.nsn.cumulocity.roleReference+json"


def test_a_body_that_is_not_json_is_printed_as_it_came() -> None:
    import io
    from datetime import UTC, datetime

    from c8ylink.infra.net.response import HttpResponse
    from c8ylink.operator.api.build import RequestOptions
    from c8ylink.operator.api.execute import Executor, RunSettings, Target
    from c8ylink.operator.api.output import OutputOptions, Printer

    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    err = io.StringIO()
    spec = load_group("binaries").command("get")
    assert spec is not None
    executor = Executor(
        "c8y binaries get", spec, {}, run=RunSettings(), request_options=RequestOptions(),
        printer=Printer(OutputOptions(), out, err), target=Target(), err=err,
        now=datetime.now(UTC), sleep=lambda _: None,
    )  # fmt: skip
    plan = RequestPlan("GET", "/inventory/binaries/5")
    content = b"\x00\x01binary\xff"
    executor.output(
        plan, HttpResponse(200, "u", "GET", {"content-type": "application/octet-stream"}, content)
    )
    out.flush()
    assert raw.getvalue() == content and err.getvalue() == ""
    executor.output(plan, HttpResponse(204, "u", "DELETE", {}, b""))
    assert err.getvalue() == "✓ Read /inventory/binaries/5 => 204\n"


def test_type_filters_are_joined_with_or() -> None:
    flags = ["--name", "s", "--device", "12", "--context", "mo", "--apiFilter", "alarms"]
    request = dry(
        "notification2", "subscriptions", "create", *flags, "--typeFilter", "c8y_A", "--typeFilter", "c8y_B"
    )
    assert request["body"] == {
        "source": {"id": "12"}, "subscription": "s", "context": "mo",
        "subscriptionFilter": {"apis": ["alarms"], "typeFilter": "c8y_A or c8y_B"},
    }  # fmt: skip


def test_templates_that_depend_on_one_property() -> None:
    vnc = ("remoteaccess", "configurations", "create-vnc", "--device", "12")
    assert dry(*vnc)["body"]["credentialsType"] == "NONE"
    assert dry(*vnc, "--password", "s3cret")["body"]["credentialsType"] == "PASS_ONLY"
    reset = ("users", "resetUserPassword", "--id", "peter")
    assert dry(*reset)["body"] == {"sendPasswordResetEmail": True}
    assert dry(*reset, "--newPassword", "n3w-Pass!")["body"] == {
        "sendPasswordResetEmail": False, "password": "n3w-Pass!",
    }  # fmt: skip


def test_numbered_properties_are_list_items() -> None:
    install = dry("software", "versions", "install", "--device", "1", "--software", "sw", "--version", "1.0",
                  "--url", "https://example.com/sw.deb")  # fmt: skip
    assert install["body"]["c8y_SoftwareUpdate"] == [
        {"name": "sw", "version": "1.0", "url": "https://example.com/sw.deb", "action": "install"}
    ]
    uninstall = dry("software", "versions", "uninstall", "--device", "1", "--software", "sw")
    assert uninstall["body"] == {"deviceId": "1", "c8y_SoftwareUpdate": [{"name": "sw", "action": "delete"}]}


# -- operations that carry a repository entry (installs.py) ---------------------------------------------
@pytest.fixture
def repository(monkeypatch: pytest.MonkeyPatch) -> list[RequestPlan]:
    from c8ylink.operator.api import execute

    asked: list[RequestPlan] = []

    def get_json(self: Any, plan: RequestPlan) -> Any:
        asked.append(plan)
        if plan.path.endswith("/77"):
            return {"id": "77", "name": "apt-lists", "configurationType": "apt", "url": "https://r/apt.list"}
        query = dict(plan.query).get("query", "")
        if "c8y_FirmwareBinary" in query:
            return {
                "managedObjects": [{"id": "31", "c8y_Firmware": {"version": "1.0.0", "url": "https://r/fw"}}]
            }
        if "c8y_SoftwareBinary" in query:
            return {
                "managedObjects": [{"id": "41", "c8y_Software": {"version": "2.0", "url": "https://r/sw"}}]
            }
        return {"managedObjects": [{"id": "30", "name": "linux-iot"}]}

    monkeypatch.setattr(execute.Executor, "get_json", get_json)
    return asked


def test_firmware_install_takes_the_url_of_the_version(repository: list[RequestPlan]) -> None:
    body = dry(
        "firmware", "versions", "install", "--device", "1", "--firmware", "linux-iot", "--version", "1.0.0"
    )
    assert body["body"] == {
        "deviceId": "1", "c8y_Firmware": {"name": "linux-iot", "version": "1.0.0", "url": "https://r/fw"},
        "description": 'Update firmware to: "linux-iot" (1.0.0)',
    }  # fmt: skip
    firmware, version = repository
    assert "(type eq 'c8y_Firmware')" in dict(firmware.query)["query"]
    assert dict(version.query)["query"] == (
        "$filter=(type eq 'c8y_FirmwareBinary') and (c8y_Firmware.version eq '1.0.0') and bygroupid(30) "
        "$orderby=creationTime.date desc"
    )


def test_a_given_url_needs_no_lookup(repository: list[RequestPlan]) -> None:
    body = dry("firmware", "versions", "install", "--device", "1", "--firmware", "fw", "--version", "2",
               "--url", "https://elsewhere/fw.bin")  # fmt: skip
    assert body["body"]["c8y_Firmware"]["url"] == "https://elsewhere/fw.bin" and repository == []


def test_software_install_and_configuration_send_fill_their_entry(repository: list[RequestPlan]) -> None:
    software = dry(
        "software", "versions", "install", "--device", "1", "--software", "pkg", "--version", "2.0"
    )
    assert software["body"]["c8y_SoftwareUpdate"] == [
        {"name": "pkg", "version": "2.0", "url": "https://r/sw", "action": "install"}
    ]
    sent = dry("configuration", "send", "--device", "1", "--configuration", "77")
    assert sent["body"] == {
        "deviceId": "1",
        "description": "Send configuration snapshot apt-lists of configuration type apt to device",
        "c8y_DownloadConfigFile": {"type": "apt", "url": "https://r/apt.list"},
    }


def test_a_version_that_is_not_in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from c8ylink.operator.api import execute
    from c8ylink.operator.cli.root import c8y

    def get_json(self: Any, plan: RequestPlan) -> Any:
        found = "c8y_FirmwareBinary" not in dict(plan.query).get("query", "")
        return {"managedObjects": [{"id": "30", "name": "fw"}] if found else []}

    monkeypatch.setattr(execute.Executor, "get_json", get_json)
    args = ["firmware", "versions", "install", "--device", "1", "--firmware", "fw", "--version", "9", "--dry"]
    result = CliRunner().invoke(c8y, args)
    assert result.exit_code == 4 and result.stdout == ""
    assert (
        result.stderr
        == "commandError: firmware 'fw' has no version '9' (give --url to install from elsewhere)\n"
    )
