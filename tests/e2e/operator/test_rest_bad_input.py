"""Every bad input the issue lists, as a user meets it: a clear message on stderr, the upstream exit code,
nothing lost (the good lines of a pipeline still run), never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from c8ylink.tenant.admin_client import AdminClient

from .conftest import Run, unique

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def lines(run: Run) -> list[dict[str, Any]]:
    assert run.code == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def device(rest: C8y) -> dict[str, Any]:
    [created] = lines(rest("devices", "create", "--name", unique("bad-"), "--force"))
    return created


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["devcies", "list"], "Error: No such command 'devcies'. Did you mean 'devices'?"),
        (["devices", "lst"], "Error: No such command 'lst'. Did you mean 'list'?"),
        (
            ["devices", "list", "--nmae", "x"],
            "Error: No such option '--nmae'. (Did you mean one of: '--name',",
        ),
        (["devices", "list", "extra"], "Error: Got unexpected extra argument (extra)"),
        (["devices", "list", "--name"], "Error: Option '--name' requires an argument."),
    ],
    ids=["unknown-group", "unknown-command", "unknown-flag", "extra-argument", "missing-value"],
)
def test_unknown_command_or_flag_exits_2_with_a_hint(rest: C8y, args: list[str], message: str) -> None:
    run = rest(*args)
    assert run.code == 2 and run.stdout == ""
    assert message in run.stderr
    if "requires an argument" not in message:  # click names the option and stops there
        assert "Try 'c8y " in run.stderr and "--help' for help." in run.stderr


def test_invalid_json_in_data(rest: C8y, admin: AdminClient) -> None:
    name = unique("json-")
    run = rest("devices", "create", "--name", name, "--data", '{"a": 1,}', "--force")
    assert run.code == 101 and run.stdout == ""
    assert run.stderr.startswith(
        "userError: invalid JSON in --data: Expecting property name enclosed in double quotes"
    )
    assert "give a JSON object" in run.stderr and "Traceback" not in run.stderr
    found = admin.request("GET", f"/inventory/managedObjects?query=$filter=(name%20eq%20'{name}')")
    assert found["managedObjects"] == []  # nothing was sent


def test_an_id_that_does_not_exist(rest: C8y) -> None:
    run = rest("devices", "get", "--id", "987654321")
    assert run.code == 4 and run.stdout == ""
    head, error_json = run.stderr.splitlines()
    assert head == (
        "serverError: Finding device data from database failed : No managedObject for id '987654321'! "
        f"GET {json.loads(error_json)['url']}: 404 inventory/Not Found"
    )
    error = json.loads(error_json)
    assert (error["errorType"], error["statusCode"], error["exitCode"]) == ("serverError", 404, 4)
    assert error["c8yResponse"]["error"] == "inventory/Not Found"
    with_error = rest("devices", "get", "--id", "987654321", "--withError")
    assert with_error.code == 4 and json.loads(with_error.stdout)["statusCode"] == 404
    silent = rest("devices", "get", "--id", "987654321", "--silentStatusCodes", "404", "--silentExit")
    assert (silent.code, silent.stdout, silent.stderr) == (0, "", "")


def test_server_errors_are_retried_with_retries(rest: C8y, admin: AdminClient) -> None:
    target = device(rest)
    path = f"/inventory/managedObjects/{target['id']}"
    admin.request(
        "POST", "/__local__/faults", {"status": 503, "count": 2, "pathPrefix": path, "method": "GET"}
    )
    fast = {"C8Y_SETTINGS_DEFAULTS_RETRYWAITMIN": "10ms", "C8Y_SETTINGS_DEFAULTS_RETRYWAITMAX": "20ms"}
    run = rest("devices", "get", "--id", target["id"], "--retries", "3", "--select", "id", env=fast)
    assert run.code == 0, run.stderr
    assert lines(run) == [{"id": target["id"]}]
    assert run.stderr.splitlines() == [
        f"warning: GET {path} failed (503): retry 1 of 3 in 0.01s",
        f"warning: GET {path} failed (503): retry 2 of 3 in 0.02s",
    ]
    admin.request(
        "POST", "/__local__/faults", {"status": 503, "count": 1, "pathPrefix": path, "method": "GET"}
    )
    once = rest("devices", "get", "--id", target["id"], env=fast)  # no --retries: as upstream, no retry
    assert once.code == 53 and "serverError: " in once.stderr and ": 503 " in once.stderr
    admin.request(
        "POST", "/__local__/faults", {"status": 500, "count": 5, "pathPrefix": path, "method": "GET"}
    )
    exhausted = rest("devices", "get", "--id", target["id"], "--retries", "1", env=fast)
    assert exhausted.code == 50 and exhausted.stderr.count("warning: ") == 1
    admin.request("DELETE", "/__local__/faults")


def test_malformed_lines_in_a_pipeline_are_reported_and_the_rest_continues(rest: C8y) -> None:
    first, second = device(rest), device(rest)
    piped = f'{json.dumps(first)}\n{{"id": broken\n\n{second["id"]}\n{{"name": "no id"}}\n'
    run = rest("devices", "update", "--data", "seen=true", "--force", "--select", "id,seen", stdin=piped)
    assert run.code == 104  # go-c8y-cli: jobs completed with errors
    assert sorted(json.loads(line)["id"] for line in run.stdout.splitlines()) == sorted(
        [first["id"], second["id"]]
    )
    errors = run.stderr.splitlines()
    assert errors[0].startswith("commandError: skipping input line 2: invalid JSON (")
    assert errors[1].startswith("commandError: skipping input line 5: the object has none of id, source.id,")
    assert errors[-1] == "commandError: jobs completed with 2 errors"
    single = rest("devices", "get", "--select", "id", stdin=f"{first['id']}\n{{oops\n")
    assert single.code == 101 and lines_of(single) == [{"id": first["id"]}]


def lines_of(run: Run) -> list[dict[str, Any]]:
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.mark.parametrize("workers", ["0", "-1", "many"])
def test_workers_must_be_a_positive_number(rest: C8y, workers: str) -> None:
    run = rest("devices", "list", "--workers", workers)
    assert run.code == 2 and run.stdout == ""
    assert "Error: Invalid value for '--workers': " in run.stderr
    if workers != "many":
        assert f"{workers} is not in the range x>=1." in run.stderr


def test_too_many_workers_are_capped_with_a_warning(rest: C8y) -> None:
    run = rest("devices", "list", "--workers", "80", "--select", "id")
    assert run.code == 0
    assert "warning: --workers 80 is more than settings.defaults.maxWorkers (50): using 50" in run.stderr


def test_a_select_that_matches_nothing(rest: C8y) -> None:
    target = device(rest)
    run = rest("devices", "get", "--id", target["id"], "--select", "id,nmae")
    assert run.code == 0 and lines_of(run) == [{"id": target["id"]}]
    assert run.stderr.startswith("warning: --select 'nmae' matched no property (the first result has: ")
    nothing = rest("devices", "get", "--id", target["id"], "--select", "nmae", "-o", "csv")
    assert nothing.stdout == "\n" and "matched no property" in nothing.stderr


def test_a_disabled_mode_and_a_declined_confirmation(rest: C8y) -> None:
    prod = rest("devices", "create", "--name", "x", "--sessionMode", "prod", "--force")
    assert prod.code == 101
    assert (
        'create mode is disabled. create commands are disabled unless the mode is one of: ["dev" "qual" "ci"]'
        in (prod.stderr)
    )
    qual = rest("devices", "delete", "--id", "1", "--sessionMode", "qual", "--force")
    assert qual.code == 101 and "delete mode is disabled" in qual.stderr
    unconfirmed = rest("devices", "create", "--name", "x")
    assert (
        unconfirmed.code == 2
        and "needs confirmation: no terminal to ask on (add --force)" in unconfirmed.stderr
    )


def test_missing_required_values(rest: C8y) -> None:
    run = rest("devices", "get")
    assert run.code == 101 and "missing --id (device id or name): give it or pipe it" in run.stderr
    empty = rest("devices", "get", stdin="\n")
    assert empty.code == 101 and "(the piped input was empty)" in empty.stderr
    assert rest("devices", "get", "--allowEmptyPipe", stdin="").code == 101  # still needs an id to send
    bad_time = rest("events", "list", "--dateFrom", "yesterday")
    assert bad_time.code == 101 and "invalid --dateFrom 'yesterday': use an ISO time" in bad_time.stderr


def test_no_session(c8y: C8y) -> None:
    run = c8y("devices", "list")
    assert run.code == 102 and "no session loaded: run set-session (or pass --session NAME)" in run.stderr
