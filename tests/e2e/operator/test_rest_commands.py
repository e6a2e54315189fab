"""The REST commands as the user docs show them, against the local tenant: `c8y devices list` (also with
`--session NAME` and `--insecure`), `c8y inventory create --name hello --sessionMode dev`, every output
format, paging, and a pipeline of two `c8y` processes with workers."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest

from c8ylink.tenant.admin_client import AdminClient
from c8ylink.tenant.background import BackgroundTenant

from .conftest import C8Y, Run, unique, write_session

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]


def lines(run: Run) -> list[dict[str, Any]]:
    assert run.code == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def shell(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A pipeline of `c8y` processes, as a user's shell runs it (a failing stage fails it)."""
    command = ["bash", "-o", "pipefail", "-c", script]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def create_devices(rest: C8y, prefix: str, count: int) -> list[str]:
    names = "".join(f"{prefix}{n:02d}\n" for n in range(count))
    created = lines(rest("devices", "create", "--force", "--select", "id", stdin=names))
    return [item["id"] for item in created]


def test_devices_list_as_the_user_docs_show_it(
    rest: C8y, c8y: C8y, sessions: Path, tenant: BackgroundTenant, rest_user: tuple[str, str]
) -> None:
    prefix = unique("docs-")
    ids = create_devices(rest, prefix, 3)
    listed = lines(rest("devices", "list", "--name", f"{prefix}*"))
    assert [item["id"] for item in listed] == ids  # ordered by name
    assert all("c8y_IsDevice" in item for item in listed)
    # c8y devices list --session myother.tenant / --session myothersession.json (no active session)
    write_session(sessions, "myother.tenant", tenant, rest_user, mode="prod")
    write_session(sessions, "myothersession", tenant, rest_user, mode="prod")
    for name in ("myother.tenant", "myothersession.json"):
        other = lines(c8y("devices", "list", "--name", f"{prefix}*", "--session", name))
        assert [item["id"] for item in other] == ids
    flags_first = lines(c8y("--session", "myother.tenant", "devices", "list", "--name", f"{prefix}*"))
    assert [item["id"] for item in flags_first] == ids


def test_insecure_skips_the_certificate_check(rest: C8y) -> None:
    untrusted = rest("devices", "list", env={"SSL_CERT_FILE": None})
    assert untrusted.code != 0
    assert "is not trusted" in untrusted.stderr and "Traceback" not in untrusted.stderr
    # one line that says what to do
    assert untrusted.stderr.count("\n") == 1 and "trust its CA with SSL_CERT_FILE=" in untrusted.stderr
    assert rest("devices", "list", "--insecure", env={"SSL_CERT_FILE": None}).code == 0


def test_inventory_create_with_session_mode_for_one_command(
    c8y: C8y,
    sessions: Path,
    tenant: BackgroundTenant,
    rest_user: tuple[str, str],
    base_env: dict[str, str],
    admin: AdminClient,
) -> None:
    path = write_session(sessions, "prod-session", tenant, rest_user, mode="prod")
    env = {"C8Y_SESSION": str(path)}
    disabled = c8y("inventory", "create", "--name", "hello", env=env)
    assert disabled.code == 101
    assert disabled.stderr.startswith(
        "userError: create mode is disabled. create commands are disabled unless"
    )
    # on a terminal, exactly as the user doc writes it: asks to confirm the POST
    child = pexpect.spawn(
        C8Y,
        ["inventory", "create", "--name", "hello", "--sessionMode", "dev"],
        env={**base_env, **env},
        encoding="utf-8",
        timeout=60,
    )
    child.expect(
        r"Create managed object on name=hello\? \[y\] Yes \[a\] Yes to All \[n\] No\. Default is 'y'"
    )
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "| hello" in child.before  # a table on a terminal
    created = admin.request(
        "GET", "/inventory/managedObjects?query=$filter=(name%20eq%20'hello')&pageSize=100"
    )
    assert any(item["owner"] == rest_user[0] for item in created["managedObjects"])
    forced = lines(c8y("inventory", "create", "--name", "hello", "--sessionMode", "dev", "--force", env=env))
    assert forced[0]["name"] == "hello" and "c8y_IsDevice" not in forced[0]


def test_every_output_format(rest: C8y, sessions: Path, base_env: dict[str, str]) -> None:
    prefix = unique("fmt-")
    ids = create_devices(rest, prefix, 2)
    query = ("devices", "list", "--name", f"{prefix}*", "--select", "id,name,dev:c8y_IsDevice")
    assert lines(rest(*query)) == [
        {"id": i, "name": f"{prefix}{n:02d}", "dev": {}} for n, i in enumerate(ids)
    ]
    assert rest(*query, "-o", "csv").stdout == f"{ids[0]},{prefix}00,{{}}\n{ids[1]},{prefix}01,{{}}\n"
    assert rest(*query, "-o", "csvheader").stdout.splitlines()[0] == "id,name,dev"
    assert rest(*query, "-o", "tsv").stdout.splitlines()[1] == f"{ids[1]}\t{prefix}01\t{{}}"
    table = rest(*query, "-o", "table").stdout.splitlines()
    assert [cell.strip() for cell in table[0].strip("|").split("|")] == ["id", "name", "dev"]
    assert set(table[1]) == {"|", "-"}
    assert [cell.strip() for cell in table[3].strip("|").split("|")] == [ids[1], f"{prefix}01", "{}"]
    pretty = rest("devices", "get", "--id", ids[0], "-o", "json", "--select", "id")
    assert pretty.stdout == f'{{"id":"{ids[0]}"}}\n'  # piped: compact JSON lines
    raw = json.loads(rest("devices", "list", "--name", f"{prefix}*", "--raw").stdout)
    assert [item["id"] for item in raw["managedObjects"]] == ids and "statistics" in raw
    # on a terminal: a table with the device view (no --select, no --output)
    env = {**base_env, "C8Y_SESSION": str(sessions / "ops.json")}
    child = pexpect.spawn(
        C8Y, ["devices", "list", "--name", f"{prefix}*"], env=env, encoding="utf-8", timeout=60
    )
    child.expect(pexpect.EOF)
    child.close()
    header, _, *rows = child.before.splitlines()
    assert [cell.strip() for cell in header.strip("|").split("|")] == [
        "id",
        "name",
        "type",
        "owner",
        "lastUpdated",
        "c8y_Availability.status",
    ]
    assert [row.split("|")[1].strip() for row in rows] == ids
    # --includeAll on a terminal: a progress line on stderr while the pages come in
    paged = {**env, "C8Y_SETTINGS_INCLUDEALL_PAGESIZE": "1"}
    argv = ["devices", "list", "--name", f"{prefix}*", "--includeAll", "--select", "id"]
    child = pexpect.spawn(C8Y, argv, env=paged, encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    assert "· 2 results (2 pages)" in child.before and "| id " in child.before


def test_paging(rest: C8y) -> None:
    prefix = unique("page-")
    ids = create_devices(rest, prefix, 7)
    query = ("devices", "list", "--name", f"{prefix}*", "--select", "id")
    assert [item["id"] for item in lines(rest(*query))] == ids[:5]  # the default page size
    assert [item["id"] for item in lines(rest(*query, "--pageSize", "3", "--currentPage", "2"))] == ids[3:6]
    every = rest(*query, "--includeAll", env={"C8Y_SETTINGS_INCLUDEALL_PAGESIZE": "2"})
    assert [item["id"] for item in lines(every)] == ids
    two_pages = rest(
        *query, "--includeAll", "--totalPages", "2", env={"C8Y_SETTINGS_INCLUDEALL_PAGESIZE": "2"}
    )
    assert [item["id"] for item in lines(two_pages)] == ids[:4]
    [statistics] = lines(
        rest("devices", "list", "--name", f"{prefix}*", "--pageSize", "1", "--withTotalPages")
    )
    assert statistics == {"currentPage": 1, "pageSize": 1, "totalPages": 7}


def test_pipeline_of_two_processes_with_workers(rest: C8y, sessions: Path, base_env: dict[str, str]) -> None:
    """`c8y devices list --includeAll | c8y devices update --data ... --workers 4`, as real processes."""
    prefix = unique("pipe-")
    ids = create_devices(rest, prefix, 12)
    env = {**base_env, "C8Y_SESSION": str(sessions / "ops.json"), "C8Y_SETTINGS_INCLUDEALL_PAGESIZE": "5"}
    script = (
        f"{C8Y} devices list --includeAll --name '{prefix}*' | "
        f"{C8Y} devices update --data 'batch.done=true,batch.by=pipeline' --workers 4 --force "
        "--select id,batch"
    )
    done = shell(script, env)
    assert done.returncode == 0, done.stderr
    updated = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(item["id"] for item in updated) == sorted(ids)  # completion order with 4 workers
    assert all(item["batch"] == {"done": True, "by": "pipeline"} for item in updated)
    stored = lines(
        rest("devices", "list", "--name", f"{prefix}*", "--includeAll", "--select", "id,batch.done")
    )
    assert [item["batch"]["done"] for item in stored] == [True] * 12
    assert os.environ.get("C8Y_SESSION") is None  # the test itself never activated a session


def test_measurements_copied_to_another_device_through_a_template(
    rest: C8y, sessions: Path, base_env: dict[str, str]
) -> None:
    """Upstream's example: `c8y measurements list --device A --select '!id,**' | c8y measurements create
    --device B --template input.value` copies each measurement (the pipe feeds the template, not --device)."""
    source, target = create_devices(rest, unique("copy-"), 2)
    for value in (1, 2, 3):
        created = rest(
            "measurements", "create", "--device", source, "--type", "copied", "--force",
            "--data", f"c8y_T.T.value={value},c8y_T.T.unit=C",
        )  # fmt: skip
        assert created.code == 0, created.stderr
    env = {**base_env, "C8Y_SESSION": str(sessions / "ops.json")}
    script = (
        f"{C8Y} measurements list --device {source} --select '!id,**' | "
        f"{C8Y} measurements create --device {target} --template input.value --force --select id"
    )
    done = shell(script, env)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3
    copied = lines(
        rest("measurements", "list", "--device", target, "--select", "type,c8y_T.T.value,source.id")
    )
    assert sorted(item["c8y_T"]["T"]["value"] for item in copied) == [1, 2, 3]
    assert {(item["type"], item["source"]["id"]) for item in copied} == {("copied", target)}
